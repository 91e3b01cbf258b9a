import test from 'ava'
import type { Database } from '../../src/db/database.js'
import { edgesProject, rowsOf, type EdgesProject } from './elt-edges-helpers.js'

/** One table per watermark type: its DDL on each source, a lookback that fits it, and its rows. */
interface TypedTable {
  readonly table: string
  readonly ddl: string
  readonly lookback: string | number
  /** Sequence 1's rows, then a row committed late inside the lookback and a new one. */
  readonly first: readonly string[]
  readonly late: readonly string[]
}

const MARIADB_TABLES: readonly TypedTable[] = [
  { table: 'versions', ddl: 'id bigint unsigned primary key, wm bigint unsigned', lookback: 2, first: ["18446744073709551610, 9007199254740993"], late: ['18446744073709551611, 9007199254740992', '18446744073709551612, 9007199254740999'] },
  { table: 'numbers', ddl: 'id int primary key, wm int', lookback: 10, first: ['1, 100', '2, 200'], late: ['3, 195', '4, 300'] },
  { table: 'days', ddl: 'id int primary key, wm date', lookback: '1 day', first: ["1, '2024-02-28'", "2, '2024-03-01'"], late: ["3, '2024-03-01'", "4, '2024-03-02'"] },
  { table: 'micros', ddl: 'id int primary key, wm datetime(6)', lookback: '1 minute', first: ["1, '2024-01-02 10:00:00.000001'", "2, '2024-01-02 10:00:00.999999'"], late: ["3, '2024-01-02 10:00:00.500000'", "4, '2024-01-02 10:00:01.000001'"] },
  { table: 'millis', ddl: 'id int primary key, wm datetime(3)', lookback: '30 minutes', first: ["1, '2023-12-31 23:59:59.999'"], late: ["2, '2023-12-31 23:45:00.001'", "3, '2024-01-01 00:00:00.000'"] },
  { table: 'stamps', ddl: 'id int primary key, wm timestamp(6) null', lookback: '2 hours', first: ["1, '2024-06-01 09:00:00.123456'"], late: ["2, '2024-06-01 08:00:00.000001'", "3, '2024-06-01 10:00:00'"] },
]

const POSTGRES_TABLES: readonly TypedTable[] = [
  { table: 'versions', ddl: 'id bigint primary key, wm bigint', lookback: 2, first: ['9223372036854775800, 9007199254740993'], late: ['9223372036854775801, 9007199254740992', '9223372036854775802, 9223372036854775807'] },
  { table: 'numbers', ddl: 'id int primary key, wm int', lookback: 10, first: ['1, 100', '2, 200'], late: ['3, 195', '4, 300'] },
  { table: 'days', ddl: 'id int primary key, wm date', lookback: '1 day', first: ["1, '2024-02-28'", "2, '2024-03-01'"], late: ["3, '2024-03-01'", "4, '2024-03-02'"] },
  { table: 'micros', ddl: 'id int primary key, wm timestamp(6)', lookback: '1 minute', first: ["1, '2024-01-02 10:00:00.000001'", "2, '2024-01-02 10:00:00.999999'"], late: ["3, '2024-01-02 10:00:00.5'", "4, '2024-01-02 10:00:01.000001'"] },
  { table: 'millis', ddl: 'id int primary key, wm timestamp(3)', lookback: '30 minutes', first: ["1, '2023-12-31 23:59:59.999'"], late: ["2, '2023-12-31 23:45:00.001'", "3, '2024-01-01 00:00:00'"] },
  { table: 'stamps', ddl: 'id int primary key, wm timestamptz(6)', lookback: '2 hours', first: ["1, '2024-06-01 09:00:00.123456+00'"], late: ["2, '2024-06-01 17:00:00.000001+09'", "3, '2024-06-01 10:00:00+00'"] },
]

async function prepare(p: EdgesProject, tables: readonly TypedTable[], insert: (db: Database, table: string, rows: readonly string[]) => Promise<void>): Promise<void> {
  for (const typed of tables) {
    await p.source.query(`create table ${typed.table} (${typed.ddl})`)
    await insert(p.source, typed.table, typed.first)
  }
  await p.dictionary(tables.map((typed) => ({ table: typed.table, columns: ['id', 'wm'], watermark: 'wm', key: ['id'], lookback: typed.lookback })))
}

async function storeEqualsSource(t: import('ava').ExecutionContext, p: EdgesProject, tables: readonly TypedTable[]): Promise<void> {
  // MariaDB prints a fraction to its column's digits, Postgres without trailing zeros: the same value.
  const same = (rows: string[]) => rows.map((row) => row.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''))
  for (const typed of tables) {
    t.deepEqual(same(await rowsOf(p.warehouse, { schema: 'store', name: typed.table }, ['id', 'wm'], ['id'])), same(await rowsOf(p.source, { name: typed.table }, ['id', 'wm'], ['id'])), typed.table)
  }
}

