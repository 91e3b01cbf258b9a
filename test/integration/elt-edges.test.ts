import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { sql } from '../../src/db/sql.js'
import { edgesProject, rowsOf } from './elt-edges-helpers.js'

const ORDERS = { table: 'orders', columns: ['id', 'amount', 'created_at', 'updated_at'], watermark: 'updated_at', key: ['id'] }
/** A full table beside, whose deletes the store follows. */
const REGIONS = { table: 'regions', columns: ['region_id', 'name'], mode: 'full', key: ['region_id'], hardDeletes: 'flag' }

test('elt edges: on a MariaDB source, rows whose watermark is NULL are counted, warned about, refused with "error", and extracted by a "fallback"', async (t) => {
  const p = await edgesProject(t, 'mysql')
  await p.source.query('create table orders (id int primary key, amount int, created_at datetime not null, updated_at datetime null)')
  await p.source.query(`insert into orders values (1, 10, '2024-01-01 08:00:00', '2024-01-02 09:00:00'), (2, 20, '2024-01-01 08:00:00', '2024-01-02 10:00:00'),
    (3, 30, '2024-01-01 08:00:00', '2024-01-02 11:00:00'), (4, 40, '2024-01-03 08:00:00', null), (5, 50, '2024-01-03 09:00:00', null)`)
  await p.dictionary([ORDERS])

  // The two rows without a watermark are not extracted, and the run says so.
  const first = await p.run()
  t.is(first.code, 0, first.stdout + first.stderr)
  t.regex(first.stdout, /✓ EdgeLand\(table=orders\) .* rows=3 nullWatermark=2 /)
  t.regex(first.stdout, /✓ EdgeFinish\(\) .* nullWatermark=\{"orders":2\}/)
  t.regex(first.stdout + first.stderr, /2 rows of "orders" will not be extracted: "updated_at" is NULL there; set "fallback": "<column>" in .*edges\.json/)
  t.is(Number((await p.control(1, 'orders')).null_watermark_rows), 0 + 2)
  t.is((await rowsOf(p.warehouse, { schema: 'store', name: 'orders' }, ['id'], ['id'])).length, 3)

  // "error": the next sequence stops before anything is extracted, naming the table, the count and the fix.
  await p.source.query("update orders set amount = 31, updated_at = '2024-01-02 12:00:00' where id = 3")
  await p.dictionary([{ ...ORDERS, nullWatermark: 'error' }])
  const refused = await p.run()
  t.is(refused.code, 3, refused.stdout + refused.stderr)
  t.regex(refused.stdout, /✗ EdgeStart\(\)[^\n]*\n\s+.*edges\.json: table "orders" \("nullWatermark": "error"\): 2 rows of "orders" have NULL where "updated_at" is, so no sequence would extract them; set "fallback": "<column>"/)
  t.notRegex(refused.stdout, /EdgeLand\(table=orders\) .* rows=/)
  t.is(await p.latest(), '1:COMPLETE', 'no sequence was opened')

  // A fallback: the window compares coalesce(updated_at, created_at), in the extract and the end watermark alike.
  await p.dictionary([{ ...ORDERS, nullWatermark: 'error', fallback: 'created_at' }])
  const fallback = await p.run()
  t.is(fallback.code, 0, fallback.stdout + fallback.stderr)
  t.regex(fallback.stdout, /✓ EdgeLand\(table=orders\) .* rows=3 nullWatermark=0 /)
  t.is((await p.control(2, 'orders')).end_watermark, '2024-01-03 09:00:00')
  t.deepEqual(await rowsOf(p.warehouse, { schema: 'store', name: 'orders' }, ['id', 'amount'], ['id']), ['1|10', '2|20', '3|31', '4|40', '5|50'])
})

