import { extractAllSql, landSourceTable, param, type SourceQuery, type TaskContext } from 'etl'
import { METADATA, ORDERS, landingKey } from './pipeline.js'
import { StartExecution } from './start-execution.js'

/**
 * Lands one source table for the sequence (see `landSourceTable`): its watermark window goes to the
 * lake (`landing/<table>/exec_seq=<n>/part-0000.csv`) and into its landing table in one pass. A
 * rerun after a failed load loads the lake file the first attempt wrote; to extract again, delete
 * the file as well.
 */
export class LandTable extends ORDERS.Step.with({
  table: param.enum(METADATA.map((meta) => meta.table) as [string, ...string[]], { description: 'the source table, as its dictionary names it' }),
}) {
  static override readonly description = 'extract one source table (its watermark window) to the lake and load it into its landing table, in one pass'
  override resources = { source: 1 }

  override requires() {
    return new StartExecution()
  }

  /** The table's extract over the whole table (no watermark window), for `etl check`. */
  override sourceQueries(): SourceQuery[] {
    const meta = ORDERS.table(this.params.table)
    return [{ connection: ORDERS.source, label: meta.table, statement: extractAllSql(meta) }]
  }

  override async run(ctx: TaskContext) {
    const meta = ORDERS.table(this.params.table)
    const current = await ORDERS.running(ctx)
    const landed = await landSourceTable(ctx, ORDERS, meta, landingKey(meta.table, current.seq))
    return ORDERS.result(current, { ...landed })
  }
}
