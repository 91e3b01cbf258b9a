import { sql, type Sql } from '../../db/sql.js'
import type { TableMetadata } from '../table-metadata.js'
import { watermarkExpression } from './extract-sql.js'
import { newestRowsSql } from './table-sql.js'

/**
 * The counts of a lookback's overlap, to run before the upsert: the rows of the sequence's batch at
 * or below the previous end watermark (`reread`), and of those the ones store does not yet have with
 * that watermark (`changed`: new keys, or rows whose watermark moved, the late arrivals).
 */
export function overlapCountSql(meta: TableMetadata, seq: number, previousEnd: string): Sql | undefined {
  const wm = watermarkExpression(meta, 'd')
  const stored = watermarkExpression(meta, 's')
  if (!wm || !stored) return undefined
  const match = sql.join(
    meta.key.map((column) => sql`s.${sql.id(column)} = d.${sql.id(column)}`),
    ' and ',
  )
  const inStore = sql`exists (select 1 from ${sql.id(meta.store.schema, meta.store.name)} s where ${match} and ${stored} = ${wm})`
  return sql`select count(*) as ${sql.id('reread')}, coalesce(sum(case when ${inStore} then 0 else 1 end), 0) as ${sql.id('changed')} from (${newestRowsSql(meta, seq)}) d where ${wm} <= ${previousEnd}`
}
