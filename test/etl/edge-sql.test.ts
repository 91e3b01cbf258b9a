import test from 'ava'
import { extractSql, keysExtractSql, maxWatermarkSql, nullWatermarkCountSql } from '../../src/etl/generators/extract-sql.js'
import { hardDeleteSql } from '../../src/etl/generators/hard-delete-sql.js'
import { parseMetadata } from '../../src/etl/table-metadata.js'
import { testSql } from '../helpers/test-sql.js'

const [ORDERS] = parseMetadata(
  {
    tables: [
      { table: 'orders', columns: ['order_no', 'created_at', 'updated_at'], where: [{ column: 'order_no', op: '>', value: 0 }], watermark: 'updated_at', fallback: 'created_at', key: ['order_no'], hardDeletes: 'flag', reconcileEvery: 3 },
    ],
  },
  'metadata/test.json',
)
const meta = ORDERS!
const KEYS = { schema: 'landing', name: 'orders_keys' }

test('edge sql: with a fallback, the extract window and the end watermark compare coalesce(watermark, fallback), values bound', (t) => {
  testSql(t, () => [extractSql(meta, 6, { start: '2024-01-01', end: '2024-01-02' }), maxWatermarkSql(meta)!], {
    postgres: [
      { sql: 'select "order_no", "created_at", "updated_at", 6 as "exec_seq" from "orders" where "order_no" > $1 and coalesce("updated_at", "created_at") > $2 and coalesce("updated_at", "created_at") <= $3', parameters: [0, '2024-01-01', '2024-01-02'] },
      { sql: 'select max(coalesce("updated_at", "created_at")) as "wm" from "orders"', parameters: [] },
    ],
    mysql: [
      { sql: 'select `order_no`, `created_at`, `updated_at`, 6 as `exec_seq` from `orders` where `order_no` > ? and coalesce(`updated_at`, `created_at`) > ? and coalesce(`updated_at`, `created_at`) <= ?', parameters: [0, '2024-01-01', '2024-01-02'] },
      { sql: 'select max(coalesce(`updated_at`, `created_at`)) as `wm` from `orders`', parameters: [] },
    ],
    redshift: [
      { sql: 'select "order_no", "created_at", "updated_at", 6 as "exec_seq" from "orders" where "order_no" > :p1 and coalesce("updated_at", "created_at") > :p2 and coalesce("updated_at", "created_at") <= :p3', parameters: [0, '2024-01-01', '2024-01-02'] },
      { sql: 'select max(coalesce("updated_at", "created_at")) as "wm" from "orders"', parameters: [] },
    ],
  })
})

test("edge sql: the NULL-watermark count and the key extract keep the dictionary's conditions", (t) => {
  testSql(t, () => [nullWatermarkCountSql(meta)!, keysExtractSql(meta, 6)], {
    postgres: [
      { sql: 'select count(*) as "n" from "orders" where "order_no" > $1 and coalesce("updated_at", "created_at") is null', parameters: [0] },
      { sql: 'select "order_no", 6 as "exec_seq" from "orders" where "order_no" > $1', parameters: [0] },
    ],
    mysql: [
      { sql: 'select count(*) as `n` from `orders` where `order_no` > ? and coalesce(`updated_at`, `created_at`) is null', parameters: [0] },
      { sql: 'select `order_no`, 6 as `exec_seq` from `orders` where `order_no` > ?', parameters: [0] },
    ],
    redshift: [
      { sql: 'select count(*) as "n" from "orders" where "order_no" > :p1 and coalesce("updated_at", "created_at") is null', parameters: [0] },
      { sql: 'select "order_no", 6 as "exec_seq" from "orders" where "order_no" > :p1', parameters: [0] },
    ],
  })
})

test('edge sql: a reconciliation clears the keys back, then flags the keys gone that are not flagged yet; "delete" removes them', (t) => {
  const present = (q: (name: string) => string, p: (i: number) => string) =>
    `exists (select 1 from ${q('landing')}.${q('orders_keys')} a where a.${q('exec_seq')} = ${p(1)} and a.${q('order_no')} = ${q('store')}.${q('orders')}.${q('order_no')})`
  const pinned = (q: (name: string) => string, p: (i: number) => string) => [
    { sql: `update ${q('store')}.${q('orders')} set ${q('etl_deleted_at_seq')} = null where ${q('etl_deleted_at_seq')} is not null and ${present(q, p)}`, parameters: [6] },
    { sql: `update ${q('store')}.${q('orders')} set ${q('etl_deleted_at_seq')} = ${p(1)} where ${q('etl_deleted_at_seq')} is null and not ${present(q, (i) => p(i + 1))}`, parameters: [6, 6] },
    { sql: `delete from ${q('store')}.${q('orders')} where not ${present(q, p)}`, parameters: [6] },
  ]
  const quoted = (name: string) => `"${name}"`
  testSql(t, () => [...hardDeleteSql(meta, 6, KEYS).flag!, hardDeleteSql({ ...meta, hardDeletes: 'delete' }, 6, KEYS).remove!], {
    postgres: pinned(quoted, (i) => `$${i}`),
    mysql: pinned((name) => `\`${name}\``, () => '?'),
    redshift: pinned(quoted, (i) => `:p${i}`),
  })
})
