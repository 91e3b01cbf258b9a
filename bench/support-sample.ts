// The support sample for bench:support, built in its own process so the benchmark's peak RSS is the
// pipeline's alone: `support-sample.ts <mariadb database> <scale> <export folder>`.
import { MysqlDatabase } from 'etl'
import { initSupportSource } from '../tasks/support/sample/support-source.js'

const [database, scale, exportDir] = process.argv.slice(2)
const db = new MysqlDatabase('support_source', { dialect: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', database: database!, poolSize: 2 })
try {
  const counts = await initSupportSource(db, { scale: Number(scale), exportDir: exportDir! })
  process.stdout.write(JSON.stringify(counts))
} finally {
  await db.close()
}
