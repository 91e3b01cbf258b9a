import { EtlError } from '../../errors.js'
import type { ColumnDescription } from '../../db/column-type.js'
import { sql, type Sql } from '../../db/sql.js'
import type { SqlDialect } from '../../db/sql-dialect.js'
import { qualified, type TableMetadata } from '../table-metadata.js'
import { watermarkExpression } from './extract-sql.js'

/** The column every landing and store row carries: the execution sequence that loaded it. */
export const EXEC_SEQ_COLUMN: ColumnDescription = Object.freeze({
  name: 'exec_seq',
  nativeType: 'bigint',
  type: Object.freeze({ kind: 'integer', bits: 64 }),
  nullable: false,
})

/** The store column a table with `"hardDeletes": "flag"` has: the sequence that found its key gone from the source, NULL while it is there. */
export const DELETED_AT_SEQ_COLUMN: ColumnDescription = Object.freeze({
  name: 'etl_deleted_at_seq',
  nativeType: 'bigint',
  type: Object.freeze({ kind: 'integer', bits: 64 }),
  nullable: true,
})

/** `create schema if not exists …` (a database on MySQL). */
export function createSchemaSql(schema: string): Sql {
  return sql`create schema if not exists ${sql.id(schema)}`
}

/**
 * The dictionary's columns as the source describes them, in the dictionary's order. A column the
 * source does not have is an error naming the dictionary, the table and the column.
 */
export function sourceColumns(meta: TableMetadata, described: readonly ColumnDescription[]): ColumnDescription[] {
  return meta.columns.map((name) => {
    const found = described.find((column) => column.name === name) ?? described.find((column) => column.name.toLowerCase() === name.toLowerCase())
    if (found) return { ...found, name }
    throw new EtlError(
      'ETL_ERR_ELT_SOURCE_MISMATCH',
      `${meta.file}: table "${meta.table}", field "columns": the source table has no column "${name}" (it has ${described.map((column) => column.name).join(', ')}); fix the dictionary or the source`,
    )
  })
}

/** The landing table: the source columns, all nullable (landing keeps what came), plus `exec_seq`. */
export function landingTableSql(dialect: SqlDialect, meta: TableMetadata, columns: readonly ColumnDescription[]): string {
  const nullable = columns.map((column) => ({ ...column, nullable: true }))
  return dialect.createTableSql(qualified(meta.landing), [...nullable, EXEC_SEQ_COLUMN], { ifNotExists: true })
}

/**
 * The store table: the source columns (key columns not null), `exec_seq`, `etl_deleted_at_seq` when
 * hard deletes are flagged, and the unique key as primary key.
 */
export function storeTableSql(dialect: SqlDialect, meta: TableMetadata, columns: readonly ColumnDescription[]): string {
  const typed = columns.map((column) => ({ ...column, nullable: !meta.key.includes(column.name) }))
  const flagged = meta.hardDeletes === 'flag' ? [DELETED_AT_SEQ_COLUMN] : []
  const create = dialect.createTableSql(qualified(meta.store), [...typed, EXEC_SEQ_COLUMN, ...flagged], { ifNotExists: true })
  const key = meta.key.map((column) => dialect.quoteIdentifier(column)).join(', ')
  // createTableSql ends with "\n)": the key goes in as the last element of the column list.
  return `${create.slice(0, -2)},\n  primary key (${key})\n)`
}

/**
 * The landing-to-store upsert for one sequence: the batch reduced to the newest row per unique key
 * (by the watermark, as seed 004 deduplicates overlapping extracts), then upserted in the dialect's
 * way. Rows flagged `is_deleted` are kept, with their flag, as the source says.
 */
export function upsertStoreSql(dialect: SqlDialect, meta: TableMetadata, seq: number): Sql[] {
  const columns = [...meta.columns, EXEC_SEQ_COLUMN.name]
  return dialect.upsertSql({ target: qualified(meta.store), columns, key: meta.key, rows: newestRowsSql(meta, seq) })
}

/**
 * The store's first fill from one sequence's batch whose keys are all distinct: a plain insert,
 * with no newest-row window and no conflict to resolve. An empty store is every first load, and
 * on a million rows this takes under half the upsert's time.
 */
export function fillStoreSql(meta: TableMetadata, seq: number): Sql {
  const list = sql.join([...meta.columns, EXEC_SEQ_COLUMN.name].map((column) => sql.id(column)))
  return sql`insert into ${sql.table(qualified(meta.store))} (${list}) select ${list} from ${sql.id(meta.landing.schema, meta.landing.name)} where ${sql.id('exec_seq')} = ${seq}`
}

/** The sequence's landing batch, the newest row per unique key (by the watermark, with its fallback). */
export function newestRowsSql(meta: TableMetadata, seq: number): Sql {
  const list = sql.join([...meta.columns, EXEC_SEQ_COLUMN.name].map((column) => sql.id(column)))
  const partition = sql.join(meta.key.map((column) => sql.id(column)))
  const wm = watermarkExpression(meta) ?? (meta.watermark ? sql.id(meta.watermark) : undefined)
  const order = wm ? sql` order by ${wm} desc` : sql``
  return sql`select ${list} from (select ${list}, row_number() over (partition by ${partition}${order}) as etl_rn from ${sql.id(meta.landing.schema, meta.landing.name)} where ${sql.id('exec_seq')} = ${seq}) d where etl_rn = 1`
}
