/** Values for the `:name` variables of a SQL file. Only numbers: they go into the text as literals. */
export type SqlVariables = Readonly<Record<string, number>>

// Quoted text is skipped, as psql skips it; a `::` cast is not a variable.
const TOKENS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|(?<![:\w]):([A-Za-z_]\w*)/g

/**
 * Puts the values of psql-style `:name` variables into a statement, so a project SQL file runs the
 * same through `etl` and by hand (`psql -v exec_seq=3 -f file.sql`). Values are written as literals,
 * as psql does: unlike bind parameters they work in any statement, DDL included, and the planner
 * sees them. Names not given are left as they are.
 *
 * ```ts
 * bindSqlVariables('delete from pres.t where exec_seq = :exec_seq', { exec_seq: 3 })
 * // 'delete from pres.t where exec_seq = 3'
 * ```
 */
export function bindSqlVariables(statement: string, variables: SqlVariables): string {
  return statement.replace(TOKENS, (token, name: string | undefined) => {
    if (name === undefined || !Object.hasOwn(variables, name)) return token
    const value = variables[name]!
    // The values come from code (a sequence number), never from users: a bad one is a bug.
    if (!Number.isFinite(value)) throw new TypeError(`SQL variable :${name} must be a finite number, got ${value}`)
    return String(value)
  })
}
