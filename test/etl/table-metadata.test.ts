import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { EtlError } from 'etl'
import { loadMetadataDir, parseMetadata } from '../../src/etl/table-metadata.js'
import { tempDir } from '../helpers/sandbox.js'

const METADATA = fileURLToPath(new URL('../../metadata/orders/', import.meta.url))

const entry = (overrides: Record<string, unknown> = {}) => ({
  table: 'orders',
  columns: ['order_no', 'updated_datetime'],
  mode: 'incremental',
  watermark: 'updated_datetime',
  landing: 'landing.orders',
  store: 'store.orders',
  key: ['order_no'],
  ...overrides,
})

function refused(t: import('ava').ExecutionContext, overrides: Record<string, unknown>, pattern: RegExp) {
  const error = t.throws(() => parseMetadata({ tables: [entry(overrides)] }, 'metadata/shop.json'), { instanceOf: EtlError })
  t.is((error as EtlError).code, 'ETL_ERR_METADATA_INVALID')
  t.regex(error!.message, /^metadata\/shop\.json: table "[\w #]+", field "[\w.]+": bad value /)
  t.regex(error!.message, pattern)
}

test('metadata: the shipped dictionaries describe the six order tables', (t) => {
  const tables = loadMetadataDir(METADATA)
  t.deepEqual(
    tables.map((table) => table.table),
    ['companies', 'customers', 'products', 'product_prices', 'order_headers', 'order_lines'],
  )
  t.deepEqual(tables[5]!.key, ['order_no', 'order_line_no'])
})

test('metadata: an unknown column in the key is refused, naming the file, table, field, value and fix', (t) => {
  refused(t, { key: ['order_id'] }, /field "key": bad value "order_id": it is not one of the table's columns \(order_no, updated_datetime\); add it to "columns"/)
})

test('metadata: a duplicate column is refused', (t) => {
  refused(t, { columns: ['order_no', 'order_no', 'updated_datetime'] }, /field "columns": bad value "order_no": the column is listed twice/)
})

test('metadata: an incremental table without a watermark is refused', (t) => {
  refused(t, { watermark: undefined }, /field "watermark": bad value \(missing\): an incremental table needs a watermark column/)
})

test('metadata: a store table without a unique key is refused', (t) => {
  refused(t, { key: [] }, /field "key": bad value \[\]: the store table needs its unique key columns/)
})

test('metadata: a name that is not a plain identifier is refused, so nothing can inject SQL', (t) => {
  refused(t, { columns: ['order_no', 'x; drop table users --'] }, /field "columns": bad value "x; drop table users --": names must be plain identifiers/)
  refused(t, { store: 'store.orders"; drop' }, /field "store": bad value .*write "schema.table" with plain identifiers/)
  refused(t, { table: 'orders o' }, /field "table": bad value "orders o"/)
})

test('metadata: an unknown field and a bad where operator are refused; a full table needs no watermark', (t) => {
  refused(t, { wher: [] }, /field "wher": .*"wher" is not a dictionary field/)
  refused(t, { where: [{ column: 'order_no', op: 'like', value: '1%' }] }, /field "where.op": bad value "like": use one of =/)
  const [full] = parseMetadata({ tables: [entry({ mode: 'full', watermark: undefined })] }, 'metadata/shop.json')
  t.is(full!.mode, 'full')
  t.is(full!.watermark, undefined)
})

test('metadata: a table described in two files is refused', async (t) => {
  const dir = await tempDir()
  await fs.writeFile(path.join(dir, 'a.json'), JSON.stringify({ tables: [entry()] }))
  await fs.writeFile(path.join(dir, 'b.json'), JSON.stringify({ tables: [entry()] }))
  const error = t.throws(() => loadMetadataDir(dir))
  t.regex(error!.message, /b\.json: table "orders", field "table": .*already described in .*a\.json/)
})

test('metadata: the watermark fields default to warn, no fallback, no lookback, and hard deletes ignored', (t) => {
  const [meta] = parseMetadata({ tables: [entry()] }, 'metadata/shop.json')
  t.like(meta, { nullWatermark: 'warn', fallback: undefined, lookback: undefined, hardDeletes: 'ignore', reconcileEvery: undefined })
})

test('metadata: nullWatermark, fallback and lookback are read, a span to seconds', (t) => {
  const [meta] = parseMetadata({ tables: [entry({ columns: ['order_no', 'created_datetime', 'updated_datetime'], nullWatermark: 'error', fallback: 'created_datetime', lookback: '2 hours' })] }, 'metadata/shop.json')
  t.like(meta, { nullWatermark: 'error', fallback: 'created_datetime', lookback: { kind: 'interval', seconds: 7200, text: '2 hours' } })
  const [numeric] = parseMetadata({ tables: [entry({ lookback: 1000 })] }, 'metadata/shop.json')
  t.deepEqual(numeric!.lookback, { kind: 'number', amount: 1000 })
})

test('metadata: a bad nullWatermark, fallback or lookback is refused, naming the file, table, field, value and fix', (t) => {
  refused(t, { nullWatermark: 'skip' }, /field "nullWatermark": bad value "skip": use "warn" \(count and warn, the default\) or "error"/)
  refused(t, { fallback: 'created_datetime' }, /field "fallback": bad value "created_datetime": it is not one of the table's columns/)
  refused(t, { fallback: 'updated_datetime' }, /field "fallback": bad value "updated_datetime": the fallback is used where the watermark is NULL, so it must be another column/)
  refused(t, { lookback: '2 fortnights' }, /field "lookback": bad value "2 fortnights": write a span as a whole number and a unit, such as "30 minutes", "2 hours" or "1 day"/)
  refused(t, { lookback: -5 }, /field "lookback": bad value -5: give a number of at least 0/)
  refused(t, { mode: 'full', watermark: undefined, lookback: '1 day' }, /field "lookback": bad value "1 day": only an incremental table has a watermark/)
})

test('metadata: hardDeletes needs reconcileEvery on an incremental table, refuses it on a full one, and both are checked', (t) => {
  const [full] = parseMetadata({ tables: [entry({ mode: 'full', hardDeletes: 'flag' })] }, 'metadata/shop.json')
  t.like(full, { hardDeletes: 'flag', reconcileEvery: undefined })
  const [incremental] = parseMetadata({ tables: [entry({ hardDeletes: 'delete', reconcileEvery: 7 })] }, 'metadata/shop.json')
  t.like(incremental, { hardDeletes: 'delete', reconcileEvery: 7 })
  refused(t, { hardDeletes: 'invalidate' }, /field "hardDeletes": bad value "invalidate": use "ignore" \(the default\), "flag" .* or "delete"/)
  refused(t, { hardDeletes: 'flag' }, /field "reconcileEvery": bad value \(missing\): an incremental table finds hard deletes by reading the source's keys; say how often, e\.g\. "reconcileEvery": 7/)
  refused(t, { mode: 'full', hardDeletes: 'flag', reconcileEvery: 2 }, /field "reconcileEvery": bad value 2: a full table is reconciled by every sequence/)
  refused(t, { reconcileEvery: 2 }, /field "reconcileEvery": bad value 2: reconciling keys is for hard deletes; set "hardDeletes"/)
  refused(t, { hardDeletes: 'delete', reconcileEvery: 0 }, /field "reconcileEvery": bad value 0: give a whole number of sequences, at least 1/)
  refused(t, { hardDeletes: 'delete', reconcileEvery: 1, landing: `landing.${'x'.repeat(60)}` }, /field "landing": bad value "landing\.x+": the source's keys land in "x+_keys", which is longer than 63/)
})
