import type { SqlSyntax } from '../sql.js'
import { postgresSyntax } from '../postgres/postgres-syntax.js'

/**
 * Redshift through the Data API: named `:p1` placeholders whose values travel as text, and Postgres
 * quoting. The Data API cannot bind NULL, so a null is written as the literal `null`.
 */
export const redshiftSyntax: SqlSyntax = Object.freeze({
  placeholder: (index: number) => `:p${index}`,
  quoteIdentifier: postgresSyntax.quoteIdentifier,
  inlineLiteral: (value: unknown) => (value === null || value === undefined ? 'null' : undefined),
})

/** The Data API's parameter for a bound value (always text; Redshift casts it by context). */
export function redshiftParameter(value: unknown, index: number): { name: string; value: string } {
  const text =
    typeof value === 'string' ? value
    : value instanceof Date ? value.toISOString().replace('T', ' ').replace('Z', '')
    : typeof value === 'object' ? JSON.stringify(value)
    : String(value)
  return { name: `p${index + 1}`, value: text }
}
