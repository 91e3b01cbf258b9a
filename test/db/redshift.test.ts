import { Readable } from 'node:stream'
import test from 'ava'
import pg from 'pg'
import { DataServices } from '../../src/db/data-services.js'
import { redshiftCopySql, redshiftUnloadSql } from '../../src/db/redshift/redshift-copy-sql.js'
import type { RedshiftConnectionConfig } from '../../src/db/redshift/redshift-config.js'
import { RedshiftDatabase } from '../../src/db/redshift/redshift-database.js'
import { exactLongValues } from '../../src/db/redshift/redshift-long-values.js'
import { redshiftDialect } from '../../src/db/redshift/redshift-dialect.js'
import { sql } from '../../src/db/sql.js'
import { S3Storage } from '../../src/lake/s3-storage.js'
import { TableUpdateTarget } from '../../src/db/table-update-target.js'
import { POSTGRES, randomName } from '../helpers/databases.js'
import { RedshiftDataApiServer } from '../helpers/redshift-data-api-server.js'
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js'

test('redshift: COPY from S3 with an IAM role is pinned', (t) => {
  t.is(
    redshiftCopySql({ table: '"landing"."orders"', columns: ['"id"', '"name"'], uri: 's3://lake/landing/orders/seq=3/orders.csv', auth: { iamRole: 'arn:aws:iam::123456789012:role/copy' }, header: true }),
    [
      `copy "landing"."orders" ("id", "name")`,
      `from 's3://lake/landing/orders/seq=3/orders.csv'`,
      `iam_role 'arn:aws:iam::123456789012:role/copy'`,
      `format as csv`,
      `ignoreheader 1`,
      `emptyasnull`,
      `compupdate off statupdate off`,
    ].join('\n'),
  )
})

test("redshift: UNLOAD of a query to S3 as one CSV with a header is pinned, the query's quotes doubled", (t) => {
  t.is(
    redshiftUnloadSql({ query: "select team from support_dw.d_analysts where team <> 'Unknown'", uri: 's3://lake/etl/reports/seq=2/team_', auth: { iamRole: 'arn:aws:iam::123456789012:role/copy' } }),
    [
      `unload ('select team from support_dw.d_analysts where team <> ''Unknown''')`,
      `to 's3://lake/etl/reports/seq=2/team_'`,
      `iam_role 'arn:aws:iam::123456789012:role/copy'`,
      `format csv`,
      `header`,
      `parallel off`,
      `allowoverwrite`,
      `extension 'csv'`,
    ].join('\n'),
  )
})

test('redshift: COPY from S3 with access keys and a bucket region is pinned', (t) => {
  t.is(
    redshiftCopySql({ table: '"t"', columns: ['"a"'], uri: "s3://b/it's.csv", auth: { accessKeyId: 'AKIA', secretAccessKey: 'sec', sessionToken: 'tok' }, header: false, region: 'eu-west-1' }),
    `copy "t" ("a")\nfrom 's3://b/it''s.csv'\naccess_key_id 'AKIA' secret_access_key 'sec' session_token 'tok'\nformat as csv\nemptyasnull\nregion 'eu-west-1'\ncompupdate off statupdate off`,
  )
})

test('redshift: sql templates compile to :p placeholders, with NULL written inline because the Data API cannot bind it', (t) => {
  const compiled = redshiftDialect.compile(sql`select * from ${sql.id('store', 'orders')} where id = ${42} and note is not distinct from ${null} and day > ${'2024-01-01'}`)
  t.deepEqual(compiled, { text: 'select * from "store"."orders" where id = :p1 and note is not distinct from null and day > :p2', values: [42, '2024-01-01'] })
})

test('redshift: result longs past 2^53 are rewritten as text before JSON parsing, smaller ones and text values are left alone', (t) => {
  const page = '{"Records":[[{"longValue":9007199254740993},{"longValue": -9223372036854775808 },{"longValue":9007199254740991},{"longValue":-42},{"stringValue":"{\\"longValue\\":9007199254740993}"}]]}'
  t.is(
    exactLongValues(page),
    '{"Records":[[{"stringValue":"9007199254740993"},{"stringValue":"-9223372036854775808"},{"longValue":9007199254740991},{"longValue":-42},{"stringValue":"{\\"longValue\\":9007199254740993}"}]]}',
  )
})

