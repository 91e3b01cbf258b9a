import test from 'ava'
import type { ColumnDescription } from '../../src/db/column-type.js'
import { postgresDialect } from '../../src/db/postgres/postgres-dialect.js'
import { sql, type Sql } from '../../src/db/sql.js'
import type { IndexStatements, SqlDialect } from '../../src/db/sql-dialect.js'
import { SQL_DIALECTS, testSql } from '../helpers/test-sql.js'

const COLUMNS: ColumnDescription[] = [
  { name: 'id', nativeType: 'bigint', type: { kind: 'integer', bits: 64 }, nullable: false },
  { name: 'name', nativeType: 'varchar(40)', type: { kind: 'string', length: 40 }, nullable: true },
  { name: 'price', nativeType: 'numeric(12,2)', type: { kind: 'decimal', precision: 12, scale: 2 }, nullable: true },
  { name: 'is_deleted', nativeType: 'boolean', type: { kind: 'boolean' }, nullable: false },
  { name: 'updated_at', nativeType: 'timestamp(3)', type: { kind: 'timestamp', precision: 3, withTimeZone: false }, nullable: true },
]

test('sql-dialect: a template compiles to each dialect’s placeholders and quoting, NULL inline only where it cannot be bound', (t) => {
  testSql(t, () => sql`select * from ${sql.table('store.orders')} where id = ${42} and note is not distinct from ${null} and ${sql.id('weird"na`me')} > ${'2024-01-01'}`, {
    postgres: { sql: 'select * from "store"."orders" where id = $1 and note is not distinct from $2 and "weird""na`me" > $3', parameters: [42, null, '2024-01-01'] },
    mysql: { sql: 'select * from `store`.`orders` where id = ? and note is not distinct from ? and `weird"na``me` > ?', parameters: [42, null, '2024-01-01'] },
    redshift: { sql: 'select * from "store"."orders" where id = :p1 and note is not distinct from null and "weird""na`me" > :p2', parameters: [42, '2024-01-01'] },
  })
})

test('sql-dialect: plain text and its params pass through compile unchanged', (t) => {
  for (const dialect of Object.values(SQL_DIALECTS)) t.deepEqual(dialect.compile('select ?', [1]), { text: 'select ?', values: [1] })
})

test('sql-dialect: createTableSql writes each dialect’s types, not null and if not exists', (t) => {
  const create = Object.fromEntries(Object.entries(SQL_DIALECTS).map(([name, dialect]) => [name, dialect.createTableSql('landing.products', COLUMNS, { ifNotExists: true })]))
  t.deepEqual(create, {
    postgres:
      'create table if not exists "landing"."products" (\n  "id" bigint not null,\n  "name" character varying(40),\n  "price" numeric(12,2),\n  "is_deleted" boolean not null,\n  "updated_at" timestamp(3) without time zone\n)',
    mysql: 'create table if not exists `landing`.`products` (\n  `id` bigint not null,\n  `name` varchar(40),\n  `price` decimal(12,2),\n  `is_deleted` tinyint(1) not null,\n  `updated_at` datetime(3)\n)',
    redshift:
      'create table if not exists "landing"."products" (\n  "id" bigint not null,\n  "name" varchar(160),\n  "price" numeric(12,2),\n  "is_deleted" boolean not null,\n  "updated_at" timestamp\n)',
  })
  t.is(postgresDialect.createTableSql('t', COLUMNS.slice(0, 1)), 'create table "t" (\n  "id" bigint not null\n)')
})

/** An index's statements compiled, with the lookup's line breaks folded so it reads on one line. */
function pinnedIndex(dialect: SqlDialect, index: IndexStatements | undefined) {
  if (index === undefined) return undefined
  const pin = (statement: Sql) => {
    const { text, values } = dialect.compile(statement)
    return { sql: text.replace(/\s+/g, ' ').trim(), parameters: values }
  }
  return { ...(index.exists ? { exists: pin(index.exists) } : {}), create: pin(index.create) }
}

