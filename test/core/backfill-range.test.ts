import test from 'ava'
import { EtlError, RangeDaily, RangeHourly, TaskRegistry, backfillRange, type ErrorCode, type TaskLike } from 'etl'
import { LoadDay, LoadHour, Plain, Snapshot } from '../fixtures/tasks/backfill-tasks.js'

const registry = TaskRegistry.fromModule({ LoadDay, LoadHour, Plain, Snapshot })

function points(range: { instances(): TaskLike[] }): string[] {
  return range.instances().map((task) => task.parameterEntries[0]!.text)
}

test('backfill-range: a date interval in every form DateInterval reads, end excluded, gives a RangeDaily over those days', (t) => {
  const range = backfillRange(registry, 'LoadDay', { date: '2024-01-01-2024-01-31', region: 'us' })
  t.true(range instanceof RangeDaily)
  t.is(range.instances().length, 30)
  t.is(points(range).at(-1), '2024-01-30')
  t.deepEqual(range.instances()[0]!.serializedParams, { date: '2024-01-01', region: 'us' })
  t.is(backfillRange(registry, 'LoadDay', { date: '2024-02' }).instances().length, 29)
  t.is(backfillRange(registry, 'LoadDay', { date: '2023' }).instances().length, 365)
  t.deepEqual(points(backfillRange(registry, 'LoadDay', { date: '2024-03-15' })), ['2024-03-15'])
  t.deepEqual(points(backfillRange(registry, 'LoadDay', { date: '2024-01-01/2024-01-15' }, { every: '7d' })), ['2024-01-01', '2024-01-08'])
  t.is(backfillRange(registry, 'Snapshot', { date: '2024-01', asOf: '2024-02-01' }).parameter.name, 'date', 'the one given as an interval is stepped')
})

test('backfill-range: a datetime parameter steps by the hour through days or between two datetimes', (t) => {
  const range = backfillRange(registry, 'LoadHour', { at: '2024-01-01T00/2024-01-01T06' }, { every: '2h' })
  t.true(range instanceof RangeHourly)
  t.deepEqual(points(range), ['2024-01-01T00:00:00Z', '2024-01-01T02:00:00Z', '2024-01-01T04:00:00Z'])
  t.is(backfillRange(registry, 'LoadHour', { at: '2024-01-01' }).instances().length, 24)
  t.is(backfillRange(registry, 'LoadHour', { at: '2024-01-01T00:00:00+02:00/2024-01-01T03:00:00Z' }).instances().length, 5)
})

test('backfill-range: newest order runs the newest missing instance first', async (t) => {
  const range = backfillRange(registry, 'LoadDay', { date: '2031-01-01/2031-01-04' }, { order: 'newest' })
  await range.prepare()
  t.deepEqual(range.requires().map((task) => task.parameterEntries[0]!.text), ['2031-01-03', '2031-01-02', '2031-01-01'])
})

const refusals: [string, () => unknown, ErrorCode, RegExp][] = [
  ['an unknown parameter', () => backfillRange(registry, 'LoadDay', { date: '2024-01', regoin: 'eu' }), 'ETL_ERR_PARAM_UNKNOWN', /unknown parameter 'regoin' for task 'LoadDay'; known: date, region/],
  ['a task with no date parameter', () => backfillRange(registry, 'Plain', { name: '2024-01' }), 'ETL_ERR_RANGE_PARAM', /Plain has no date or datetime parameter to step through \(its parameters: name\)/],
  ['no interval given', () => backfillRange(registry, 'LoadDay', { region: 'eu' }), 'ETL_ERR_RANGE_PARAM', /etl backfill LoadDay needs the interval to run over: give it as --date <interval>, e\.g\. --date 2024-01-01\/2024-02-01/],
  ['two intervals', () => backfillRange(registry, 'Snapshot', { date: '2024-01', asOf: '2024-02' }), 'ETL_ERR_RANGE_PARAM', /several of its date or datetime parameters given \(--date, --asOf\) are intervals; give exactly one as an interval/],
  ['a malformed interval', () => backfillRange(registry, 'LoadDay', { date: '2024-13' }), 'ETL_ERR_RANGE_INTERVAL', /invalid interval "2024-13" for --date of LoadDay: expected a date interval: 2024 \(a year\), 2024-03 \(a month\)/],
  ['an empty interval', () => backfillRange(registry, 'LoadDay', { date: '2024-01-05/2024-01-05' }), 'ETL_ERR_RANGE_INTERVAL', /the interval "2024-01-05\/2024-01-05" for --date of LoadDay is empty: its end is excluded, so it holds nothing; give one day alone/],
  ['stop before start', () => backfillRange(registry, 'LoadDay', { date: '2024-02-01/2024-01-01' }), 'ETL_ERR_RANGE_INTERVAL', /the interval "2024-02-01\/2024-01-01" for --date of LoadDay ends before it starts; swap its two ends/],
  ['a datetime stop before start', () => backfillRange(registry, 'LoadHour', { at: '2024-01-01T06/2024-01-01T00' }), 'ETL_ERR_RANGE_INTERVAL', /ends before it starts/],
  ['a malformed datetime interval', () => backfillRange(registry, 'LoadHour', { at: '2024-01-01T06' }), 'ETL_ERR_RANGE_INTERVAL', /invalid interval "2024-01-01T06" for --at of LoadHour: expected a date interval .* or two datetimes 2024-03-01T00\/2024-03-01T06/],
  ['hours over a date', () => backfillRange(registry, 'LoadDay', { date: '2024-01' }, { every: '1h' }), 'ETL_ERR_RANGE_STEP', /--every 1h does not fit --date, a date \(whole days, no hours\): use --every 1d/],
  ['a malformed step', () => backfillRange(registry, 'LoadDay', { date: '2024-01' }, { every: 'daily' }), 'ETL_ERR_RANGE_STEP', /invalid --every "daily": expected a whole number of days or hours of at least 1, such as 1d, 7d, 1h or 6h/],
  ['a zero step', () => backfillRange(registry, 'LoadHour', { at: '2024-01' }, { every: '0h' }), 'ETL_ERR_RANGE_STEP', /invalid --every "0h"/],
  ['a bad order', () => backfillRange(registry, 'LoadDay', { date: '2024-01' }, { order: 'latest' }), 'ETL_ERR_RANGE_STEP', /invalid --order "latest": expected oldest .* or newest/],
  ['an unknown task', () => backfillRange(registry, 'LoadDya', { date: '2024-01' }), 'ETL_ERR_TASK_UNKNOWN', /unknown task 'LoadDya' \(did you mean LoadDay\?\)/],
]

for (const [what, attempt, code, message] of refusals) {
  test(`backfill-range: ${what} is refused with its message`, (t) => {
    const error = t.throws(attempt, { instanceOf: EtlError })
    t.is(error.code, code)
    t.regex(error.message, message)
  })
}