let s3: S3TestServer
let server: RedshiftDataApiServer
let endpoint: string
let schema: string
let config: RedshiftConnectionConfig
const admin = new pg.Client(POSTGRES)

test.before(async () => {
  s3 = await startS3Server()
  const lake = await s3.lake('redshift-lake')
  schema = randomName('etl_rs')
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  server = new RedshiftDataApiServer({ ...POSTGRES, options: `-c search_path=${schema}` }, { endpoint: lake.endpoint!, accessKeyId: lake.accessKeyId!, secretAccessKey: lake.secretAccessKey! })
  endpoint = await server.start()
  config = {
    dialect: 'redshift',
    database: 'dev',
    workgroupName: 'etl',
    region: 'us-east-1',
    endpoint,
    accessKeyId: 'test',
    secretAccessKey: 'data-api-secret',
    iamRole: 'arn:aws:iam::123456789012:role/copy',
    pollIntervalMs: 5,
  }
})

test.after.always(async () => {
  await server?.stop()
  await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined)
  await admin.end()
  await s3?.stop()
})

test.serial('redshift: statements run through the Data API, polling until done and paging through results', async (t) => {
  const db = new RedshiftDatabase('warehouse', config)
  await db.query('create table numbers (n bigint, label varchar(20))')
  await db.query(sql`insert into numbers select g, ${'n'} || g from generate_series(1, ${10}) g`)
  const { rows, rowCount } = await db.query<{ n: string; label: string }>(sql`select n, label from numbers where n <= ${7} order by n`)
  t.is(rowCount, 7, 'seven rows across three pages')
  t.deepEqual(rows[6], { n: '7', label: 'n7' })
  const streamed: unknown[] = []
  for await (const row of db.stream(sql`select n from numbers where n > ${5} order by n`)) streamed.push(row)
  t.is(streamed.length, 5)
  t.deepEqual((await db.describeTable('numbers')).columns.map((column) => [column.name, column.nativeType]), [['n', 'bigint'], ['label', 'character varying(20)']])
  await db.close()
})

test.serial('redshift: a bigint past 2^53 round-trips exactly, and bigints come back as strings as on the other dialects', async (t) => {
  const db = new RedshiftDatabase('warehouse', config)
  await db.query('create table big_ids (id bigint, small integer, ratio double precision, flag boolean, label varchar(10))')
  await db.query(sql`insert into big_ids values (${'9007199254740993'}, ${7}, ${0.5}, ${true}, ${'x'}), (${'-9223372036854775808'}, ${null}, ${null}, ${null}, ${'y'}), (${'42'}, ${-1}, ${-2.25}, ${false}, ${'z'})`)
  const { rows } = await db.query(sql`select id, small, ratio, flag, label from big_ids order by label`)
  t.deepEqual(rows, [
    { id: '9007199254740993', small: 7, ratio: 0.5, flag: true, label: 'x' },
    { id: '-9223372036854775808', small: null, ratio: null, flag: null, label: 'y' },
    { id: '42', small: -1, ratio: -2.25, flag: false, label: 'z' },
  ])
  const found = await db.query(sql`select id from big_ids where id = ${'9007199254740993'}`)
  t.deepEqual(found.rows, [{ id: '9007199254740993' }], 'the exact value also matches as a bound parameter')
  await db.close()
})

test.serial("redshift: a failed statement surfaces Redshift's own message with the statement", async (t) => {
  const db = new RedshiftDatabase('warehouse', config)
  const error = await t.throwsAsync(db.query('select * from missing_table'))
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_TABLE_MISSING')
  t.regex(error.message, /connection "warehouse" \(redshift workgroup etl\/dev\): ERROR: relation "missing_table" does not exist\n {2}in: select \* from missing_table/)
  await db.close()
})

test.serial('redshift: transactions one after another reuse one Data API session, and a session the server ended is replaced', async (t) => {
  const db = new RedshiftDatabase('warehouse', config)
  const before = server.sessionsStarted
  for (let i = 0; i < 5; i++) await db.transaction((tx) => tx.query('select 1'))
  t.is(server.sessionsStarted - before, 1, 'five transactions, one session')
  for (const id of server.openSessions) server.endSession(id)
  t.deepEqual((await db.transaction((tx) => tx.query('select 2 as n'))).rows, [{ n: 2 }])
  t.is(server.sessionsStarted - before, 2, 'the ended session was replaced by a new one')
  await db.close()
})

