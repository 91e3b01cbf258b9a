import fs from 'node:fs'
import path from 'node:path'
import { EtlError } from '../errors.js'
import type { JsonValue, TaskResult } from '../core/output-marker.js'
import type { Database, Queryable } from '../db/database.js'
import type { ScriptStatement } from '../db/sql-script.js'
import type { Sql } from '../db/sql.js'
import type { PlaceholderValues } from './placeholder-values.js'
import { bindStatement, checkIdentifiers, statementPlaceholders } from './sql-binding.js'

/** SQL as declared: statements given inline, or a file. */
export interface SqlDeclaration {
  readonly sql: string | readonly string[]
  readonly sqlFile: string | undefined
}

/** What running SQL did: statements run, rows returned or changed, and the first row of the last query that returned rows. */
export type SqlOutcome = TaskResult & { readonly statements: number; readonly rows: number }

/**
 * The SQL of a task or follow-up, read and cut into statements for one database: its dialect
 * splits the script, and a file's dialect variant (`load.mysql.sql` beside `load.sql`) is read
 * when there is one for the database.
 */
export class SqlScriptRunner {
  readonly #declaration: SqlDeclaration
  readonly #owner: string

  constructor(declaration: SqlDeclaration, owner: string) {
    this.#declaration = declaration
    this.#owner = owner
  }

  /** The statements on `db`. */
  statements(db: Database): ScriptStatement[] {
    const statements = this.#scripts(db).flatMap((script) => db.dialect.splitScript(script))
    if (statements.length === 0) throw new EtlError('ETL_ERR_STEP_SQL_UNREADABLE', `${this.#owner}: there is no SQL to run; give sql or a sqlFile with statements`)
    return statements
  }

  /** Refuses, before anything runs, a placeholder that stands where it cannot be bound or that can have no value. */
  check(db: Database, values: PlaceholderValues): void {
    for (const statement of this.statements(db)) {
      const placeholders = statementPlaceholders(statement, this.where(statement))
      values.check(placeholders)
      checkIdentifiers(placeholders, values, this.where(statement))
    }
  }

  /** Binds every statement, so that a value missing is found before the first one runs. */
  bind(db: Database, values: PlaceholderValues): { statement: ScriptStatement; sql: Sql }[] {
    return this.statements(db).map((statement) => ({ statement, sql: bindStatement(statement, values, this.where(statement)) }))
  }

  /** Runs bound statements in order on `q` (a transaction, or the database). */
  async execute(q: Queryable, bound: readonly { statement: ScriptStatement; sql: Sql }[], signal: AbortSignal, progress: (done: number, total: number) => void = () => {}): Promise<SqlOutcome> {
    let rows = 0
    let values: Record<string, JsonValue> = {}
    for (const [index, { statement, sql }] of bound.entries()) {
      signal.throwIfAborted()
      progress(index, bound.length)
      let result
      try {
        result = await q.query(sql)
      } catch (error) {
        const code = error instanceof EtlError ? error.code : 'ETL_ERR_DB_QUERY_FAILED'
        throw new EtlError(code, `${this.where(statement)}: ${(error as Error).message}`, { cause: error })
      }
      rows += result.rowCount
      if (result.columns.length && result.rows[0]) values = jsonRow(result.rows[0])
    }
    return { statements: bound.length, rows, ...values }
  }

  /** `<owner>: statement at line 3 of sql/load.sql`, for messages. */
  where(statement: ScriptStatement): string {
    const file = this.#declaration.sqlFile
    return `${this.#owner}: statement at line ${statement.line}${file === undefined ? '' : ` of ${path.relative(process.cwd(), path.resolve(file)) || file}`}`
  }

  #scripts(db: Database): string[] {
    const { sql, sqlFile } = this.#declaration
    if (sqlFile === undefined) return typeof sql === 'string' ? [sql] : [...sql]
    const file = sqlFileFor(sqlFile, db.sqlFlavours)
    try {
      return [fs.readFileSync(file, 'utf8')]
    } catch (error) {
      throw new EtlError(
        'ETL_ERR_STEP_SQL_UNREADABLE',
        `${this.#owner}: cannot read its SQL file ${path.relative(process.cwd(), file) || file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check sqlFile`,
        { cause: error },
      )
    }
  }
}

/** `file`, or its variant for the database (`load.mysql.sql` beside `load.sql`) when there is one. */
export function sqlFileFor(file: string, flavours: readonly string[]): string {
  const resolved = path.resolve(file)
  const base = resolved.replace(/\.sql$/i, '')
  for (const flavour of flavours) {
    const variant = `${base}.${flavour}.sql`
    if (fs.existsSync(variant)) return variant
  }
  return resolved
}

/** A row as JSON a marker can keep: numbers, text, booleans and nulls as they are, anything else as text. */
function jsonRow(row: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(row)) {
    out[key] = value === null || value === undefined ? null : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : String(value)
  }
  return out
}
