import type { TaskContext } from '../../core/task-context.js'
import type { Database } from '../../db/database.js'
import { EtlError } from '../../errors.js'
import { maxWatermarkSql, nullWatermarkCountSql } from '../generators/extract-sql.js'
import { sourceColumns } from '../generators/table-sql.js'
import type { TableMetadata } from '../table-metadata.js'
import { canonicalWatermark, checkLookback, lookbackStart } from '../watermark-value.js'
import type { OpeningWindow } from './execution-control.js'

/**
 * One dictionary table's window for a new sequence: from the previous end watermark (less the
 * lookback) to the source's largest watermark now, with the count of the rows whose watermark is
 * NULL, which no window selects. Those rows are warned about, or, with `"nullWatermark": "error"`,
 * refused before anything is extracted. A full table has no window.
 */
export async function openingWindow(ctx: TaskContext, source: Database, meta: TableMetadata, previousEnd: string | null): Promise<OpeningWindow> {
  const max = maxWatermarkSql(meta)
  const count = nullWatermarkCountSql(meta)
  if (!max || !count || !meta.watermark) return { table: meta.table, start: null, end: null }
  if (meta.lookback) checkLookback(meta, sourceColumns(meta, (await source.describeTable(meta.table)).columns).find((column) => column.name === meta.watermark)!)
  const nulls = Number((await source.query(count)).rows[0]?.n ?? 0)
  if (nulls > 0) refuseOrWarn(ctx, meta, nulls)
  const end = canonicalWatermark((await source.query(max)).rows[0]?.wm)
  const previous = canonicalWatermark(previousEnd)
  const start = previous !== null && meta.lookback ? lookbackStart(previous, meta.lookback) : previous
  return { table: meta.table, start, end, nullWatermarkRows: nulls }
}

function refuseOrWarn(ctx: TaskContext, meta: TableMetadata, nulls: number): void {
  const column = meta.fallback ? `"${meta.watermark}" and its fallback "${meta.fallback}" are` : `"${meta.watermark}" is`
  const rows = `${nulls} row${nulls === 1 ? '' : 's'} of "${meta.table}"`
  const fix = meta.fallback
    ? 'fill one of them in the source'
    : `set "fallback": "<column>" in ${meta.file} to extract them by another column (e.g. "created_datetime"), or fill the watermark in the source`
  if (meta.nullWatermark === 'error') {
    throw new EtlError('ETL_ERR_ELT_NULL_WATERMARK', `${meta.file}: table "${meta.table}" ("nullWatermark": "error"): ${rows} have NULL where ${column}, so no sequence would extract them; ${fix}, or set "nullWatermark": "warn" to go on without them`)
  }
  ctx.log.warn({ table: meta.table, rows: nulls }, `${rows} will not be extracted: ${column} NULL there; ${fix}`)
}
