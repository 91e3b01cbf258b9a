import test from 'ava'
import { checkSourceColumns, parseDimensionalModel } from '../../../src/etl/dimensional/dimensional-model.js'

const analysts = { name: 'd_analysts', kind: 'scd2', source: 'staging.analyst_history', naturalKey: ['aid'], tracked: ['team'], type1: ['name'], effectiveFrom: 'valid_from' }
const calendar = { name: 'd_calendar', kind: 'calendar' }
const fact = {
  name: 'f_cases',
  source: 'staging.case_facts',
  naturalKey: ['case_id'],
  dimensions: [{ dimension: 'd_analysts', key: 'analyst_id', on: { aid: 'aid' }, asOf: 'created_date' }],
  dates: [{ column: 'created_date', key: 'created_dt_id' }],
}
const valid = { schema: 'support_dw', dimensions: [analysts, calendar], facts: [fact] }

test('a well-formed dimensional dictionary is accepted with its defaults filled in', (t) => {
  const model = parseDimensionalModel(valid, 'star.json')
  t.is(model.facts[0]!.accumulating, false)
  t.deepEqual(model.facts[0]!.measures, [])
})

const malformed: Array<[string, unknown, RegExp]> = [
  ['an SCD2 dimension without tracked columns', { ...valid, dimensions: [{ ...analysts, tracked: [] }, calendar] }, /dimension "d_analysts", field tracked: \[\] is not valid; an SCD type 2 dimension needs tracked columns/],
  ['a hierarchy without levels', { ...valid, dimensions: [...valid.dimensions, { name: 'd_products', kind: 'hierarchy', source: 'staging.products', id: 'id', parent: 'parent_id', label: 'name', levels: [] }] }, /dimension "d_products", field levels: \[\] is not valid; a flattened hierarchy needs its levels/],
  ['a fact referencing a dimension that is not defined', { ...valid, facts: [{ ...fact, dimensions: [{ dimension: 'd_agents', key: 'agent_id', on: { aid: 'aid' } }] }] }, /fact "f_cases", field dimensions\[\]\.dimension: "d_agents" is not valid; no such dimension; define it under "dimensions" \(defined: d_analysts, d_calendar\)/],
  ['a lookup on a column that is not the natural key', { ...valid, facts: [{ ...fact, dimensions: [{ dimension: 'd_analysts', key: 'analyst_id', on: { name: 'aid' } }] }] }, /field dimensions\["d_analysts"\]\.on: "name" is not valid; "d_analysts" is looked up by its natural key \(aid\)/],
  ['an unknown field', { ...valid, dimensions: [{ ...analysts, trackd: ['team'] }, calendar] }, /dimension "d_analysts", field \(top level\): trackd is not valid; remove "trackd": not a field here/],
  ['an unknown kind', { ...valid, dimensions: [{ ...analysts, kind: 'scd3' }, calendar] }, /dimension "d_analysts", field kind: "scd3" is not valid/],
  ['a column both tracked and type 1', { ...valid, dimensions: [{ ...analysts, type1: ['team'] }, calendar] }, /field type1: "team" is not valid; it is also in "tracked"/],
  ['a bad identifier', { ...valid, dimensions: [{ ...analysts, naturalKey: ['aid; drop table x'] }, calendar] }, /field naturalKey\[0\]: "aid; drop table x" is not valid; letters, digits and _/],
  ['dates without a calendar', { ...valid, dimensions: [analysts] }, /fact "f_cases", field dates: "created_date" is not valid; date keys need a calendar dimension/],
  ['a calendar range backwards', { ...valid, dimensions: [analysts, { ...calendar, from: '2025-01-01', to: '2024-01-01' }] }, /dimension "d_calendar", field to: "2024-01-01" is not valid; it is before "from" \(2025-01-01\)/],
  ['two fact columns of one name', { ...valid, facts: [{ ...fact, dates: [{ column: 'created_date', key: 'analyst_id' }] }] }, /fact "f_cases", field dates\[\]\.key: "analyst_id" is not valid; the fact table already has a column of that name/],
  ['an unqualified source', { ...valid, dimensions: [{ ...analysts, source: 'analyst_history' }, calendar] }, /dimension "d_analysts", field source: "analyst_history" is not valid; a schema-qualified table/],
]

for (const [what, raw, message] of malformed) {
  test(`a dimensional dictionary with ${what} is refused, naming the file, the entry, the field and the fix`, (t) => {
    const error = t.throws(() => parseDimensionalModel(raw, 'metadata/support/star.json'))
    t.is((error as { code?: string }).code, 'ETL_ERR_DIMENSIONAL_INVALID')
    t.true(error!.message.startsWith('metadata/support/star.json: '), error!.message)
    t.regex(error!.message, message)
  })
}

test('a dimension or fact reading a column its known source lacks is refused with the columns there are; unknown sources are left to the build', (t) => {
  const model = parseDimensionalModel(valid, 'star.json')
  const known = new Map([['staging.analyst_history', ['aid', 'name', 'team', 'valid_from']]])
  t.notThrows(() => checkSourceColumns(model, known))
  const error = t.throws(() => checkSourceColumns(model, new Map([['staging.analyst_history', ['aid', 'team', 'valid_from']]])))
  t.regex(error!.message, /star\.json: dimension "d_analysts", field type1: "name" is not valid; staging\.analyst_history has no such column; it has aid, team, valid_from/)
  const facts = t.throws(() => checkSourceColumns(model, new Map([['staging.case_facts', ['case_id', 'aid']]])))
  t.regex(facts!.message, /fact "f_cases", field dimensions\[\]\.asOf: "created_date" is not valid/)
})
