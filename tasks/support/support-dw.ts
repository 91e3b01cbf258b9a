import { EtlError, WrapperTask, checkSourceColumns, param, qualified, type Batch, type TaskContext, type TaskLike } from 'etl'
import { BuildCaseFacts, CASE_FACTS_COLUMNS } from './build-case-facts.js'
import { REPORT_TABLE, STAR, SUPPORT } from './pipeline.js'
import { ANALYST_HISTORY, CASE_EVENTS, SLA, StageAnalystHistory, StageSla } from './stage-export-files.js'
import { StageSourceTable } from './stage-source-table.js'

// Every column the star schema reads from staging is checked when the tasks load, before anything runs.
checkSourceColumns(
  STAR.model,
  new Map<string, readonly string[]>([
    ...SUPPORT.tables.map((meta) => [qualified(meta.store), [...meta.columns, 'exec_seq']] as const),
    ...[ANALYST_HISTORY, CASE_EVENTS, SLA].map(({ meta, columns }) => [qualified(meta.store), [...columns.map((column) => column.name), 'exec_seq']] as const),
    ['staging.case_facts', CASE_FACTS_COLUMNS],
  ]),
)

const DIMENSIONS = STAR.model.dimensions.map((dim) => dim.name) as [string, ...string[]]
const FACTS = STAR.model.facts.map((fact) => fact.name) as [string, ...string[]]

/** The staging steps that fill each dimension's source (the calendar covers the facts' dates). */
const STAGED_BY: Readonly<Record<string, () => TaskLike[]>> = {
  d_analysts: () => [new StageAnalystHistory()],
  d_products: () => [new StageSourceTable({ table: 'products' })],
  d_priority: () => [new StageSla()],
  d_calendar: () => [new BuildCaseFacts()],
}

function stagingFor(dimension: string) {
  const staged = STAGED_BY[dimension]
  if (!staged) throw new EtlError('ETL_ERR_DIMENSIONAL_INVALID', `dimension "${dimension}" of ${STAR.model.file} has no staging step in tasks/support/support-dw.ts; add it to STAGED_BY`)
  return staged()
}

/**
 * Builds or merges one dimension of `support_dw` from its staging source, as its dictionary entry
 * says (SCD2, hierarchy, SCD1 or calendar). The first sequence builds it from the whole history;
 * each later one merges what the sequence staged. Its counts go to the summary.
 */
export class BuildDimension extends SUPPORT.Step.with({
  dimension: param.enum(DIMENSIONS, { description: 'the dimension, as the dimensional dictionary names it' }),
  rebuild: param.bool({ default: false, description: 'drop the dimension and build it again from the whole staging history' }),
}) {
  static override readonly description = 'build or merge one support_dw dimension from staging'

  override requires() {
    return stagingFor(this.params.dimension)
  }

  override async run(ctx: TaskContext) {
    const current = await SUPPORT.running(ctx)
    const batch: Batch = this.params.rebuild || current.seq === 1 ? 'all' : { seq: current.seq }
    const started = Date.now()
    ctx.progress(`${batch === 'all' ? 'building' : 'merging'} ${this.params.dimension}`)
    const warehouse = await ctx.db(SUPPORT.warehouse)
    if (this.params.rebuild) await STAR.dropTable(warehouse, this.params.dimension)
    const figures = await STAR.dimension(warehouse, this.params.dimension, batch)
    ctx.log.info({ ...figures, elapsedMs: Date.now() - started }, `${this.params.dimension}: ${describe(figures)} (elapsed ${Date.now() - started} ms)`)
    return SUPPORT.result(current, { ...figures })
  }
}

/** Loads one fact of `support_dw`: keys resolved, -1 for unknown members, existing cases updated in place. */
export class LoadFact extends SUPPORT.Step.with({
  fact: param.enum(FACTS, { description: 'the fact, as the dimensional dictionary names it' }),
  rebuild: param.bool({ default: false, description: 'drop the fact table and load every staged row again, after rebuilding the dimensions' }),
}) {
  static override readonly description = 'load one support_dw fact from staging'

  override requires() {
    return [new BuildCaseFacts(), new SupportDimensions({ rebuild: this.params.rebuild })]
  }

  override async run(ctx: TaskContext) {
    const current = await SUPPORT.running(ctx)
    const batch: Batch = this.params.rebuild || current.seq === 1 ? 'all' : { seq: current.seq }
    const started = Date.now()
    ctx.progress(`loading ${this.params.fact}`)
    const warehouse = await ctx.db(SUPPORT.warehouse)
    if (this.params.rebuild) {
      await STAR.dropTable(warehouse, this.params.fact)
      // The report is made from the facts: rebuilt facts may put cases under other teams.
      await warehouse.query(`drop table if exists ${REPORT_TABLE}`)
    }
    const figures = await STAR.fact(warehouse, this.params.fact, batch)
    ctx.log.info({ ...figures, elapsedMs: Date.now() - started }, `${this.params.fact}: ${describe(figures)} (elapsed ${Date.now() - started} ms)`)
    return SUPPORT.result(current, { ...figures })
  }
}

/** Every dimension of `support_dw` (seed 001's "run dimensions"). */
export class SupportDimensions extends WrapperTask.with({ rebuild: param.bool({ default: false, description: 'see BuildDimension' }) }) {
  static override readonly description = 'build or merge every support_dw dimension'

  override requires() {
    return DIMENSIONS.map((dimension) => new BuildDimension({ dimension, rebuild: this.params.rebuild }))
  }
}

/**
 * Every fact of `support_dw` (seed 001's "run facts"), after the dimensions. With `--rebuild` the
 * whole support DW is dropped and built again from staging (seed 001's `--delete_existing_tables`):
 * facts and dimensions together, since new surrogate keys need new facts.
 */
export class SupportFacts extends WrapperTask.with({ rebuild: param.bool({ default: false, description: 'drop and rebuild the support DW (dimensions and facts) from staging' }) }) {
  static override readonly description = 'load every support_dw fact (after the dimensions)'

  override requires() {
    return FACTS.map((fact) => new LoadFact({ fact, rebuild: this.params.rebuild }))
  }
}

/** `inserted=12 closed=3 unchanged=40`, for the log. */
function describe(figures: Readonly<Record<string, unknown>>): string {
  return Object.entries(figures)
    .map(([name, value]) => (typeof value === 'object' && value !== null ? `${name}={${describe(value as Record<string, unknown>)}}` : `${name}=${value}`))
    .join(' ')
}
