import test from 'ava'
import { DIALECTS as REGISTERED, type DialectName } from '../../src/db/dialects.js'
import type { Sql } from '../../src/db/sql.js'
import type { SqlDialect } from '../../src/db/sql-dialect.js'
import { extractSql } from '../../src/etl/generators/extract-sql.js'
import { landingTableSql, storeTableSql, upsertStoreSql } from '../../src/etl/generators/table-sql.js'
import { parseMetadata } from '../../src/etl/table-metadata.js'
import { ORDER_LINES_COLUMNS } from './order-lines-columns.js'

// The generators need no connection: each registered dialect's SQL object writes its SQL (PGlite's
// is Postgres'). A new dialect fails to typecheck here until its SQL is pinned too.
const DIALECTS = Object.fromEntries(REGISTERED.map((definition) => [definition.name, definition.dialect])) as Record<DialectName, SqlDialect>

const [ORDER_LINES] = parseMetadata(
  {
    tables: [
      {
        table: 'order_lines',
        columns: ['order_no', 'order_line_no', 'quantity', 'updated_datetime', 'is_deleted'],
        where: [{ column: 'quantity', op: '>', value: 0 }],
        mode: 'incremental',
        watermark: 'updated_datetime',
        landing: 'landing.order_lines',
        store: 'store.order_lines',
        key: ['order_no', 'order_line_no'],
      },
    ],
  },
  'metadata/test.json',
)
const meta = ORDER_LINES!

const DESCRIBED = ORDER_LINES_COLUMNS

function compiled(dialect: SqlDialect, statement: Sql) {
  return dialect.compile(statement)
}

const EXTRACT: Record<DialectName, string> = {
  postgres:
    'select "order_no", "order_line_no", "quantity", "updated_datetime", "is_deleted", 7 as "exec_seq" from "order_lines" where "quantity" > $1 and "updated_datetime" > $2 and "updated_datetime" <= $3',
  pglite:
    'select "order_no", "order_line_no", "quantity", "updated_datetime", "is_deleted", 7 as "exec_seq" from "order_lines" where "quantity" > $1 and "updated_datetime" > $2 and "updated_datetime" <= $3',
  mysql:
    'select `order_no`, `order_line_no`, `quantity`, `updated_datetime`, `is_deleted`, 7 as `exec_seq` from `order_lines` where `quantity` > ? and `updated_datetime` > ? and `updated_datetime` <= ?',
  redshift:
    'select "order_no", "order_line_no", "quantity", "updated_datetime", "is_deleted", 7 as "exec_seq" from "order_lines" where "quantity" > :p1 and "updated_datetime" > :p2 and "updated_datetime" <= :p3',
}

for (const name of Object.keys(DIALECTS) as DialectName[]) {
  test(`generators: the ${name} extract reads the watermark window with bound parameters`, (t) => {
    const { text, values } = compiled(DIALECTS[name], extractSql(meta, 7, { start: '2024-01-01 00:00:00', end: '2024-01-02 00:00:00' }))
    t.is(text, EXTRACT[name])
    t.deepEqual(values, [0, '2024-01-01 00:00:00', '2024-01-02 00:00:00'])
  })
}

test('generators: the first extract has no start, and an empty source table reads nothing', (t) => {
  const first = compiled(DIALECTS.postgres, extractSql(meta, 1, { start: undefined, end: '2024-01-02 00:00:00' }))
  t.true(first.text.endsWith('where "quantity" > $1 and "updated_datetime" <= $2'))
  const empty = compiled(DIALECTS.postgres, extractSql(meta, 1, { start: undefined, end: undefined }))
  t.true(empty.text.endsWith('where "quantity" > $1 and 1 = 0'))
})

