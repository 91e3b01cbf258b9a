import type { ColumnType } from '../column-type.js'
import { compileSql, sql, type CompiledSql, type Sql } from '../sql.js'
import { SqlDialect, type NativeType } from '../sql-dialect.js'
import type { UpsertSpec } from '../upsert.js'
import { postgresNativeType } from './postgres-types.js'

/**
 * Postgres' SQL: the defaults (`$1` placeholders, double-quoted identifiers, `create index if not
 * exists`) plus its own types and `INSERT … ON CONFLICT`. PGlite is Postgres and writes the same SQL.
 */
export class PostgresDialect extends SqlDialect {
  readonly name = 'postgres'

  nativeType(type: ColumnType): NativeType {
    return postgresNativeType(type)
  }

  /** `INSERT … SELECT … ON CONFLICT (key) DO UPDATE`, one statement. */
  override upsertSql(spec: UpsertSpec): Sql[] {
    const target = sql.table(spec.target)
    const columns = sql.join(spec.columns.map((column) => sql.id(column)))
    const key = sql.join(spec.key.map((column) => sql.id(column)))
    const rest = spec.columns.filter((column) => !spec.key.includes(column))
    const action =
      rest.length === 0 ? sql`do nothing` : sql`do update set ${sql.join(rest.map((column) => sql`${sql.id(column)} = excluded.${sql.id(column)}`))}`
    return [sql`insert into ${target} (${columns}) select ${columns} from (${spec.rows}) r on conflict (${key}) ${action}`]
  }

  /**
   * With `date_part`: Postgres' `extract` returns numeric, whose arithmetic costs several times the
   * floating point `date_part` gives (a second a million rows per date column, measured).
   */
  override dateKeySql(value: Sql): Sql {
    return sql`cast(date_part('year', ${value}) * 10000 + date_part('month', ${value}) * 100 + date_part('day', ${value}) as integer)`
  }

  /** A Postgres literal for a value, for the few statements that cannot take parameters (`COPY (…) TO`). */
  literal(value: unknown): string {
    if (value === null || value === undefined) return 'null'
    if (typeof value === 'number' || typeof value === 'bigint') return String(value)
    if (typeof value === 'boolean') return value ? 'true' : 'false'
    if (value instanceof Uint8Array) return `'\\x${Buffer.from(value).toString('hex')}'::bytea`
    const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value)
    // With standard_conforming_strings on (the default since 9.1) only the quote needs doubling; the E''
    // form makes that true whatever the setting, once backslashes are doubled too.
    return text.includes('\\') ? `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${text.replace(/'/g, "''")}'`
  }

  /** Compiles a `sql` template with every value written as a literal instead of a placeholder. */
  compileInline(statement: Sql): CompiledSql {
    return compileSql(statement, {
      placeholder: (index) => this.placeholder(index),
      quoteIdentifier: (name) => this.quoteIdentifier(name),
      inlineLiteral: (value) => this.literal(value),
    })
  }
}

/** Postgres' (and PGlite's) dialect. */
export const postgresDialect: PostgresDialect = Object.freeze(new PostgresDialect())