test('elt edges: a full table with "hardDeletes": "flag" flags the keys gone from the source with the sequence, once, and clears the flag when a key comes back', async (t) => {
  const p = await edgesProject(t, 'mysql')
  await p.source.query('create table orders (id int primary key, amount int, created_at datetime not null, updated_at datetime null)')
  await p.source.query("insert into orders values (1, 10, '2024-01-01 08:00:00', '2024-01-02 09:00:00')")
  await p.source.query('create table regions (region_id int primary key, name varchar(20))')
  await p.source.query("insert into regions values (1, 'north'), (2, 'south'), (3, 'east')")
  await p.dictionary([ORDERS, REGIONS])
  t.is((await p.run()).code, 0)

  const flagsOf = async () => rowsOf(p.warehouse, { schema: 'store', name: 'regions' }, ['region_id', 'etl_deleted_at_seq'], ['region_id'])
  t.deepEqual(await flagsOf(), ['1|NULL', '2|NULL', '3|NULL'])
  const advance = (amount: number, at: string) => p.source.query('update orders set amount = ?, updated_at = ? where id = 1', [amount, at])

  await p.source.query('delete from regions where region_id = 2')
  await advance(11, '2024-01-03 09:00:00')
  const second = await p.run()
  t.is(second.code, 0, second.stdout + second.stderr)
  t.deepEqual(await flagsOf(), ['1|NULL', '2|2', '3|NULL'], 'the deleted key is flagged by the sequence that found it gone')
  t.regex(second.stdout, /✓ EdgeFinish\(\) .* flagged=\{"regions":1\}/)
  t.is(Number((await p.control(2, 'regions')).flagged_rows), 1)

  // The store step run again for the same sequence flags nothing twice and counts the same.
  await fs.rm(path.join(p.cwd, 'output', 'EdgeStore'), { recursive: true })
  const rerun = await p.run()
  t.is(rerun.code, 0, rerun.stdout + rerun.stderr)
  t.regex(rerun.stdout, /✓ EdgeStore\(\)/)
  t.is(Number((await p.control(2, 'regions')).flagged_rows), 1)

  // Sequence 3 keeps the flag of a key still gone; sequence 4 clears it once the key is back.
  await advance(12, '2024-01-04 09:00:00')
  t.is((await p.run()).code, 0)
  t.deepEqual(await flagsOf(), ['1|NULL', '2|2', '3|NULL'])
  t.is(Number((await p.control(3, 'regions')).flagged_rows), 0)
  await p.source.query("insert into regions values (2, 'south again')")
  await advance(13, '2024-01-05 09:00:00')
  t.is((await p.run()).code, 0)
  t.deepEqual(await rowsOf(p.warehouse, { schema: 'store', name: 'regions' }, ['region_id', 'name', 'etl_deleted_at_seq'], ['region_id']), ['1|north|NULL', '2|south again|NULL', '3|east|NULL'])
})

test('elt edges: an incremental table with "hardDeletes": "delete" reconciles its keys every "reconcileEvery" sequences through the lake, and a rerun never counts a delete twice', async (t) => {
  const p = await edgesProject(t, 'postgres')
  await p.source.query('create table orders (id bigint primary key, amount int, created_at timestamp not null, updated_at timestamp)')
  await p.source.query("insert into orders values (1, 10, '2024-01-01', '2024-01-02 09:00'), (2, 20, '2024-01-01', '2024-01-02 10:00'), (3, 30, '2024-01-01', '2024-01-02 11:00')")
  await p.dictionary([{ ...ORDERS, hardDeletes: 'delete', reconcileEvery: 2 }])
  t.is((await p.run()).code, 0)
  const stored = () => rowsOf(p.warehouse, { schema: 'store', name: 'orders' }, ['id', 'amount'], ['id'])

  await p.source.query('delete from orders where id = 2')
  await p.source.query("update orders set amount = 31, updated_at = '2024-01-03 09:00' where id = 3")
  const second = await p.run()
  t.is(second.code, 0, second.stdout + second.stderr)
  t.regex(second.stdout, /✓ EdgeLand\(table=orders\) .* rows=1 nullWatermark=0 keys=2 /)
  t.deepEqual(await stored(), ['1|10', '3|31'])
  t.is(Number((await p.control(2, 'orders')).deleted_rows), 1)
  t.is(Number((await p.control(2, 'orders')).reconciled_keys), 2)
  t.regex(second.stdout, /deleted=\{"orders":1\}/)
  await fs.access(path.join(p.cwd, 'lake', 'landing', 'orders', 'exec_seq=2', 'keys-0000.csv')).then(
    () => t.pass(),
    async () => t.fail(`no keys file in the lake: ${JSON.stringify(await fs.readdir(p.cwd, { recursive: true }))}`),
  )

  await fs.rm(path.join(p.cwd, 'output', 'EdgeStore'), { recursive: true })
  t.is((await p.run()).code, 0)
  t.is(Number((await p.control(2, 'orders')).deleted_rows), 1, 'the rerun deleted nothing more and counted nothing more')

  // Sequence 3 does not reconcile: a delete waits for sequence 4.
  await p.source.query('delete from orders where id = 1')
  await p.source.query("update orders set amount = 32, updated_at = '2024-01-04 09:00' where id = 3")
  t.is((await p.run()).code, 0)
  t.deepEqual(await stored(), ['1|10', '3|32'])
  await p.source.query("update orders set amount = 33, updated_at = '2024-01-05 09:00' where id = 3")
  t.is((await p.run()).code, 0)
  t.deepEqual(await stored(), ['3|33'])
  t.is(Number((await p.control(4, 'orders')).deleted_rows), 1)
})

