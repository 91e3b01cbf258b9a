import type { JsonValue } from '../../core/output-marker.js'
import type { Database } from '../../db/database.js'
import { sql } from '../../db/sql.js'
import { EtlError } from '../../errors.js'
import { CalendarBuild } from './calendar.js'
import type { Dimension, DimensionalModel, Fact } from './dimensional-model.js'
import { FactLoad, factDateRange } from './fact-load.js'
import { HierarchyFlattening } from './hierarchy.js'
import { Scd1Merge } from './scd1.js'
import { Scd2Merge, type Batch } from './scd2.js'

/** A dimension's or fact's figures, for a step's result and the run's summary. */
export type LoadFigures = Readonly<Record<string, JsonValue>>

/**
 * The star schema a dimensional dictionary describes, on one warehouse: builds or merges each
 * dimension, loads each fact, and drops a table for a rebuild. Every step is safe to run again: a
 * merge of a batch already merged changes nothing, so a step that failed after its commit reruns.
 *
 * ```ts
 * const star = new StarSchema(loadDimensionalModel('metadata/support/star/support_dw.json'))
 * await star.dimension(warehouse, 'd_analysts', { seq })   // { inserted, closed, unchanged, … }
 * await star.fact(warehouse, 'f_cases', { seq })
 * ```
 */
export class StarSchema {
  constructor(readonly model: DimensionalModel) {}

  /** A dimension by name, or an error listing the ones there are. */
  dimensionNamed(name: string): Dimension {
    const found = this.model.dimensions.find((dim) => dim.name === name)
    if (!found) throw new EtlError('ETL_ERR_DIMENSIONAL_INVALID', `${this.model.file} defines no dimension "${name}"; defined: ${this.model.dimensions.map((dim) => dim.name).join(', ')}`)
    return found
  }

  factNamed(name: string): Fact {
    const found = this.model.facts.find((fact) => fact.name === name)
    if (!found) throw new EtlError('ETL_ERR_DIMENSIONAL_INVALID', `${this.model.file} defines no fact "${name}"; defined: ${this.model.facts.map((fact) => fact.name).join(', ')}`)
    return found
  }

  /** Builds or merges one dimension from its source's batch. The calendar covers the facts' dates. */
  async dimension(db: Database, name: string, batch: Batch): Promise<LoadFigures> {
    const dim = this.dimensionNamed(name)
    await db.ensureSchema(this.model.schema)
    const { schema } = this.model
    switch (dim.kind) {
      case 'scd2':
        return { ...(await new Scd2Merge(dim, schema, db.dialect).merge(db, batch)) }
      case 'scd1':
        return { ...(await new Scd1Merge(dim, schema, db.dialect).merge(db, batch)) }
      case 'hierarchy':
        return { ...(await new HierarchyFlattening(dim, schema, db.dialect).build(db)) }
      case 'calendar':
        return { ...(await new CalendarBuild(dim, schema, db.dialect, this.model.file).build(db, await factDateRange(db, this.model))) }
    }
  }

  /** Loads one fact from its source's batch; its dimensions must be built first. */
  async fact(db: Database, name: string, batch: Batch): Promise<LoadFigures> {
    await db.ensureSchema(this.model.schema)
    const counts = await new FactLoad(this.factNamed(name), this.model, db.dialect).load(db, batch)
    return { inserted: counts.inserted, updated: counts.updated, unknown: { ...counts.unknown } }
  }

  /** Drops one dimension or fact table, to build it again from the whole staging history. */
  async dropTable(db: Database, name: string): Promise<void> {
    if (!this.model.facts.some((fact) => fact.name === name)) this.dimensionNamed(name)
    await db.query(sql`drop table if exists ${sql.table(`${this.model.schema}.${name}`)}`)
  }
}
