import test from 'ava'
import { DateInterval, param } from 'etl'

test('parameters: int parses whole numbers and rejects anything else with what it expects', (t) => {
  const p = param.int()
  t.is(p.parse('42'), 42)
  t.is(p.parse('-7'), -7)
  t.throws(() => p.parse('4.2'), { message: /expected an integer/ })
  t.throws(() => p.parse('forty'), { message: /expected an integer/ })
  t.throws(() => p.normalize(2 ** 60), { message: /expected an integer/ })
})

test('parameters: float, bool and string parse their text forms', (t) => {
  t.is(param.float().parse('0.25'), 0.25)
  t.is(param.float().parse('1e3'), 1000)
  t.throws(() => param.float().parse('NaN'))
  t.true(param.bool().parse('yes'))
  t.false(param.bool().parse('FALSE'))
  t.throws(() => param.bool().parse('maybe'), { message: /true or false/ })
  t.is(param.string().parse(' keep spaces '), ' keep spaces ')
})

test('parameters: date accepts only real calendar dates and keeps them as text', (t) => {
  const p = param.date()
  t.is(p.parse('2024-02-29'), '2024-02-29')
  t.throws(() => p.parse('2023-02-29'), { message: /YYYY-MM-DD/ })
  t.throws(() => p.parse('31/01/2024'))
  t.is(p.normalize(new Date(Date.UTC(2024, 0, 31))), '2024-01-31')
})

test('parameters: datetime reads UTC unless an offset is given, and serializes to the second', (t) => {
  const p = param.datetime()
  t.is(p.serialize(p.parse('2024-01-31T02:00')), '2024-01-31T02:00:00Z')
  t.is(p.serialize(p.parse('2024-01-31 02:00:00+02:00')), '2024-01-31T00:00:00Z')
  t.is(p.serialize(p.normalize(new Date('2024-01-31T02:00:00.999Z'))), '2024-01-31T02:00:00Z')
  t.throws(() => p.parse('yesterday'), { message: /YYYY-MM-DDTHH:MM:SS/ })
})

test('parameters: date intervals cover years, months, ISO weeks, days and custom half-open ranges', (t) => {
  const p = param.dateInterval()
  t.deepEqual([p.parse('2024').start, p.parse('2024').end], ['2024-01-01', '2025-01-01'])
  t.deepEqual([p.parse('2024-02').start, p.parse('2024-02').end], ['2024-02-01', '2024-03-01'])
  t.deepEqual([p.parse('2024-W01').start, p.parse('2024-W01').end], ['2024-01-01', '2024-01-08'])
  t.deepEqual(p.parse('2024-03-01/2024-03-04').dates(), ['2024-03-01', '2024-03-02', '2024-03-03'])
  t.true(DateInterval.parse('2024-12').contains('2024-12-31'))
  t.false(DateInterval.parse('2024-12').contains('2025-01-01'))
  t.throws(() => p.parse('2024-03-04/2024-03-01'), { message: /date interval/ })
  t.is(p.serialize(p.parse('2024-03-01-2024-03-04')), '2024-03-01/2024-03-04')
})

test('parameters: enum accepts only its choices and lists them when given another', (t) => {
  const p = param.enum(['full', 'incremental'])
  t.is(p.parse('full'), 'full')
  t.throws(() => p.parse('partial'), { message: 'expected one of full, incremental' })
})

test('parameters: list parses JSON arrays or comma-separated text and round-trips', (t) => {
  const p = param.list(param.int())
  t.deepEqual(p.parse('1, 2,3'), [1, 2, 3])
  t.deepEqual(p.parse('[4,5]'), [4, 5])
  t.deepEqual(p.parse(p.serialize([7, 8])), [7, 8])
  t.throws(() => p.parse('1,two'), { message: /integer/ })
})

test('parameters: json values serialize with sorted keys so key order never changes the text', (t) => {
  const p = param.json<{ a: number; b: number[] }>()
  t.is(p.serialize(p.parse('{"b":[1,2],"a":1}')), p.serialize({ a: 1, b: [1, 2] }))
  t.throws(() => p.parse('{oops'), { message: /JSON/ })
  t.true(Object.isFrozen(p.parse('{"a":{"b":1}}')))
})
