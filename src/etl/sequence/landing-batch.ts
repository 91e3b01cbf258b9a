import type { TaskContext } from '../../core/task-context.js'
import type { ColumnDescription } from '../../db/column-type.js'
import type { BulkLoadResult, Transaction } from '../../db/database.js'
import { sql } from '../../db/sql.js'
import { TableUpdateTarget } from '../../db/table-update-target.js'
import { EXEC_SEQ_COLUMN, landingTableSql } from '../generators/table-sql.js'
import { qualified, type TableMetadata } from '../table-metadata.js'
import { upsertLandingToStore } from '../upsert-store.js'
import type { SequencePipeline } from './sequence-pipeline.js'

/** How a landing batch is loaded. */
export interface LandingBatchOptions {
  /**
   * Leave the landing's `exec_seq` index to the caller, who builds it (`ensureIndex`) before a later
   * sequence reads one batch: a next step can build it on another connection while it works, off
   * the load's path. @defaultValue false: it is built after the load
   */
  readonly deferIndex?: boolean
}

/**
 * Loads one sequence's batch into a table's landing table (created from `columns` when missing):
 * the sequence's earlier rows are replaced, so a rerun never doubles them, and the marker row and
 * the `loaded_rows` count are written in the load's own transaction. Returns the rows loaded.
 */
export async function loadLandingBatch(
  ctx: TaskContext,
  pipeline: SequencePipeline,
  meta: TableMetadata,
  columns: readonly ColumnDescription[],
  seq: number,
  load: (tx: Transaction) => Promise<BulkLoadResult>,
  options: LandingBatchOptions = {},
): Promise<number> {
  const warehouse = await ctx.db(pipeline.warehouse)
  await warehouse.ensureSchema(meta.landing.schema)
  await warehouse.query(landingTableSql(warehouse.dialect, meta, columns))
  const landing = qualified(meta.landing)
  const control = pipeline.control(warehouse)
  const target = new TableUpdateTarget(warehouse, landing, `exec_seq=${seq}`)
  // A rerun (its output marker deleted) loads again.
  await target.remove()
  const outcome = await target.commit(async (tx) => {
    await tx.query(sql`delete from ${sql.id(meta.landing.schema, meta.landing.name)} where ${sql.id(EXEC_SEQ_COLUMN.name)} = ${seq}`)
    const loaded = await load(tx)
    await control.count(seq, meta.table, 'loaded_rows', loaded.rows, tx)
    return loaded
  })
  // Landing keeps every sequence; what reads it reads one (the upsert, a rerun's delete, the pres
  // refresh). Made after the first load, by one sort, rather than kept up row by row during it.
  if (!options.deferIndex) await warehouse.ensureIndex(landing, [EXEC_SEQ_COLUMN.name])
  return outcome.skipped ? 0 : outcome.result.rows
}

/**
 * Stages a lake file the running sequence wrote (a parsed log, export files): loaded into the
 * table's landing table, then upserted into its store table, each in its own transaction. The
 * counts go to the control row `countsAs` (a feed's name) when given.
 */
export async function stageLakeBatch(
  ctx: TaskContext,
  pipeline: SequencePipeline,
  batch: { meta: TableMetadata; columns: readonly ColumnDescription[]; key: string; countsAs?: string },
): Promise<{ rows: number; upserted: number }> {
  const { seq } = await pipeline.running(ctx)
  const { meta, columns, key, countsAs } = batch
  const warehouse = await ctx.db(pipeline.warehouse)
  const control = pipeline.control(warehouse)
  const rows = await loadLandingBatch(ctx, pipeline, meta, columns, seq, async (tx) => {
    const loaded = await ctx.data.loadFromLake(tx, qualified(meta.landing), key)
    if (countsAs) await control.count(seq, countsAs, 'extracted_rows', loaded.rows, tx)
    return loaded
  })
  const upserted = await upsertLandingToStore(warehouse, meta, seq, countsAs ? (tx, keys) => control.count(seq, countsAs, 'upserted_rows', keys, tx) : undefined)
  return { rows, upserted: upserted.rows }
}
