import type { Sql } from './sql.js'
import type { TableRef } from './table-ref.js'

/** An upsert: rows from a query into a table, matched on a unique key. */
export interface UpsertSpec {
  /** The table to write; it has a unique constraint (or primary key) on `key`. */
  readonly target: TableRef
  /** The columns the query returns, in order, and the table's columns of the same names. */
  readonly columns: readonly string[]
  /** The unique key columns (a subset of `columns`). */
  readonly key: readonly string[]
  /** A query returning at most one row per key. */
  readonly rows: Sql
}