test.serial('redshift: a transaction runs in one Data API session and rolls back as a whole', async (t) => {
  const db = new RedshiftDatabase('warehouse', config)
  await db.query('create table tx_test (id int)')
  await db.transaction(async (tx) => {
    await tx.query(sql`insert into tx_test values (${1})`)
    await tx.query(sql`insert into tx_test values (${2})`)
  })
  await t.throwsAsync(
    db.transaction(async (tx) => {
      await tx.query(sql`insert into tx_test values (${3})`)
      throw new Error('abort')
    }),
  )
  await db.batch(['insert into tx_test values (4)', 'insert into tx_test values (5)'])
  t.deepEqual((await db.query('select id from tx_test order by id')).rows.map((row) => row.id), [1, 2, 4, 5])
  await db.close()
})

test.serial('redshift: bulkLoad stages the CSV in the S3 lake, COPYs it with the IAM role and removes the staged file', async (t) => {
  const lake = new S3Storage(await s3.lake('redshift-staging'))
  const db = new RedshiftDatabase('warehouse', config, { staging: lake })
  await db.query('create table landing_orders (id int, name varchar(40), amount numeric(12,2))')
  const loaded = await db.bulkLoad('landing_orders', Readable.from(['name,id,amount\n"",1,1.50\n,2,\n"a,""b""",3,-0.01\n']))
  t.is(loaded.rows, 3)
  t.deepEqual((await db.query('select id, name, amount from landing_orders order by id')).rows, [
    { id: 1, name: '', amount: '1.50' },
    { id: 2, name: null, amount: null },
    { id: 3, name: 'a,"b"', amount: '-0.01' },
  ])
  const copy = server.statements.find((text) => text.startsWith('copy "landing_orders"'))
  t.regex(copy ?? '', /from 's3:\/\/redshift-staging\/_staging\/redshift\/[\w-]+\.csv'\niam_role 'arn:aws:iam::123456789012:role\/copy'\nformat as csv\nemptyasnull/)
  t.deepEqual(await lake.list('_staging/'), [])
  await db.close()
  await lake.close()
})

test.serial('redshift: loadFromLake COPYs straight from S3 under a marker written in the same session', async (t) => {
  const lakeConfig = await s3.lake('redshift-direct')
  const data = new DataServices({ connections: { warehouse: config }, lake: lakeConfig })
  const db = await data.database('warehouse')
  await db.query('create table landing_items (id int, label varchar(10))')
  await data.lake().put('landing/items/seq=1/items.csv', 'label,id\nx,1\ny,2\n')
  const target = new TableUpdateTarget(db, 'landing_items', 'items_seq_1')
  await t.throwsAsync(target.commit(async (tx) => {
    await data.loadFromLake(tx, 'landing_items', 'landing/items/seq=1/items.csv')
    throw new Error('crash before commit')
  }))
  t.false(await target.exists())
  t.is((await db.query('select * from landing_items')).rows.length, 0, 'the COPY rolled back with the marker')
  await target.commit((tx) => data.loadFromLake(tx, 'landing_items', 'landing/items/seq=1/items.csv'))
  t.true(await target.exists())
  t.is((await db.query('select * from landing_items')).rows.length, 2)
  t.true(server.statements.some((text) => text.includes("from 's3://redshift-direct/landing/items/seq=1/items.csv'") && text.includes('ignoreheader 1')))
  t.false(JSON.stringify(server.statements).includes('data-api-secret'))
  await data.close()
})

test.serial('redshift: a bulk load without S3 access in the config fails before anything is staged, naming the fix', async (t) => {
  const db = new RedshiftDatabase('warehouse', { ...config, iamRole: undefined })
  const error = await t.throwsAsync(db.bulkLoad('landing_orders', Readable.from(['id\n1\n'])))
  t.is((error as { code?: string }).code, 'ETL_ERR_DB_NOT_SUPPORTED')
  t.regex(error.message, /set "connections\.warehouse\.iamRole"/)
  await db.close()
})