test('sql-dialect: ensureIndex creates the index if it is missing, looks it up first on MySQL, and does nothing on Redshift', (t) => {
  const index = (table: string) => Object.fromEntries(Object.entries(SQL_DIALECTS).map(([name, dialect]) => [name, pinnedIndex(dialect, dialect.ensureIndexSql(table, ['exec_seq']))]))
  t.deepEqual(index('landing.orders'), {
    postgres: { create: { sql: 'create index if not exists "orders_exec_seq_idx" on "landing"."orders" ("exec_seq")', parameters: [] } },
    mysql: {
      exists: { sql: 'select 1 as found from information_schema.statistics where table_schema = ? and table_name = ? and index_name = ? limit 1', parameters: ['landing', 'orders', 'orders_exec_seq_idx'] },
      create: { sql: 'create index `orders_exec_seq_idx` on `landing`.`orders` (`exec_seq`)', parameters: [] },
    },
    redshift: undefined,
  })
  t.deepEqual(index('orders').mysql?.exists, {
    sql: 'select 1 as found from information_schema.statistics where table_schema = database() and table_name = ? and index_name = ? limit 1',
    parameters: ['orders', 'orders_exec_seq_idx'],
  })
})

test('sql-dialect: the upsert is ON CONFLICT on Postgres, ON DUPLICATE KEY on MySQL, delete + insert on Redshift', (t) => {
  const rows = sql`select id, name from staged where batch = ${3}`
  testSql(t, (dialect) => dialect.upsertSql({ target: 'store.products', columns: ['id', 'name'], key: ['id'], rows }), {
    postgres: [
      {
        sql: 'insert into "store"."products" ("id", "name") select "id", "name" from (select id, name from staged where batch = $1) r on conflict ("id") do update set "name" = excluded."name"',
        parameters: [3],
      },
    ],
    mysql: [
      { sql: 'insert into `store`.`products` (`id`, `name`) select `id`, `name` from (select id, name from staged where batch = ?) r on duplicate key update `name` = values(`name`)', parameters: [3] },
    ],
    redshift: [
      { sql: 'create temporary table "etl_upsert_products" as select * from (select id, name from staged where batch = :p1) r', parameters: [3] },
      { sql: 'delete from "store"."products" using "etl_upsert_products" s where "store"."products"."id" = s."id"', parameters: [] },
      { sql: 'insert into "store"."products" ("id", "name") select "id", "name" from "etl_upsert_products"', parameters: [] },
      { sql: 'drop table "etl_upsert_products"', parameters: [] },
    ],
  })
})

test('sql-dialect: an upsert of key columns only leaves existing rows as they are', (t) => {
  const rows = sql`select id from staged`
  testSql(t, (dialect) => dialect.upsertSql({ target: 'tags', columns: ['id'], key: ['id'], rows }), {
    postgres: [{ sql: 'insert into "tags" ("id") select "id" from (select id from staged) r on conflict ("id") do nothing', parameters: [] }],
    mysql: [{ sql: 'insert into `tags` (`id`) select `id` from (select id from staged) r on duplicate key update `id` = values(`id`)', parameters: [] }],
    redshift: [
      { sql: 'create temporary table "etl_upsert_tags" as select * from (select id from staged) r', parameters: [] },
      { sql: 'delete from "tags" using "etl_upsert_tags" s where "tags"."id" = s."id"', parameters: [] },
      { sql: 'insert into "tags" ("id") select "id" from "etl_upsert_tags"', parameters: [] },
      { sql: 'drop table "etl_upsert_tags"', parameters: [] },
    ],
  })
})

test('sql-dialect: Postgres writes values as literals for statements that cannot take parameters', (t) => {
  const compiled = postgresDialect.compileInline(sql`select ${1}, ${"O'Brien"}, ${'a\\b'}, ${null}, ${true}, ${new Uint8Array([0xde, 0xad])}, ${new Date('2024-02-29T23:59:59.123Z')} from ${sql.id('t')}`)
  t.deepEqual(compiled, { text: `select 1, 'O''Brien', E'a\\\\b', null, true, '\\xdead'::bytea, '2024-02-29T23:59:59.123Z' from "t"`, values: [] })
})

test('sql-dialect: only MySQL commits DDL implicitly, only Redshift copies from S3', (t) => {
  const capabilities = Object.fromEntries(Object.entries(SQL_DIALECTS).map(([name, dialect]) => [name, dialect.capabilities]))
  t.deepEqual(capabilities, {
    postgres: { copyFromS3: false, transactionalDdl: true },
    mysql: { copyFromS3: false, transactionalDdl: false },
    redshift: { copyFromS3: true, transactionalDdl: true },
  })
})

test('sql-dialect: the dialect objects are frozen', (t) => {
  for (const dialect of Object.values(SQL_DIALECTS)) t.true(Object.isFrozen(dialect))
})
