import { tableName, type TableRef } from '../table-ref.js'
import { postgresSyntax } from './postgres-syntax.js'

/** `"schema"."table" ("a", "b")`: the target of a `copy … from`, shared by Postgres and PGlite. */
export function postgresCopyTarget(table: TableRef, columns: readonly { name: string }[]): string {
  const { schema, name } = tableName(table)
  const target = (schema === undefined ? '' : `${postgresSyntax.quoteIdentifier(schema)}.`) + postgresSyntax.quoteIdentifier(name)
  return `${target} (${columns.map((column) => postgresSyntax.quoteIdentifier(column.name)).join(', ')})`
}
