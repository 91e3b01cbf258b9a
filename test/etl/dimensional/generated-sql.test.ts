import test from 'ava'
import { parseDimensionalModel, type Fact, type HierarchyDimension, type Scd1Dimension, type Scd2Dimension } from '../../../src/etl/dimensional/dimensional-model.js'
import { FactLoad } from '../../../src/etl/dimensional/fact-load.js'
import { HierarchyFlattening } from '../../../src/etl/dimensional/hierarchy.js'
import { Scd1Merge } from '../../../src/etl/dimensional/scd1.js'
import { Scd2Merge } from '../../../src/etl/dimensional/scd2.js'
import { SQL_DIALECTS } from '../../helpers/test-sql.js'

const MODEL = parseDimensionalModel(
  {
    schema: 'support_dw',
    dimensions: [
      { name: 'd_analysts', kind: 'scd2', source: 'staging.analyst_history', naturalKey: ['aid'], tracked: ['team', 'skills'], type1: ['name'], effectiveFrom: 'valid_from' },
      { name: 'd_products', kind: 'hierarchy', source: 'staging.products', id: 'id', parent: 'parent_id', label: 'name', levels: ['product_line', 'product_group', 'product'] },
      { name: 'd_priority', kind: 'scd1', source: 'staging.sla', naturalKey: ['priority'], type1: ['resolve_hours'] },
      { name: 'd_calendar', kind: 'calendar' },
    ],
    facts: [
      {
        name: 'f_cases',
        source: 'staging.case_facts',
        naturalKey: ['case_id'],
        accumulating: true,
        dimensions: [
          { dimension: 'd_analysts', key: 'analyst_id', on: { aid: 'aid' }, asOf: 'created_date' },
          { dimension: 'd_products', key: 'product_id', on: { id: 'product_id' } },
          { dimension: 'd_priority', key: 'priority_id', on: { priority: 'priority' } },
        ],
        dates: [{ column: 'created_date', key: 'created_dt_id' }],
        measures: ['aid'],
      },
    ],
  },
  'support_dw.json',
)
const dim = <T>(name: string) => MODEL.dimensions.find((d) => d.name === name) as T

// A change to any generator shows here as a changed snapshot to read and accept
// (`npx ava --update-snapshots`), per dialect, before it reaches a warehouse.
for (const [name, dialect] of Object.entries(SQL_DIALECTS)) {
  test(`generated SQL (${name}): the SCD2 merge, SCD1 merge, hierarchy flattening and fact load are pinned`, (t) => {
    const compile = (statements: readonly import('../../../src/db/sql.js').Sql[]) => statements.map((statement) => dialect.compile(statement))
    t.snapshot(compile(new Scd2Merge(dim<Scd2Dimension>('d_analysts'), MODEL.schema, dialect).statements({ seq: 3 }, 100)), 'SCD2 merge of sequence 3')
    t.snapshot(compile(new Scd1Merge(dim<Scd1Dimension>('d_priority'), MODEL.schema, dialect).statements({ seq: 3 }, 4)), 'SCD1 merge of sequence 3')
    t.snapshot(compile([new HierarchyFlattening(dim<HierarchyDimension>('d_products'), MODEL.schema, dialect).flattenSql()]), 'hierarchy flattening')
    const fact = new FactLoad(MODEL.facts[0] as Fact, MODEL, dialect)
    t.snapshot(compile([fact.rowsSql({ seq: 3 }, { from: '2024-01-01', to: '2024-12-31' })]), 'fact rows of sequence 3')
  })
}
