import type { SqlSyntax } from '../sql.js'

/** Postgres' syntax: `$1` placeholders and double-quoted identifiers. Shared by PGlite. */
export const postgresSyntax: SqlSyntax = Object.freeze({
  placeholder: (index: number) => `$${index}`,
  quoteIdentifier: (name: string) => `"${name.replace(/"/g, '""')}"`,
})

/** A Postgres literal for a value, for the few statements that cannot take parameters (`COPY (…) TO`). */
export function postgresLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (value instanceof Uint8Array) return `'\\x${Buffer.from(value).toString('hex')}'::bytea`
  const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value)
  // With standard_conforming_strings on (the default since 9.1) only the quote needs doubling; the E''
  // form makes that true whatever the setting, once backslashes are doubled too.
  return text.includes('\\') ? `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${text.replace(/'/g, "''")}'`
}

/** Postgres' syntax with every value written as a literal instead of a placeholder. */
export const postgresInlineSyntax: SqlSyntax = Object.freeze({ ...postgresSyntax, inlineLiteral: postgresLiteral })
