import test from 'ava'
import { EtlError } from 'etl'
import { parseMetadata } from '../../src/etl/table-metadata.js'
import { canonicalWatermark, checkLookback, lookbackStart } from '../../src/etl/watermark-value.js'

const span = (text: string, seconds: number) => ({ kind: 'interval', seconds, text }) as const

test('watermark value: a time with an offset is kept as the same instant in UTC, fraction and all; other values as they are', (t) => {
  t.is(canonicalWatermark('2024-06-01 17:00:00.000001+09'), '2024-06-01 08:00:00.000001+00')
  t.is(canonicalWatermark('2024-01-01 00:30:00-05:30'), '2024-01-01 06:00:00+00')
  t.is(canonicalWatermark('2024-01-01 10:00:00+00'), '2024-01-01 10:00:00+00')
  t.is(canonicalWatermark('2024-01-01 10:00:00.5'), '2024-01-01 10:00:00.5')
  t.is(canonicalWatermark('2024-03-01'), '2024-03-01')
  t.is(canonicalWatermark('9007199254740993'), '9007199254740993')
  t.is(canonicalWatermark(null), null)
})

test('watermark value: a lookback starts the window that far before the end, exactly, for numbers, dates and times', (t) => {
  t.is(lookbackStart('9007199254740993', { kind: 'number', amount: 2 }), '9007199254740991')
  t.is(lookbackStart('18446744073709551615', { kind: 'number', amount: 1000 }), '18446744073709550615')
  t.is(lookbackStart('10.5', { kind: 'number', amount: 0.25 }), '10.25')
  t.is(lookbackStart('2024-03-01', span('1 day', 86_400)), '2024-02-29')
  t.is(lookbackStart('2024-03-01', span('2 hours', 7200)), '2024-02-29 22:00:00')
  t.is(lookbackStart('2024-01-01 00:10:00.123456', span('30 minutes', 1800)), '2023-12-31 23:40:00.123456')
  t.is(lookbackStart('2024-06-01 09:00:00.123456+00', span('2 hours', 7200)), '2024-06-01 07:00:00.123456+00')
})

test('watermark value: a number lookback on a time watermark, and a span on a numeric one, are refused with the fix', (t) => {
  const [meta] = parseMetadata({ tables: [{ table: 'orders', columns: ['id', 'updated_at'], watermark: 'updated_at', key: ['id'], lookback: 5 }] }, 'metadata/shop.json')
  const error = t.throws(() => checkLookback(meta!, { name: 'updated_at', nativeType: 'datetime(6)', type: { kind: 'timestamp', precision: 6, withTimeZone: false }, nullable: true }), { instanceOf: EtlError })
  t.regex(error!.message, /^metadata\/shop\.json: table "orders", field "lookback": bad value 5: the watermark "updated_at" is datetime\(6\); give a span of time such as "2 hours"/)
  const [spanned] = parseMetadata({ tables: [{ table: 'orders', columns: ['id', 'version'], watermark: 'version', key: ['id'], lookback: '1 day' }] }, 'metadata/shop.json')
  t.throws(() => checkLookback(spanned!, { name: 'version', nativeType: 'bigint', type: { kind: 'integer', bits: 64 }, nullable: true }), { message: /field "lookback": bad value "1 day": the watermark "version" is bigint; give a number/ })
  t.throws(() => checkLookback(spanned!, { name: 'version', nativeType: 'varchar(20)', type: { kind: 'string', length: 20 }, nullable: true }), { message: /a lookback needs a numeric, date or time watermark/ })
})