test('watermarks: on a MariaDB source, unsigned bigint, int, date, datetime(6), datetime(3) and timestamp watermarks with lookbacks catch late rows, whatever the time zone of the session that wrote them', async (t) => {
  const p = await edgesProject(t, 'mysql')
  // The writer's session is in Tokyo; the extract's sessions read TIMESTAMP values in UTC.
  const insert = (db: Database, table: string, rows: readonly string[]) =>
    db.transaction(async (tx) => {
      await tx.query("set time_zone = '+09:00'")
      await tx.query(`insert into ${table} values ${rows.map((row) => `(${row})`).join(', ')}`)
      await tx.query("set time_zone = '+00:00'")
    })
  await prepare(p, MARIADB_TABLES, insert)
  // Written at 09:00:00.123456 Tokyo time: 00:00:00.123456 UTC.
  const first = await p.run()
  t.is(first.code, 0, first.stdout + first.stderr)
  t.is((await p.control(1, 'stamps')).end_watermark, '2024-06-01 00:00:00.123456')
  t.is((await p.control(1, 'versions')).end_watermark, '9007199254740993')
  await storeEqualsSource(t, p, MARIADB_TABLES)

  for (const typed of MARIADB_TABLES) await insert(p.source, typed.table, typed.late)
  const second = await p.run()
  t.is(second.code, 0, second.stdout + second.stderr)
  t.is((await p.control(2, 'versions')).start_watermark, '9007199254740991')
  t.is((await p.control(2, 'days')).start_watermark, '2024-02-29')
  t.is((await p.control(2, 'micros')).start_watermark, '2024-01-02 09:59:00.999999')
  t.is((await p.control(2, 'millis')).start_watermark, '2023-12-31 23:29:59.999')
  await storeEqualsSource(t, p, MARIADB_TABLES)
  for (const typed of MARIADB_TABLES) t.is(Number((await p.control(2, typed.table)).changed_rows), 1, `${typed.table}: the late row`)
})

test('watermarks: on a Postgres source, bigint, int, date, timestamp(6), timestamp(3) and timestamptz watermarks with lookbacks catch late rows, and timestamptz compares in UTC when the connection time zone changes', async (t) => {
  const p = await edgesProject(t, 'postgres')
  const insert = (db: Database, table: string, rows: readonly string[]) => db.query(`insert into ${table} values ${rows.map((row) => `(${row})`).join(', ')}`).then(() => undefined)
  await prepare(p, POSTGRES_TABLES, insert)
  const first = await p.run()
  t.is(first.code, 0, first.stdout + first.stderr)
  t.is((await p.control(1, 'stamps')).end_watermark, '2024-06-01 09:00:00.123456+00')
  await storeEqualsSource(t, p, POSTGRES_TABLES)

  // Every later session of the source speaks Tokyo time: the same instants print 9 hours later.
  await p.source.query(`alter database ${p.sourceName} set timezone = 'Asia/Tokyo'`)
  const unchanged = await p.run()
  t.is(unchanged.code, 0, unchanged.stdout + unchanged.stderr)
  t.regex(unchanged.stdout, /Nothing to do|already complete/i, 'the same instant is not new data')
  t.is(await p.latest(), '1:COMPLETE')

  for (const typed of POSTGRES_TABLES) await insert(p.source, typed.table, typed.late)
  const second = await p.run()
  t.is(second.code, 0, second.stdout + second.stderr)
  t.is((await p.control(2, 'stamps')).start_watermark, '2024-06-01 07:00:00.123456+00')
  t.is((await p.control(2, 'stamps')).end_watermark, '2024-06-01 10:00:00+00')
  t.is((await p.control(2, 'versions')).start_watermark, '9007199254740991')
  t.is((await p.control(2, 'versions')).end_watermark, '9223372036854775807')
  await storeEqualsSource(t, p, POSTGRES_TABLES.filter((typed) => typed.table !== 'stamps'))
  for (const typed of POSTGRES_TABLES) t.is(Number((await p.control(2, typed.table)).changed_rows), 1, `${typed.table}: the late row`)
  const stamps = await p.warehouse.query("select id, to_char(wm at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as utc from store.stamps order by id")
  t.deepEqual(stamps.rows.map((row) => `${row.id} ${row.utc}`), ['1 2024-06-01 09:00:00.123456', '2 2024-06-01 08:00:00.000001', '3 2024-06-01 10:00:00.000000'])
})