const LANDING: Record<DialectName, string> = {
  postgres:
    'create table if not exists "landing"."order_lines" (\n  "order_no" bigint,\n  "order_line_no" integer,\n  "quantity" integer,\n  "updated_datetime" timestamp(0) without time zone,\n  "is_deleted" boolean,\n  "exec_seq" bigint not null\n)',
  pglite:
    'create table if not exists "landing"."order_lines" (\n  "order_no" bigint,\n  "order_line_no" integer,\n  "quantity" integer,\n  "updated_datetime" timestamp(0) without time zone,\n  "is_deleted" boolean,\n  "exec_seq" bigint not null\n)',
  mysql:
    'create table if not exists `landing`.`order_lines` (\n  `order_no` bigint,\n  `order_line_no` int,\n  `quantity` int,\n  `updated_datetime` datetime(0),\n  `is_deleted` tinyint(1),\n  `exec_seq` bigint not null\n)',
  redshift:
    'create table if not exists "landing"."order_lines" (\n  "order_no" bigint,\n  "order_line_no" integer,\n  "quantity" integer,\n  "updated_datetime" timestamp,\n  "is_deleted" boolean,\n  "exec_seq" bigint not null\n)',
}

for (const name of Object.keys(DIALECTS) as DialectName[]) {
  test(`generators: the ${name} landing and store tables carry exec_seq, the store its unique key`, (t) => {
    const dialect = DIALECTS[name]
    t.is(landingTableSql(dialect, meta, DESCRIBED), LANDING[name])
    const store = storeTableSql(dialect, meta, DESCRIBED)
    const q = (id: string) => dialect.quoteIdentifier(id)
    t.true(store.startsWith(`create table if not exists ${q('store')}.${q('order_lines')} (\n  ${q('order_no')} bigint not null,`), store)
    t.true(store.endsWith(`  ${q('exec_seq')} bigint not null,\n  primary key (${q('order_no')}, ${q('order_line_no')})\n)`), store)
  })
}

const DEDUP = (q: (id: string) => string, p: string) =>
  `select ${q('order_no')}, ${q('order_line_no')}, ${q('quantity')}, ${q('updated_datetime')}, ${q('is_deleted')}, ${q('exec_seq')} from (select ${q('order_no')}, ${q('order_line_no')}, ${q('quantity')}, ${q('updated_datetime')}, ${q('is_deleted')}, ${q('exec_seq')}, row_number() over (partition by ${q('order_no')}, ${q('order_line_no')} order by ${q('updated_datetime')} desc) as etl_rn from ${q('landing')}.${q('order_lines')} where ${q('exec_seq')} = ${p}) d where etl_rn = 1`
const pg = (id: string) => `"${id}"`
const my = (id: string) => `\`${id}\``
const COLS_PG = '"order_no", "order_line_no", "quantity", "updated_datetime", "is_deleted", "exec_seq"'
const ON_CONFLICT = `insert into "store"."order_lines" (${COLS_PG}) select ${COLS_PG} from (${DEDUP(pg, '$1')}) r on conflict ("order_no", "order_line_no") do update set "quantity" = excluded."quantity", "updated_datetime" = excluded."updated_datetime", "is_deleted" = excluded."is_deleted", "exec_seq" = excluded."exec_seq"`
const UPSERT: Record<DialectName, string[]> = {
  postgres: [ON_CONFLICT],
  pglite: [ON_CONFLICT],
  mysql: [
    `insert into \`store\`.\`order_lines\` (${COLS_PG.replaceAll('"', '`')}) select ${COLS_PG.replaceAll('"', '`')} from (${DEDUP(my, '?')}) r on duplicate key update \`quantity\` = values(\`quantity\`), \`updated_datetime\` = values(\`updated_datetime\`), \`is_deleted\` = values(\`is_deleted\`), \`exec_seq\` = values(\`exec_seq\`)`,
  ],
  redshift: [
    `create temporary table "etl_upsert_order_lines" as select * from (${DEDUP(pg, ':p1')}) r`,
    'delete from "store"."order_lines" using "etl_upsert_order_lines" s where "store"."order_lines"."order_no" = s."order_no" and "store"."order_lines"."order_line_no" = s."order_line_no"',
    `insert into "store"."order_lines" (${COLS_PG}) select ${COLS_PG} from "etl_upsert_order_lines"`,
    'drop table "etl_upsert_order_lines"',
  ],
}

for (const name of Object.keys(DIALECTS) as DialectName[]) {
  test(`generators: the ${name} upsert keeps the newest landing row per key and matches on the key`, (t) => {
    const dialect = DIALECTS[name]
    const statements = upsertStoreSql(dialect, meta, 7).map((statement) => compiled(dialect, statement))
    t.deepEqual(
      statements.map((statement) => statement.text),
      UPSERT[name],
    )
    t.deepEqual(statements[0]!.values, [7])
  })
}
