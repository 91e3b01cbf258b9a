import { Readable } from 'node:stream'
import test from 'ava'
import { sql } from '../../src/db/sql.js'
import { MARKER_TABLE, TableUpdateTarget } from '../../src/db/table-update-target.js'
import { SCRATCH_DATABASES } from '../helpers/databases.js'

for (const [dialect, open] of Object.entries(SCRATCH_DATABASES)) {
  test(`${dialect}: a marker-table target is written in the load's transaction and a rerun loads nothing twice`, async (t) => {
    const { db, drop } = await open()
    try {
      await db.query('create table landing_orders (id int)')
      const target = new TableUpdateTarget(db, 'landing_orders', 'LoadOrders_seq_1')
      t.false(await target.exists(), 'no marker table yet means not done')
      const load = () => target.commit((tx) => tx.bulkLoad('landing_orders', Readable.from(['id\n1\n2\n'])))
      const first = await load()
      t.deepEqual(first, { skipped: false, result: { rows: 2 } })
      t.true(await target.exists())
      t.deepEqual(await load(), { skipped: true })
      t.is((await db.query('select id from landing_orders')).rows.length, 2)
      const marker = await db.query(sql`select target_table, row_count from ${sql.id(MARKER_TABLE)} where update_id = ${'LoadOrders_seq_1'}`)
      t.deepEqual(marker.rows.map((row) => [row.target_table, String(row.row_count)]), [['landing_orders', '2']])
      t.is(target.toString(), `${db.name}:${MARKER_TABLE}[landing_orders LoadOrders_seq_1]`)
    } finally {
      await drop()
    }
  })

  test(`${dialect}: a load that fails leaves neither data nor marker, and removing the marker reruns the load`, async (t) => {
    const { db, drop } = await open()
    try {
      await db.query('create table landing_orders (id int)')
      const target = new TableUpdateTarget(db, 'landing_orders', 'seq_2')
      await t.throwsAsync(
        target.commit(async (tx) => {
          await tx.bulkLoad('landing_orders', Readable.from(['id\n1\n']))
          throw new Error('crashed after the load')
        }),
        { message: 'crashed after the load' },
      )
      t.false(await target.exists())
      t.is((await db.query('select id from landing_orders')).rows.length, 0)
      await target.commit((tx) => tx.bulkLoad('landing_orders', Readable.from(['id\n1\n'])))
      await target.remove()
      t.false(await target.exists())
      t.false((await target.commit(async () => ({ rows: 0 }))).skipped)
    } finally {
      await drop()
    }
  })
}
