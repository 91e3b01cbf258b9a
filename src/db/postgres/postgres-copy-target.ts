import type { TableRef } from '../table-ref.js'
import { postgresDialect } from './postgres-dialect.js'

/** `"schema"."table" ("a", "b")`: the target of a `copy … from`, shared by Postgres and PGlite. */
export function postgresCopyTarget(table: TableRef, columns: readonly { name: string }[]): string {
  return `${postgresDialect.quoteTable(table)} (${columns.map((column) => postgresDialect.quoteIdentifier(column.name)).join(', ')})`
}
