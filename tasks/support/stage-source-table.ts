import { extractAllSql, extractSql, loadLandingBatch, param, qualified, sourceColumns, upsertLandingToStore, type TaskContext } from 'etl'
import { SUPPORT, stagingKey } from './pipeline.js'
import { StartSupportSequence } from './start-support-sequence.js'

/**
 * Stages one support-source table for the sequence: its window (the whole table for a full one) to
 * the lake and into its landing table in one pass, then upserted into `staging`, each in its own
 * transaction with its count. A rerun after a failed upsert loads the lake file the first attempt
 * wrote: the window's rows as they were.
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
    const { seq } = current
    const source = await ctx.db(SUPPORT.source)
    const warehouse = await ctx.db(SUPPORT.warehouse)
    const control = SUPPORT.control(warehouse)
    const window = (await control.tables(seq)).get(meta.table)
    const key = stagingKey(meta.table, seq)
    const extracted = window?.extractedRows != null && (await ctx.lake.exists(key))
    ctx.progress(extracted ? `loading ${meta.table} from ${key}` : `extracting ${meta.table}`)
    const columns = sourceColumns(meta, (await source.describeTable(meta.table)).columns)
    const extract = () => source.extractCsv(extractSql(meta, seq, { start: window?.startWatermark ?? undefined, end: window?.endWatermark ?? undefined }))
    const rows = await loadLandingBatch(ctx, SUPPORT, meta, columns, seq, async (tx) => {
      const loaded = extracted ? await ctx.data.loadFromLake(tx, qualified(meta.landing), key) : await ctx.data.loadThroughLake(tx, qualified(meta.landing), key, extract())
      await control.count(seq, meta.table, 'extracted_rows', loaded.rows, tx)
      return loaded
    })
    ctx.progress(`upserting ${meta.table} into ${qualified(meta.store)}`)
    const upserted = await upsertLandingToStore(warehouse, meta, seq, (tx, keys) => control.count(seq, meta.table, 'upserted_rows', keys, tx))
    return SUPPORT.result(current, { rows, upserted: upserted.rows })
  }
}
