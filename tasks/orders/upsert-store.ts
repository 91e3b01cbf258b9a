import { upsertLandingToStore, type TaskContext } from 'etl'
import { LandTable } from './land-table.js'
import { METADATA, ORDERS } from './pipeline.js'

/**
 * Upserts every table's landing batch into its store table, one table at a time: the batch reduced to
 * the newest row per unique key, soft-deleted rows kept with their flag. A table finished before a
 * failure is skipped on the rerun (its `completed/` marker).
 */
export class UpsertStore extends ORDERS.Step {
  static override readonly description = 'upsert each landing batch into its store table (skips tables already done)'

  override requires() {
    return METADATA.map((meta) => new LandTable({ table: meta.table }))
  }

  override async run(ctx: TaskContext) {
    const current = await ORDERS.running(ctx)
    const { seq } = current
    const warehouse = await ctx.db(ORDERS.warehouse)
    const control = ORDERS.control(warehouse)
    // Named for the warehouse as well: a table upserted into a warehouse since wiped is not done in this one.
    const items = METADATA.map((meta) => `${meta.table}@exec_seq=${seq}@${current.warehouse ?? ''}`)
    const loop = await ctx.completed.each(items, async (item, index) => {
      const meta = METADATA[index]!
      ctx.progress(`upserting ${meta.table}`, { done: index, total: METADATA.length })
      const { rows } = await upsertLandingToStore(warehouse, meta, seq, (tx, keys) => control.count(seq, meta.table, 'upserted_rows', keys, tx))
      return { table: meta.table, rows }
    })
    const rows = Object.fromEntries(loop.ran.map(({ result }) => [result.table, result.rows]))
    return ORDERS.result(current, { tables: METADATA.length, skipped: loop.skipped.length, rows })
  }
}
