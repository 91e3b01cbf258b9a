import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import test from 'ava'
import fc from 'fast-check'
import type { ColumnDescription } from '../../src/db/column-type.js'
import type { Database } from '../../src/db/database.js'
import { encodeCsvRecord } from '../../src/csv/csv-value.js'
import { LocalStorage } from '../../src/lake/local-storage.js'
import { S3Storage } from '../../src/lake/s3-storage.js'
import type { Storage } from '../../src/lake/storage.js'
import { sql } from '../../src/db/sql.js'
import { scratchMysql, scratchPglite, scratchPostgres, type ScratchDatabase } from '../helpers/databases.js'
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js'

/** The source table: every awkward kind of value a landing pipeline meets. */
const SOURCE: ColumnDescription[] = [
  { name: 'id', nativeType: 'bigint', type: { kind: 'integer', bits: 64 }, nullable: false },
  { name: 'label', nativeType: 'varchar(300)', type: { kind: 'string', length: 300 }, nullable: true },
  { name: 'note', nativeType: 'text', type: { kind: 'string', length: undefined }, nullable: true },
  { name: 'amount', nativeType: 'decimal(30,10)', type: { kind: 'decimal', precision: 30, scale: 10 }, nullable: true },
  { name: 'big', nativeType: 'bigint', type: { kind: 'integer', bits: 64 }, nullable: true },
  { name: 'flag', nativeType: 'boolean', type: { kind: 'boolean' }, nullable: true },
  { name: 'happened', nativeType: 'datetime(6)', type: { kind: 'timestamp', precision: 6, withTimeZone: false }, nullable: true },
  { name: 'day', nativeType: 'date', type: { kind: 'date' }, nullable: true },
]

type Value = string | boolean | null
const awkward = fc.constantFrom('', ' ', ',', '"', '""', "'", '\n', '\r\n', '\r', '\t', '\\', '\\N', '\\.', 'NULL', 'null', 'a,b\n"c"', 'Zürich', '東京', '🚀', 'ǅ')
// NUL is left out: Postgres text cannot hold it.
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/\0/g, '')), awkward, fc.array(awkward, { maxLength: 6 }).map((parts) => parts.join('')))
const decimal = fc.tuple(fc.bigInt({ min: -(10n ** 20n) + 1n, max: 10n ** 20n - 1n }), fc.bigInt({ min: 0n, max: 10n ** 10n - 1n })).map(([whole, fraction]) => `${whole}.${String(fraction).padStart(10, '0')}`)
const timestamp = fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).chain((date) =>
  fc.integer({ min: 0, max: 999_999 }).map((micros) => `${date.toISOString().slice(0, 19).replace('T', ' ')}.${String(micros).padStart(6, '0')}`),
)
const row = fc.record({
  label: fc.option(text, { nil: null }),
  note: fc.option(text, { nil: null }),
  amount: fc.option(decimal, { nil: null }),
  big: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), { nil: null }),
  flag: fc.option(fc.boolean(), { nil: null }),
  happened: fc.option(timestamp, { nil: null }),
  day: fc.option(timestamp.map((ts) => ts.slice(0, 10)), { nil: null }),
})
const rows = fc.array(row, { minLength: 1, maxLength: 80 }).map((list) => list.map((values, index) => ({ id: String(index + 1), ...values })))

/** Values as text in one canonical form, so each database's spelling compares equal. */
function canonical(column: ColumnDescription, value: unknown): Value {
  if (value === null || value === undefined) return null
  switch (column.type.kind) {
    case 'boolean':
      return value === true || value === 1 || value === '1' || value === 't' || value === 'true'
    case 'timestamp': {
      const [date, time = ''] = String(value).split(/[ T]/)
      const [clock = '', fraction = ''] = time.split('.')
      return `${date} ${clock}.${fraction.padEnd(6, '0')}`
    }
    default:
      return String(value)
  }
}

const canonicalRows = (list: Record<string, unknown>[]) => list.map((r) => SOURCE.map((column) => canonical(column, r[column.name])))

async function move(source: Database, lake: Storage, target: Database, key: string): Promise<void> {
  await lake.put(key, source.extractCsv(sql`select * from ${sql.id('awkward')} order by id`))
  await target.bulkLoad('landing', await lake.get(key))
}

let s3: S3TestServer
test.before(async () => {
  s3 = await startS3Server()
})
test.after.always(async () => {
  await s3?.stop()
})

/**
 * The rows of a counterexample the property reported (seed -898227999, path "2"), and `\.` alone on a
 * physical line inside a quoted value: the values CSV, COPY and LOAD DATA treat specially.
 */
