import { tableName, type TableRef } from './table-ref.js'

/** An identifier (schema, table or column name) inside a `sql` template: quoted by the dialect. */
export class SqlIdentifier {
  constructor(readonly names: readonly string[]) {}
}

/** Text put into a `sql` template as it is: keywords, operators, SQL built elsewhere. Never user input. */
export class SqlRaw {
  constructor(readonly text: string) {}
}

/**
 * A SQL statement with its values kept apart from its text. Each dialect compiles it to its own
 * placeholders (`$1` for Postgres, `?` for MySQL, `:p1` for the Redshift Data API) and identifier
 * quoting, so one statement runs on every database and values are always bound, never spliced in.
 *
 * ```ts
 * await db.query(sql`select * from ${sql.id('store', 'orders')} where updated_at > ${since}`)
 * ```
 */
export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

/** Builds a {@link Sql} statement from a template; interpolated values become bound parameters. */
export function sql(strings: TemplateStringsArray | readonly string[], ...values: unknown[]): Sql {
  return new Sql([...strings], values)
}

/** A quoted identifier: `sql.id('store', 'orders')` → `"store"."orders"` on Postgres. */
sql.id = (...names: string[]): SqlIdentifier => new SqlIdentifier(names)

/** A table as a quoted identifier, schema-qualified when the reference has a schema. */
sql.table = (table: TableRef): SqlIdentifier => {
  const { schema, name } = tableName(table)
  return schema === undefined ? sql.id(name) : sql.id(schema, name)
}

/** Unquoted SQL text. Only for text the program wrote itself. */
sql.raw = (text: string): SqlRaw => new SqlRaw(text)

/** Joins statements, identifiers or values with `separator` (`, ` by default). */
sql.join = (items: readonly unknown[], separator = ', '): Sql => {
  const strings = ['']
  for (let i = 1; i < items.length; i++) strings.push(separator)
  strings.push('')
  return new Sql(items.length === 0 ? [''] : strings, items)
}

/** What a dialect tells the compiler about its syntax. */
export interface SqlSyntax {
  /** The placeholder for the `index`-th bound value (1-based). */
  placeholder(index: number): string
  /** One quoted identifier. */
  quoteIdentifier(name: string): string
  /** A literal to write in place of a value the dialect cannot bind (Redshift's Data API cannot bind NULL). */
  inlineLiteral?(value: unknown): string | undefined
}

/** A compiled statement: dialect text plus the values for its placeholders. */
export interface CompiledSql {
  readonly text: string
  readonly values: unknown[]
}

/** Compiles a {@link Sql} statement for one dialect. */
export function compileSql(statement: Sql, syntax: SqlSyntax): CompiledSql {
  const values: unknown[] = []
  const text = append(statement, syntax, values)
  return { text, values }
}

function append(statement: Sql, syntax: SqlSyntax, values: unknown[]): string {
  let text = statement.strings[0] ?? ''
  for (let i = 0; i < statement.values.length; i++) {
    text += fragment(statement.values[i], syntax, values) + (statement.strings[i + 1] ?? '')
  }
  return text
}

function fragment(value: unknown, syntax: SqlSyntax, values: unknown[]): string {
  if (value instanceof Sql) return append(value, syntax, values)
  if (value instanceof SqlIdentifier) return value.names.map((name) => syntax.quoteIdentifier(name)).join('.')
  if (value instanceof SqlRaw) return value.text
  const literal = syntax.inlineLiteral?.(value)
  if (literal !== undefined) return literal
  values.push(value)
  return syntax.placeholder(values.length)
}
