import test from 'ava'
import type { ColumnDescription } from '../../src/db/column-type.js'
import { mysqlColumnType, mysqlNativeType } from '../../src/db/mysql/mysql-types.js'
import { postgresNativeType } from '../../src/db/postgres/postgres-types.js'
import { RedshiftDatabase } from '../../src/db/redshift/redshift-database.js'
import { redshiftDialect } from '../../src/db/redshift/redshift-dialect.js'
import { redshiftNativeType } from '../../src/db/redshift/redshift-types.js'

/** MySQL source type → (Postgres landing type, Redshift landing type). */
const MYSQL_TO_LANDING: [string, string, string][] = [
  ['tinyint(1)', 'boolean', 'boolean'],
  ['tinyint(4)', 'smallint', 'smallint'],
  ['smallint(5) unsigned', 'integer', 'integer'],
  ['mediumint(9)', 'integer', 'integer'],
  ['int(11)', 'integer', 'integer'],
  ['int(10) unsigned', 'bigint', 'bigint'],
  ['bigint(20)', 'bigint', 'bigint'],
  ['bigint(20) unsigned', 'numeric(20,0)', 'numeric(20,0)'],
  ['decimal(12,2)', 'numeric(12,2)', 'numeric(12,2)'],
  ['float', 'real', 'real'],
  ['double', 'double precision', 'double precision'],
  ['char(2)', 'character(2)', 'varchar(8)'],
  ['varchar(40)', 'character varying(40)', 'varchar(160)'],
  ['text', 'text', 'varchar(65535)'],
  ["enum('new','shipped')", 'character varying(7)', 'varchar(28)'],
  ['date', 'date', 'date'],
  ['time', 'time(0)', 'time'],
  ['datetime', 'timestamp(0) without time zone', 'timestamp'],
  ['datetime(6)', 'timestamp(6) without time zone', 'timestamp'],
  ['timestamp', 'timestamp(0) without time zone', 'timestamp'],
  ['year(4)', 'smallint', 'smallint'],
  ['json', 'jsonb', 'varchar(65535)'],
  ['blob', 'bytea', 'cannot'],
]

for (const [mysql, postgres, redshift] of MYSQL_TO_LANDING) {
  test(`type mapping: mysql ${mysql} lands as ${postgres} on postgres and ${redshift} on redshift`, (t) => {
    const type = mysqlColumnType(mysql)
    t.is(postgresNativeType(type), postgres)
    const onRedshift = redshiftNativeType(type)
    if (redshift === 'cannot') t.is(typeof onRedshift, 'object')
    else t.is(onRedshift, redshift)
  })
}

test('type mapping: postgres types land on mysql and redshift without losing precision', (t) => {
  t.is(mysqlNativeType({ kind: 'decimal', precision: 18, scale: 6 }), 'decimal(18,6)')
  t.is(mysqlNativeType({ kind: 'timestamp', precision: 3, withTimeZone: false }), 'datetime(3)')
  t.is(mysqlNativeType({ kind: 'string', length: 100_000 }), 'longtext')
  t.is(redshiftNativeType({ kind: 'timestamp', precision: 6, withTimeZone: true }), 'timestamptz')
  t.is(redshiftNativeType({ kind: 'uuid' }), 'varchar(36)')
})

const UNMAPPABLE: ColumnDescription[] = [
  { name: 'id', nativeType: 'int(11)', type: mysqlColumnType('int(11)'), nullable: false },
  { name: 'total', nativeType: 'decimal(65,30)', type: mysqlColumnType('decimal(65,30)'), nullable: true },
]

test('type mapping: a type that cannot be mapped is an error naming the table, the column and the fix', (t) => {
  const error = t.throws(() => redshiftDialect.createTableSql('landing.orders', UNMAPPABLE))
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_TYPE_UNMAPPABLE')
  t.regex(error.message, /"landing\.orders" on redshift: column "total" has type decimal\(65,30\).*over Redshift's 38; cast it/)
  const geometry = t.throws(() => redshiftDialect.createTableSql('x', [{ name: 'g', nativeType: 'geometry', type: mysqlColumnType('geometry'), nullable: true }]))
  t.regex(geometry.message, /column "g" has type geometry/)
})

test('type mapping: a database names its connection in that error', (t) => {
  // Connects nothing: the connection is only named.
  const redshift = new RedshiftDatabase('warehouse', { dialect: 'redshift', database: 'dev', workgroupName: 'etl' })
  const error = t.throws(() => redshift.createTableSql('landing.orders', UNMAPPABLE))
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_TYPE_UNMAPPABLE')
  t.regex(error.message, /"landing\.orders" on connection "warehouse" \(redshift workgroup etl\/dev\).*column "total" has type decimal\(65,30\).*over Redshift's 38; cast it/)
})

test('type mapping: a landing table for redshift is created from a described mysql table', (t) => {
  const columns: ColumnDescription[] = ['int(11)', 'varchar(40)', 'decimal(12,2)', 'tinyint(1)', 'datetime'].map((nativeType, i) => ({
    name: ['id', 'name', 'price', 'is_deleted', 'updated_at'][i]!,
    nativeType,
    type: mysqlColumnType(nativeType),
    nullable: i > 0,
  }))
  t.is(
    redshiftDialect.createTableSql('landing.products', columns, { ifNotExists: true }),
    'create table if not exists "landing"."products" (\n  "id" integer not null,\n  "name" varchar(160),\n  "price" numeric(12,2),\n  "is_deleted" boolean,\n  "updated_at" timestamp\n)',
  )
})
