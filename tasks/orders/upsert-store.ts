import { storeSourceTable, type TaskContext } from 'etl'
import { LandTable } from './land-table.js'
import { METADATA, ORDERS } from './pipeline.js'

/**
 * Upserts every table's landing batch into its store table, one table at a time: the batch reduced to
 * the newest row per unique key, soft-deleted rows kept with their flag, with the dictionary's
 * lookback counts and hard deletes (see `storeSourceTable`). A table finished before a
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
    // Named for the warehouse as well: a table upserted into a warehouse since wiped is not done in this one.
    const items = METADATA.map((meta) => `${meta.table}@exec_seq=${seq}@${current.warehouse ?? ''}`)
    const loop = await ctx.completed.each(items, async (item, index) => {
      const meta = METADATA[index]!
      ctx.progress(`upserting ${meta.table}`, { done: index, total: METADATA.length })
      const counts = await storeSourceTable(ctx, ORDERS, meta, warehouse)
      return { table: meta.table, ...counts }
    })
    const ran = loop.ran.map(({ result }) => result)
    const rows = Object.fromEntries(ran.map((result) => [result.table, result.rows]))
    // What the lookbacks re-read and the reconciliations found gone, where there was any, before the row counts.
    const edges = Object.fromEntries(
      (['changed', 'reread', 'flagged', 'deleted'] as const)
        .map((figure) => [figure, Object.fromEntries(ran.filter((result) => (result[figure] ?? 0) > 0).map((result) => [result.table, result[figure]!]))] as const)
        .filter(([, counts]) => Object.keys(counts).length > 0),
    )
    return ORDERS.result(current, { tables: METADATA.length, skipped: loop.skipped.length, ...edges, rows })
  }
}
