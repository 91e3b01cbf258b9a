import type { ExecutionContext } from 'ava'
import { mysqlDialect } from '../../src/db/mysql/mysql-dialect.js'
import { postgresDialect } from '../../src/db/postgres/postgres-dialect.js'
import { redshiftDialect } from '../../src/db/redshift/redshift-dialect.js'
import type { Sql } from '../../src/db/sql.js'
import type { SqlDialect } from '../../src/db/sql-dialect.js'

/** Every SQL dialect, by name (PGlite writes Postgres'). `test/db/dialects.test.ts` checks the registry uses no other. */
export const SQL_DIALECTS = { postgres: postgresDialect, mysql: mysqlDialect, redshift: redshiftDialect } as const satisfies Record<string, SqlDialect>
export type SqlDialectName = keyof typeof SQL_DIALECTS

/** One compiled statement as a test pins it. */
export interface PinnedSql {
  readonly sql: string
  readonly parameters: readonly unknown[]
}

/**
 * Checks the exact SQL each dialect writes for a statement (or a list of them), as kysely's
 * `testSql` does: `{ postgres: { sql, parameters }, mysql: {...}, redshift: {...} }`.
 */
export function testSql(t: ExecutionContext, build: (dialect: SqlDialect) => Sql | readonly Sql[], expected: Record<SqlDialectName, PinnedSql | readonly PinnedSql[]>): void {
  for (const [name, dialect] of Object.entries(SQL_DIALECTS) as [SqlDialectName, SqlDialect][]) {
    const built = build(dialect)
    const compiled = (Array.isArray(built) ? built : [built]).map((statement: Sql) => {
      const { text, values } = dialect.compile(statement)
      return { sql: text, parameters: values }
    })
    const pinned = expected[name]
    t.deepEqual(Array.isArray(built) ? compiled : compiled[0], pinned, `the ${name} SQL`)
  }
}
