import { extractAllSql, landSourceTable, param, qualified, upsertLandingToStore, type TaskContext } from 'etl'
import { SUPPORT, stagingKey } from './pipeline.js'
import { StartSupportSequence } from './start-support-sequence.js'

/**
 * Stages one support-source table for the sequence: its window (the whole table for a full one) to
 * the lake and into its landing table in one pass (`landSourceTable`), then upserted into
 * `staging`, each in its own transaction with its count. A rerun after a failed upsert loads the
 * lake file the first attempt wrote: the window's rows as they were.
 */
export class StageSourceTable extends SUPPORT.Step.with({
  table: param.enum(SUPPORT.tables.map((meta) => meta.table) as [string, ...string[]], { description: 'the support-source table, as its dictionary names it' }),
}) {
  static override readonly description = 'stage one support-source table: extract its window to the lake, land it, upsert it into staging'
  override resources = { support_source: 1 }

  override requires() {
    return new StartSupportSequence()
  }

  override sourceQueries() {
    const meta = SUPPORT.table(this.params.table)
    return [{ connection: SUPPORT.source, label: meta.table, statement: extractAllSql(meta) }]
  }

  override async run(ctx: TaskContext) {
    const meta = SUPPORT.table(this.params.table)
    const current = await SUPPORT.running(ctx)
    const landed = await landSourceTable(ctx, SUPPORT, meta, stagingKey(meta.table, current.seq))
    ctx.progress(`upserting ${meta.table} into ${qualified(meta.store)}`)
    const warehouse = await ctx.db(SUPPORT.warehouse)
    const control = SUPPORT.control(warehouse)
    const upserted = await upsertLandingToStore(warehouse, meta, current.seq, (tx, keys) => control.count(current.seq, meta.table, 'upserted_rows', keys, tx))
    return SUPPORT.result(current, { ...landed, upserted: upserted.rows })
  }
}
