import type { ColumnDescription, ColumnType } from '../../db/column-type.js'
import type { Database, Queryable } from '../../db/database.js'
import { sql, type Sql, type SqlIdentifier } from '../../db/sql.js'
import type { SqlDialect } from '../../db/sql-dialect.js'
import { EtlError } from '../../errors.js'

/** The surrogate key every dimension has; `-1` is its unknown member. */
export const SURROGATE_KEY = 'id'
/** The key facts carry for a missing or unknown dimension member, so BI queries need no outer joins. */
export const UNKNOWN_KEY = -1
/** The unknown member's text columns. */
export const UNKNOWN_TEXT = 'Unknown'

export const BIGINT: ColumnType = Object.freeze({ kind: 'integer', bits: 64 })
export const INT: ColumnType = Object.freeze({ kind: 'integer', bits: 32 })
export const SMALLINT: ColumnType = Object.freeze({ kind: 'integer', bits: 16 })
export const DATE: ColumnType = Object.freeze({ kind: 'date' })
export const BOOLEAN: ColumnType = Object.freeze({ kind: 'boolean' })
export const TEXT = (length: number): ColumnType => Object.freeze({ kind: 'string', length })

/** A column the toolkit adds, described in portable terms. */
export function column(name: string, type: ColumnType, nullable = false): ColumnDescription {
  return { name, type, nullable, nativeType: type.kind }
}

/**
 * The source's columns `names`, as the source describes them, in that order: the dimension's
 * columns take their types from what they are built from. A name the source lacks is an error
 * naming the dimension, the source and the columns it has.
 */
export async function sourceColumnsOf(db: Database, source: string, names: readonly string[], owner: string): Promise<ColumnDescription[]> {
  const described = (await db.describeTable(source)).columns
  return names.map((name) => {
    const found = described.find((col) => col.name.toLowerCase() === name.toLowerCase())
    if (!found) {
      throw new EtlError(
        'ETL_ERR_ELT_SOURCE_MISMATCH',
        `${owner}: its source ${source} has no column "${name}" (it has ${described.map((col) => col.name).join(', ')}); fix the dimensional dictionary or the staging table`,
      )
    }
    return { ...found, name }
  })
}

/**
 * What the unknown member holds in a column when the dictionary says nothing: -1, "Unknown" ("?"
 * where the column is too short for it), or NULL.
 */
export function unknownValue(col: ColumnDescription, given: Readonly<Record<string, unknown>> = {}): unknown {
  if (col.name in given) return given[col.name]
  switch (col.type.kind) {
    case 'integer':
    case 'decimal':
    case 'float':
      return UNKNOWN_KEY
    case 'string':
      return col.type.length === undefined || col.type.length >= UNKNOWN_TEXT.length ? UNKNOWN_TEXT : '?'
    case 'boolean':
      return false
    default:
      return null
  }
}

/**
 * Inserts the unknown member (`id` -1) unless it is there. `values` holds each column's value as
 * SQL: bound values, or an expression the caller wrote.
 */
export async function ensureUnknownRow(tx: Queryable, table: string, values: ReadonlyArray<readonly [string, Sql]>): Promise<number> {
  const { rows } = await tx.query(sql`select count(*) as n from ${sql.table(table)} where ${sql.id(SURROGATE_KEY)} = ${UNKNOWN_KEY}`)
  if (Number(rows[0]?.n ?? 0) > 0) return 0
  const columns = sql.join([SURROGATE_KEY, ...values.map(([name]) => name)].map((name) => sql.id(name)))
  await tx.query(sql`insert into ${sql.table(table)} (${columns}) values (${sql.join([sql`${UNKNOWN_KEY}`, ...values.map(([, value]) => value)])})`)
  return 1
}

/** The largest surrogate key in `table`, 0 when it holds only its unknown member. */
export async function maxSurrogateKey(tx: Queryable, table: string): Promise<number> {
  const { rows } = await tx.query(sql`select max(${sql.id(SURROGATE_KEY)}) as mx from ${sql.table(table)}`)
  return Math.max(0, Number(rows[0]?.mx ?? 0))
}

/** `a` and `b` differ, NULL counting as a value (`is distinct from`, written so every dialect runs it). */
export function differs(a: Sql | SqlIdentifier, b: Sql | SqlIdentifier): Sql {
  return sql`(${a} <> ${b} or (${a} is null and ${b} is not null) or (${a} is not null and ${b} is null))`
}

/** `t.a = s.a and t.b = s.b` over `columns`. */
export function matchOn(columns: readonly string[], left = 't', right = 's'): Sql {
  return sql.join(
    columns.map((name) => sql`${sql.id(left, name)} = ${sql.id(right, name)}`),
    ' and ',
  )
}

/** `name` cut to the 63 characters every dialect allows. */
export function workTableName(prefix: string, name: string): string {
  return `${prefix}_${name}`.slice(0, 63)
}

/**
 * Overwrites the type-1 columns of `table`'s rows (every version, for an SCD2 dimension) with the
 * values of the rows of `source` that share their natural key, where they differ.
 */
export function type1UpdateSql(dialect: SqlDialect, table: string, source: string, naturalKey: readonly string[], type1: readonly string[]): Sql {
  const change = sql.join(
    type1.map((name) => differs(sql.id('t', name), sql.id('s', name))),
    ' or ',
  )
  return dialect.updateFromSql(
    table,
    sql`${sql.id(source)}`,
    sql`${matchOn(naturalKey)} and (${change})`,
    type1.map((name) => ({ column: name, value: sql`${sql.id('s', name)}` })),
  )
}
