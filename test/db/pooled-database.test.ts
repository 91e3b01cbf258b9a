import test from 'ava'
import { sql } from '../../src/db/sql.js'
import { scratchMysql, scratchPostgres } from '../helpers/databases.js'

const POOLED = { postgres: scratchPostgres, mysql: scratchMysql } as const

for (const [dialect, open] of Object.entries(POOLED)) {
  test(`pooled-database: ${dialect} closed while its first statement is still starting refuses that statement`, async (t) => {
    const scratch = await open()
    const first = scratch.db.query('select 1 as one')
    await scratch.drop()
    const error = await t.throwsAsync(first)
    t.is((error as { code?: string }).code, 'ETL_ERR_DB_CLOSED')
  })

  test(`pooled-database: ${dialect} hands a client back after a transaction rolls back, and the next statements reuse the pool`, async (t) => {
    // The scratch pools hold 2 clients: were a rolled-back transaction's client kept, the third would wait for ever.
    t.timeout(30_000)
    const scratch = await open()
    try {
      await scratch.db.query('create table kept (id int primary key)')
      for (let i = 0; i < 3; i++) {
        await t.throwsAsync(
          scratch.db.transaction(async (tx) => {
            await tx.query(sql`insert into ${sql.id('kept')} (id) values (${1})`)
            throw new Error('work failed')
          }),
          { message: 'work failed' },
        )
      }
      const counts = await Promise.all([1, 2, 3].map(() => scratch.db.query<{ n: unknown }>('select count(*) as n from kept')))
      t.deepEqual(counts.map((result) => Number(result.rows[0]?.n)), [0, 0, 0])
    } finally {
      await scratch.drop()
    }
  })
}

test('pooled-database: a commit the server refuses is a coded error naming the connection, and the transaction is gone', async (t) => {
  const scratch = await scratchPostgres()
  try {
    await scratch.db.query('create table deferred (id int unique deferrable initially deferred)')
    const error = await t.throwsAsync(
      scratch.db.transaction(async (tx) => {
        await tx.query('insert into deferred values (1), (1)')
      }),
    )
    t.is((error as { code?: string }).code, 'ETL_ERR_DB_QUERY_FAILED')
    t.regex(error.message, /connection "warehouse".*\(23505\)\n {2}in: commit/s)
    t.deepEqual((await scratch.db.query('select count(*)::int as n from deferred')).rows, [{ n: 0 }])
  } finally {
    await scratch.drop()
  }
})