const AWKWARD_ROWS: Record<string, string | boolean | null>[] = [
  { id: '1', label: '\\.', note: '𓉡𘮆𑿥𐧋𛁴𐬙ٺ', amount: '53559804483964260141.2318159327', big: '2953297679734767460', flag: true, happened: '1989-09-10 09:29:12.570443', day: '2024-11-05' },
  { id: '2', label: '\\.', note: null, amount: '-15650325821761905911.1553533670', big: '-7276632998285735856', flag: false, happened: '2084-07-15 21:27:30.626465', day: '1999-02-16' },
  { id: '3', label: 'ꏑ𔒧🉇𛊗𑜒⇡ֈ𘭗', note: '"', amount: '78616715693261074700.8905058320', big: '-3979344037253087791', flag: false, happened: '2089-05-09 05:28:23.061463', day: '2080-02-14' },
  { id: '4', label: 'ଅꙀ꤂ᦞ𘭣🐠𐘎ᒦ', note: '\\', amount: '-3747534737238880635.8119470945', big: '8943101444631310010', flag: true, happened: '2047-03-10 07:08:40.598538', day: null },
  { id: '5', label: '', note: `'"",\r`, amount: null, big: '-5359864850593211490', flag: true, happened: null, day: '1984-07-30' },
  { id: '6', label: null, note: '\r\n', amount: '80773671722925629302.8738024187', big: '-6613200682242611639', flag: false, happened: '1978-11-14 01:27:05.983028', day: '1997-05-09' },
  { id: '7', label: '⽲', note: '\\N', amount: '-4508531548104603189.9103005945', big: '-1362996214497077815', flag: true, happened: '1983-09-18 13:50:09.610320', day: '1975-03-03' },
  { id: '8', label: '\\Zürich', note: 'nulla,b\n"c"""', amount: '14991442933882408806.2201313904', big: '6483233885807915009', flag: true, happened: '2007-08-14 09:16:24.022081', day: '2095-04-02' },
  { id: '9', label: '\\.\r', note: 'a\n\\.\nb', amount: '0.0000000000', big: '0', flag: null, happened: '1970-01-02 00:00:00.000000', day: '1970-01-02' },
  { id: '10', label: 'NULL', note: '\r\n\\.\r\n', amount: null, big: null, flag: null, happened: null, day: null },
  { id: '11', label: ' ', note: '', amount: '-0.0000000001', big: '-9223372036854775808', flag: false, happened: '2099-12-30 23:59:59.999999', day: null },
]

/** Loads `rows` into the emptied source table, moves them through the lake and returns what landed. */
async function roundTrip(source: Database, lake: Storage, target: Database, rows: Record<string, unknown>[], key: string): Promise<Record<string, unknown>[]> {
  await source.query(sql`delete from ${sql.id('awkward')}`)
  await target.query(sql`delete from ${sql.id('landing')}`)
  const csv = [SOURCE.map((column) => column.name), ...rows.map((r) => SOURCE.map((column) => r[column.name]))].map((values) => encodeCsvRecord(values) + '\n').join('')
  await source.bulkLoad('awkward', Readable.from([csv]))
  await move(source, lake, target, key)
  return (await target.query(sql`select * from ${sql.id('landing')} order by id`)).rows
}

const PATHS: [string, () => Promise<ScratchDatabase>, (bucket: string) => Promise<Storage>, () => Promise<ScratchDatabase>][] = [
  ['mysql → s3 lake → postgres', scratchMysql, async (bucket) => new S3Storage(await s3.lake(bucket)), scratchPostgres],
  ['mysql → local lake → pglite', scratchMysql, async () => new LocalStorage(await fs.mkdtemp(path.join(os.tmpdir(), 'etl-rt-'))), scratchPglite],
  ['postgres → local lake → mysql', scratchPostgres, async () => new LocalStorage(await fs.mkdtemp(path.join(os.tmpdir(), 'etl-rt-'))), scratchMysql],
]

for (const [name, openSource, openLake, openTarget] of PATHS) {
  test(`round trip ${name}: random rows with every awkward value arrive value for value`, async (t) => {
    const source = await openSource()
    const target = await openTarget()
    const lake = await openLake('round-trip-pg')
    try {
      await source.db.query(source.db.createTableSql('awkward', SOURCE))
      // The landing table is built from the described source table, through the type mapping.
      await target.db.query(target.db.createTableSql('landing', (await source.db.describeTable('awkward')).columns))
      let run = 0
      await fc.assert(
        fc.asyncProperty(rows, async (generated) => {
          run++
          const landed = await roundTrip(source.db, lake, target.db, generated, `landing/run-${run}.csv`)
          assert.deepEqual(canonicalRows(landed), canonicalRows(generated))
        }),
        { numRuns: 4 },
      )
      t.is(run, 4)
    } finally {
      await lake.close()
      await source.drop()
      await target.drop()
    }
  })
}

for (const [name, openSource, openLake, openTarget] of PATHS) {
  test(`round trip ${name}: backslashes, \\. and \\N, quotes, CR, CRLF, empty strings and NULLs arrive value for value`, async (t) => {
    const source = await openSource()
    const target = await openTarget()
    const lake = await openLake('awkward-rows-pg')
    try {
      await source.db.query(source.db.createTableSql('awkward', SOURCE))
      await target.db.query(target.db.createTableSql('landing', (await source.db.describeTable('awkward')).columns))
      const landed = await roundTrip(source.db, lake, target.db, AWKWARD_ROWS, 'landing/awkward.csv')
      t.deepEqual(canonicalRows(landed), canonicalRows(AWKWARD_ROWS))
    } finally {
      await lake.close()
      await source.drop()
      await target.drop()
    }
  })
}
