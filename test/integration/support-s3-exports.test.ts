import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { createStorage } from '../../src/lake/create-storage.js'
import { runCli } from '../helpers/cli.js'
import { MARIADB, scratchMysql } from '../helpers/databases.js'
import { startS3Server } from '../helpers/s3-server.js'
import { tempDir } from '../helpers/sandbox.js'
import { PIPELINE, withEmbeddedDatabase } from './elt-helpers.js'

test('support: export files in an S3 prefix are waited for, read through local copies and merged as from a folder', async (t) => {
  const producer = await tempDir('etl-support-producer-')
  const consumer = await tempDir('etl-support-s3-')
  const source = await scratchMysql('support_source')
  const s3 = await startS3Server()
  t.teardown(async () => {
    await source.drop()
    await s3.stop()
    await Promise.all([producer, consumer].map((dir) => fs.rm(dir, { recursive: true, force: true })))
  })
  const support_source = { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: source.namespace }
  // The producer builds the sample in a local folder, as the Support department exports it.
  await fs.writeFile(path.join(producer, 'etl.config.json'), JSON.stringify({ connections: { support_source } }))
  const lake = await s3.lake('etl-lake', 'etl')
  await s3.lake('support-exports')
  const exports = createStorage({ ...lake, bucket: 'support-exports', prefix: 'drop' })
  t.teardown(() => exports.close())
  const upload = async () => {
    const dir = path.join(producer, 'data', 'support', 'exports')
    for (const name of await fs.readdir(dir)) if (!(await exports.exists(name))) await exports.put(name, await fs.readFile(path.join(dir, name)))
  }
  const config = { connections: { support_source }, lake, tasks: { WaitForSupportExports: { exportDir: 's3://support-exports/drop', tries: 2, delay: 1 } } }
  await fs.writeFile(path.join(consumer, 'etl.config.json'), JSON.stringify(config))
  const run = (cwd: string, ...args: string[]) => runCli([...args, '--module', PIPELINE], cwd)

  t.is((await run(producer, 'demo', 'init', '--pipeline', 'support')).code, 0)
  const waiting = await run(consumer, 'run', 'SupportDW', '--local-scheduler')
  t.is(waiting.code, 4, waiting.stdout + waiting.stderr)
  t.regex(waiting.stdout, /an analyst history file \(analyst_history_NNNN\.csv\), a case log \(case_log_NNNN\.log\), the SLA file \(sla\.xlsx or sla\.csv\) in s3:\/\/support-exports\/drop/)

  await upload()
  const first = await run(consumer, 'run', 'SupportDW', '--local-scheduler')
  t.is(first.code, 0, first.stdout + first.stderr)
  t.regex(first.stdout, /StageCaseLogs\(.*files=\["case_log_0001\.log"\]/)
  const copies = path.join(consumer, 'data', '.remote', 'support-exports', 'drop')
  t.deepEqual((await fs.readdir(copies)).sort(), ['analyst_history_0001.csv', 'case_log_0001.log', 'sla.xlsx'])

  t.regex((await run(consumer, 'run', 'SupportDW', '--local-scheduler')).stdout, /Nothing to do/)
  t.is((await run(producer, 'demo', 'advance', '--pipeline', 'support')).code, 0)
  await upload()
  const merge = await run(consumer, 'run', 'SupportDW', '--local-scheduler')
  t.is(merge.code, 0, merge.stdout + merge.stderr)
  t.regex(merge.stdout, /StageCaseLogs\(.*files=\["case_log_0002\.log"\]/)
  const cases = Number((await source.db.query('select count(*) as n from cases')).rows[0]!.n)
  await withEmbeddedDatabase(consumer, 'warehouse', async (warehouse) => {
    t.is(Number((await warehouse.query('select count(*) as n from support_dw.f_cases')).rows[0]!.n), cases)
  })
})
