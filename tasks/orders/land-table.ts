import { pipeline } from 'node:stream/promises'
import { CsvRecordCounter, extractAllSql, extractSql, loadLandingBatch, param, qualified, sourceColumns, type ExecutionControl, type SourceQuery, type TaskContext } from 'etl'
import { METADATA, ORDERS, landingKey } from './pipeline.js'
import { StartExecution } from './start-execution.js'

/**
 * Lands one source table for the sequence: its watermark window goes to the lake
 * (`landing/<table>/exec_seq=<n>/part-0000.csv`) and into its landing table in one pass, the rows
 * carrying exec_seq, with the marker-table row written in the same transaction as the load.
 *
 * A sequence's window is extracted once. When an earlier attempt extracted it and the load failed,
 * or the marker was deleted to load again, the rerun loads the lake file: the same rows the first
 * attempt saw, though the source has moved on since. To extract again, delete the file as well.
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
    const { seq } = current
    const source = await ctx.db(ORDERS.source)
    const control = ORDERS.control(await ctx.db(ORDERS.warehouse))
    const window = (await control.tables(seq)).get(meta.table)
    const key = landingKey(meta.table, seq)
    // The control row vouches for the file: a file left by a warehouse since wiped is not this window's.
    const extractedEarlier = window?.extractedRows != null && (await ctx.lake.exists(key))
    if (!extractedEarlier) await ctx.lake.delete(key)
    ctx.progress(extractedEarlier ? `loading ${meta.table} from ${key}` : `extracting and loading ${meta.table}`)
    const landing = qualified(meta.landing)
    const columns = sourceColumns(meta, (await source.describeTable(meta.table)).columns)
    const extract = () => source.extractCsv(extractSql(meta, seq, { start: window?.startWatermark ?? undefined, end: window?.endWatermark ?? undefined }))
    try {
      const rows = await loadLandingBatch(ctx, ORDERS, meta, columns, seq, async (tx) => {
        const loaded = extractedEarlier ? await ctx.data.loadFromLake(tx, landing, key) : await ctx.data.loadThroughLake(tx, landing, key, extract())
        await control.count(seq, meta.table, 'extracted_rows', loaded.rows, tx)
        return loaded
      })
      return ORDERS.result(current, { rows, key, fromLake: extractedEarlier })
    } catch (error) {
      // The extract reached the lake whole though the load failed: record it, so the rerun loads it.
      // Should that fail too, the rerun extracts again, and the load's error is the one to report.
      if (!extractedEarlier) await recordExtract(ctx, control, seq, meta.table, key).catch(() => undefined)
      throw error
    }
  }
}

/** Records the rows of the lake file a failed attempt left whole, if it left one. */
async function recordExtract(ctx: TaskContext, control: ExecutionControl, seq: number, table: string, key: string): Promise<void> {
  if (!(await ctx.lake.exists(key))) return
  const counter = new CsvRecordCounter()
  await pipeline(await ctx.lake.get(key), counter, async function* (records) {
    for await (const _ of records);
  })
  await control.count(seq, table, 'extracted_rows', counter.rows())
}
