import type { TaskContext } from '../../core/task-context.js'
import type { Database } from '../../db/database.js'
import { keysLandingTable, reconcilesHardDeletes, type TableMetadata } from '../table-metadata.js'
import { upsertLandingToStore, type UpsertStoreCounts } from '../upsert-store.js'
import type { SequencePipeline } from './sequence-pipeline.js'

/**
 * Upserts one dictionary table's landing batch of the running sequence into its store table, with
 * what its dictionary asks beside: with a `lookback`, the rows re-read in the overlap with the
 * previous window and how many of them changed; with `hardDeletes`, on a sequence that reconciles,
 * the store rows whose key the source no longer has flagged or deleted. The counts are recorded in
 * the control table in the upsert's transaction, so a rerun never counts a row twice.
 */
export async function storeSourceTable(ctx: TaskContext, sequences: SequencePipeline, meta: TableMetadata, warehouse?: Database): Promise<UpsertStoreCounts> {
  const { seq } = await sequences.running(ctx)
  const db = warehouse ?? (await ctx.db(sequences.warehouse))
  const control = sequences.control(db)
  const previous = meta.lookback && seq > 1 ? (await control.tables(seq - 1)).get(meta.table)?.endWatermark : undefined
  const reconcileWith = reconcilesHardDeletes(meta, seq) ? (meta.mode === 'full' ? meta.landing : keysLandingTable(meta)) : undefined
  return upsertLandingToStore(
    db,
    meta,
    seq,
    async (tx, keys, counts) => {
      await control.count(seq, meta.table, 'upserted_rows', keys, tx)
      if (counts.reread !== undefined) await control.count(seq, meta.table, 'reread_rows', counts.reread, tx)
      if (counts.changed !== undefined) await control.count(seq, meta.table, 'changed_rows', counts.changed, tx)
      if (counts.flagged !== undefined) await control.count(seq, meta.table, 'flagged_rows', counts.flagged, tx)
      // What a rerun deletes is only what the first attempt left: the count adds up.
      if (counts.deleted !== undefined) await control.add(seq, meta.table, 'deleted_rows', counts.deleted, tx)
    },
    { ...(previous ? { overlapThrough: previous } : {}), ...(reconcileWith ? { reconcileWith } : {}) },
  )
}
