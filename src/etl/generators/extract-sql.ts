import { sql, type Sql } from '../../db/sql.js'
import type { TableMetadata, WhereCondition } from '../table-metadata.js'

/** The watermark window of one extract: rows with `start < watermark <= end`. */
export interface WatermarkWindow {
  /** Exclusive; `undefined` for the first extract (everything up to `end`). */
  readonly start: string | undefined
  /** Inclusive; `undefined` when the source table is empty (the extract then reads nothing). */
  readonly end: string | undefined
}

/**
 * The extract of one table: its columns, plus `exec_seq` so every landing row carries its sequence,
 * filtered by the dictionary's conditions and, for an incremental table, the watermark window. Every
 * value is a bound parameter; names come from a validated dictionary and are quoted.
 *
 * ```ts
 * extractSql(meta, 3, { start: '2024-01-01 00:00:00', end: '2024-01-02 00:00:00' })
 * // select "order_no", …, 3 as "exec_seq" from "order_lines" where "updated_datetime" > $1 and "updated_datetime" <= $2
 * ```
 */
export function extractSql(meta: TableMetadata, seq: number, window: WatermarkWindow): Sql {
  const columns = sql.join(meta.columns.map((column) => sql.id(column)))
  const conditions: Sql[] = meta.where.map(condition)
  const wm = watermarkExpression(meta)
  if (wm) {
    if (window.end === undefined) conditions.push(sql`1 = 0`)
    else {
      if (window.start !== undefined) conditions.push(sql`${wm} > ${window.start}`)
      conditions.push(sql`${wm} <= ${window.end}`)
    }
  }
  // The sequence is an integer the control table issued, written as a literal so its type is known.
  return sql`select ${columns}, ${sql.raw(String(Math.trunc(seq)))} as ${sql.id('exec_seq')} from ${sql.id(meta.table)}${whereClause(conditions)}`
}

/**
 * The extract of one table without a watermark window: the dictionary's columns and conditions
 * over the whole table, every row a sequence could read from it. What `etl check` counts.
 *
 * ```ts
 * extractAllSql(meta)
 * // select "order_no", …, "is_deleted" from "order_lines" where "quantity" > $1
 * ```
 */
export function extractAllSql(meta: TableMetadata): Sql {
  const columns = sql.join(meta.columns.map((column) => sql.id(column)))
  return sql`select ${columns} from ${sql.id(meta.table)}${whereClause(meta.where.map(condition))}`
}

/** The query for a table's current end watermark: its largest watermark value (NULL when empty). */
export function maxWatermarkSql(meta: TableMetadata): Sql | undefined {
  const wm = watermarkExpression(meta)
  if (!wm) return undefined
  return sql`select max(${wm}) as ${sql.id('wm')} from ${sql.id(meta.table)}`
}

/**
 * What an incremental table's windows compare: its watermark column, or `coalesce(watermark,
 * fallback)` when the dictionary names a fallback. `alias` qualifies the columns. Undefined for a
 * full table.
 */
export function watermarkExpression(meta: TableMetadata, alias?: string): Sql | undefined {
  if (meta.mode !== 'incremental' || !meta.watermark) return undefined
  const column = (name: string) => (alias ? sql.id(alias, name) : sql.id(name))
  return meta.fallback ? sql`coalesce(${column(meta.watermark)}, ${column(meta.fallback)})` : sql`${column(meta.watermark)}`
}

/**
 * The count of the rows the dictionary's extract would select but no watermark window can: those
 * whose watermark (with the fallback, if any) is NULL. Undefined for a full table.
 *
 * ```ts
 * nullWatermarkCountSql(meta)
 * // select count(*) as "n" from "orders" where "updated_datetime" is null
 * ```
 */
export function nullWatermarkCountSql(meta: TableMetadata): Sql | undefined {
  const wm = watermarkExpression(meta)
  if (!wm) return undefined
  return sql`select count(*) as ${sql.id('n')} from ${sql.id(meta.table)}${whereClause([...meta.where.map(condition), sql`${wm} is null`])}`
}

/**
 * The source's keys, for a reconciliation of hard deletes: the key columns of every row the
 * dictionary's extract could read (no watermark window), with `exec_seq`.
 */
export function keysExtractSql(meta: TableMetadata, seq: number): Sql {
  const keys = sql.join(meta.key.map((column) => sql.id(column)))
  return sql`select ${keys}, ${sql.raw(String(Math.trunc(seq)))} as ${sql.id('exec_seq')} from ${sql.id(meta.table)}${whereClause(meta.where.map(condition))}`
}

function whereClause(conditions: readonly Sql[]): Sql {
  return conditions.length ? sql` where ${sql.join(conditions, ' and ')}` : sql``
}

function condition(where: WhereCondition): Sql {
  const column = sql.id(where.column)
  if (where.op === 'is null' || where.op === 'is not null') return sql`${column} ${sql.raw(where.op)}`
  return sql`${column} ${sql.raw(where.op)} ${where.value}`
}
