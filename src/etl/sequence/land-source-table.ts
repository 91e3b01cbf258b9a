import { pipeline } from 'node:stream/promises'
import type { TaskContext } from '../../core/task-context.js'
import { CsvRecordCounter } from '../counting-csv.js'
import { extractSql } from '../generators/extract-sql.js'
import { sourceColumns } from '../generators/table-sql.js'
import { qualified, reconcilesHardDeletes, type TableMetadata } from '../table-metadata.js'
import type { ExecutionControl } from './execution-control.js'
import { keysLakeKey, landSourceKeys } from './land-source-keys.js'
import { loadLandingBatch } from './landing-batch.js'
import type { SequencePipeline } from './sequence-pipeline.js'

/** What landing one source table did. */
export interface LandedTable {
  /** Rows loaded into landing. */
  readonly rows: number
  /** Rows of an incremental table left out because their watermark was NULL (counted as the sequence opened). */
  readonly nullWatermark?: number
  /** The source's keys read for a reconciliation of hard deletes, on a sequence that does one. */
  readonly keys?: number
  /** The lake file the rows went through. */
  readonly key: string
  /** The rows came from the lake file an earlier attempt extracted, not from the source. */
  readonly fromLake: boolean
}

/**
 * Lands one dictionary table for the running sequence: its watermark window (the whole table for
 * a full one) goes to the lake file `key` and into its landing table in one pass, the rows carrying
 * exec_seq, with the marker-table row written in the same transaction as the load.
 *
 * An incremental table that reconciles hard deletes this sequence then reads the source's keys (see
 * `landSourceKeys`), after its rows.
 *
 * A sequence's window is extracted once. When an earlier attempt extracted it and the load failed,
 * or the marker was deleted to load again, the rerun loads the lake file: the same rows the first
 * attempt saw, though the source has moved on since. To extract again, delete the file as well.
 */
export async function landSourceTable(ctx: TaskContext, sequences: SequencePipeline, meta: TableMetadata, key: string): Promise<LandedTable> {
  const { seq } = await sequences.running(ctx)
  const source = await ctx.db(sequences.source)
  const control = sequences.control(await ctx.db(sequences.warehouse))
  const window = (await control.tables(seq)).get(meta.table)
  // The control row vouches for the file: a file left by a warehouse since wiped is not this window's.
  const extractedEarlier = window?.extractedRows != null && (await ctx.lake.exists(key))
  if (!extractedEarlier) await ctx.lake.delete(key)
  ctx.progress(extractedEarlier ? `loading ${meta.table} from ${key}` : `extracting and loading ${meta.table}`)
  const landing = qualified(meta.landing)
  const columns = sourceColumns(meta, (await source.describeTable(meta.table)).columns)
  const extract = () => source.extractCsv(extractSql(meta, seq, { start: window?.startWatermark ?? undefined, end: window?.endWatermark ?? undefined }))
  try {
    const rows = await loadLandingBatch(ctx, sequences, meta, columns, seq, async (tx) => {
      const loaded = extractedEarlier ? await ctx.data.loadFromLake(tx, landing, key) : await ctx.data.loadThroughLake(tx, landing, key, extract())
      await control.count(seq, meta.table, 'extracted_rows', loaded.rows, tx)
      return loaded
    })
    const nulls = window?.nullWatermarkRows ?? undefined
    const keys = meta.mode === 'incremental' && reconcilesHardDeletes(meta, seq) ? await landSourceKeys(ctx, sequences, meta, seq, keysLakeKey(key)) : undefined
    return { rows, ...(nulls === undefined ? {} : { nullWatermark: nulls }), ...(keys === undefined ? {} : { keys }), key, fromLake: extractedEarlier }
  } catch (error) {
    // The extract reached the lake whole though the load failed: record it, so the rerun loads it.
    // Should that fail too, the rerun extracts again, and the load's error is the one to report.
    if (!extractedEarlier) await recordExtract(ctx, control, seq, meta.table, key).catch(() => undefined)
    throw error
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