test('elt edges: a "lookback" re-reads the overlap with the previous window, so a row committed late with an older watermark reaches store, and the counts say what was re-read and what changed', async (t) => {
  const p = await edgesProject(t, 'postgres')
  await p.source.query('create table orders (id int primary key, amount int, created_at timestamp(3) not null, updated_at timestamp(3))')
  await p.source.query(`insert into orders values (1, 10, '2024-01-01', '2024-01-02 09:00:00.250'), (2, 20, '2024-01-01', '2024-01-02 10:30:00.500'),
    (3, 30, '2024-01-01', '2024-01-02 11:00:00.750')`)
  await p.dictionary([{ ...ORDERS, lookback: '1 hour' }])
  t.is((await p.run()).code, 0)
  t.is((await p.control(1, 'orders')).end_watermark, '2024-01-02 11:00:00.75')

  // Committed after sequence 1 read its window, with a watermark inside it; and a new row.
  await p.source.query("insert into orders values (4, 40, '2024-01-01', '2024-01-02 10:45:00.125'), (5, 50, '2024-01-01', '2024-01-02 12:00:00')")
  const second = await p.run()
  t.is(second.code, 0, second.stdout + second.stderr)
  t.is((await p.control(2, 'orders')).start_watermark, '2024-01-02 10:00:00.75')
  t.deepEqual(await rowsOf(p.warehouse, { schema: 'store', name: 'orders' }, ['id'], ['id']), ['1', '2', '3', '4', '5'])
  const counts = await p.control(2, 'orders')
  t.is(Number(counts.reread_rows), 3, 'rows 2, 3 and the late 4 are in the overlap')
  t.is(Number(counts.changed_rows), 1, 'only the late row was new')
  t.regex(second.stdout, /✓ EdgeFinish\(\) .* reread=\{"orders":3\} changed=\{"orders":1\}/)
  t.is(Number((await p.warehouse.query(sql`select count(*) as n from store.orders`)).rows[0]!.n), 5, 'the overlap upserted no duplicate')

  // A number is no lookback for a time watermark: refused before the sequence opens.
  await p.source.query("insert into orders values (6, 60, '2024-01-01', '2024-01-02 13:00:00')")
  await p.dictionary([{ ...ORDERS, lookback: 5 }])
  const refused = await p.run()
  t.is(refused.code, 3, refused.stdout + refused.stderr)
  t.regex(refused.stdout, /edges\.json: table "orders", field "lookback": bad value 5: the watermark "updated_at" is timestamp(?:\(3\))? without time zone; give a span of time such as "2 hours"/)
  t.is(await p.latest(), '2:COMPLETE')
})
