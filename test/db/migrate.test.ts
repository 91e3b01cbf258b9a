import test from 'ava'
import type { Database } from '../../src/db/database.js'
import { migrate } from '../../src/db/migrations/migrate.js'
import type { Migration, MigrationSet } from '../../src/db/migrations/migration.js'
import { MysqlDatabase } from '../../src/db/mysql/mysql-database.js'
import { PostgresDatabase } from '../../src/db/postgres/postgres-database.js'
import { sql } from '../../src/db/sql.js'
import { MARIADB, POSTGRES, SCRATCH_DATABASES, type ScratchDatabase } from '../helpers/databases.js'

/** A set whose migrations count their runs in a table of their own. */
function counting(component: string, steps: number, fail?: number): MigrationSet {
  const migrations: Migration[] = Array.from({ length: steps }, (_, index) => ({
    id: index + 1,
    name: `step ${index + 1}`,
    async up(tx) {
      if (index === 0) await tx.query(sql`create table if not exists ${sql.id(`${component}_runs`)} (step integer not null)`)
      if (fail === index + 1) throw new Error('the disk is full')
      await tx.query(sql`insert into ${sql.id(`${component}_runs`)} (step) values (${index + 1})`)
    },
  }))
  return { component, table: `${component}_migrations`, migrations }
}

async function runs(db: Database, component: string): Promise<number[]> {
  return (await db.query(sql`select step from ${sql.id(`${component}_runs`)} order by step`)).rows.map((row) => Number(row.step))
}

/** A second connection to the same namespace, as a second process would have. */
function secondConnection(dialect: string, scratch: ScratchDatabase): Database | undefined {
  if (dialect === 'postgres') return new PostgresDatabase('second', { dialect: 'postgres', ...POSTGRES, schema: scratch.namespace, poolSize: 2 })
  if (dialect === 'mysql') return new MysqlDatabase('second', { dialect: 'mysql', ...MARIADB, database: scratch.namespace, poolSize: 2 })
  return undefined
}

for (const [dialect, open] of Object.entries(SCRATCH_DATABASES)) {
  test(`${dialect}: migrate applies each migration once, in order, and records it; the next call applies nothing`, async (t) => {
    const scratch = await open()
    t.teardown(() => scratch.drop())
    t.deepEqual((await migrate(scratch.db, counting('m1', 3))).applied, [1, 2, 3])
    t.deepEqual((await migrate(scratch.db, counting('m1', 3))).applied, [])
    t.deepEqual((await migrate(scratch.db, counting('m1', 4))).applied, [4], 'a release that adds a migration applies just that one')
    t.deepEqual(await runs(scratch.db, 'm1'), [1, 2, 3, 4])
  })

  test(`${dialect}: a failing migration names itself, records nothing of itself, and the next call tries it again`, async (t) => {
    const scratch = await open()
    t.teardown(() => scratch.drop())
    const error = await t.throwsAsync(migrate(scratch.db, counting('m2', 3, 2)), { code: 'ETL_ERR_DB_MIGRATION_FAILED' })
    t.regex(error!.message, /migration 2 \(step 2\) of m2 failed on connection .*: the disk is full; nothing of it was recorded/)
    t.deepEqual((await migrate(scratch.db, counting('m2', 3))).applied, scratch.db.capabilities.transactionalDdl ? [1, 2, 3] : [2, 3])
  })

  // An embedded database has one process: there is no second caller to race.
  if (dialect === 'pglite') continue
  test(`${dialect}: two callers at once take turns under the lock, so every migration runs once`, async (t) => {
    const scratch = await open()
    const other = secondConnection(dialect, scratch)!
    t.teardown(async () => {
      await other.close()
      await scratch.drop()
    })
    const [a, b] = await Promise.all([migrate(scratch.db, counting('m3', 5)), migrate(other, counting('m3', 5))])
    t.deepEqual([...a.applied, ...b.applied].sort(), [1, 2, 3, 4, 5])
    t.deepEqual(await runs(scratch.db, 'm3'), [1, 2, 3, 4, 5])
  })
}
