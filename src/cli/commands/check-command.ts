import type { SourceQuery } from '../../core/source-query.js'
import type { TaskLike } from '../../core/task-like.js'
import type { DataServices } from '../../db/data-services.js'
import type { Statement } from '../../db/database.js'
import { compileSql, Sql, sql, type SqlSyntax } from '../../db/sql.js'
import { firstLine } from '../../errors.js'
import { walkRequirements } from '../../graph/walk-requirements.js'
import { SecretMasker } from '../../worker/secret-masker.js'
import type { Terminal } from '../terminal.js'
import { ExitCode, type ExitCodeValue } from '../exit-codes.js'

/** One distinct query to check: a (connection, statement) pair, with the tasks that declare it. */
interface Check {
  readonly connection: string
  readonly label: string
  readonly statement: Statement
  readonly tasks: string[]
}

/** What `etl check` needs: where its progress line and its report go. */
export interface CheckOutput {
  readonly terminal: Terminal
  write(text: string): void
}

/** Errors that mean the connection itself failed, so its other queries would fail the same way (after as long a wait). */
const CONNECTION_FAILURES: ReadonlySet<unknown> = new Set(['ETL_ERR_DB_UNREACHABLE', 'ETL_ERR_DB_AUTH_FAILED', 'ETL_ERR_DB_CONNECTION_UNKNOWN'])

/** How queries are told apart: quoting and placeholders of no dialect in particular, values compared as JSON. */
const KEY_SYNTAX: SqlSyntax = { placeholder: (index) => `$${index}`, quoteIdentifier: (name) => JSON.stringify(name) }

/**
 * `etl check`: runs every source query of the graph below `root` read-only and reports each one's
 * row count or error. The graph is walked through `requires()` alone: no task is checked for
 * completeness or run, so nothing is written (no marker, no sequence, no sample data). Each distinct
 * query is counted in a read-only transaction of its own that is always rolled back. Exits 0 only
 * when every query works, else with a failed task's code.
 */
export async function checkCommand(root: TaskLike, data: DataServices, output: CheckOutput): Promise<ExitCodeValue> {
  const graph = await walkRequirements([root], undefined, { data, db: (name) => data.database(name) })
  graph.assertAcyclic()
  // The queries, their values and their errors may quote a task's secret, as a run's output would.
  const secrets = new SecretMasker()
  for (const id of graph.ids()) secrets.addTask(graph.node(id)!)
  const print = (text: string) => {
    output.terminal.clear()
    output.write(secrets.text(text))
  }

  const { checks, unlisted } = await collectQueries(graph.ids().map((id) => graph.node(id)!))
  if (checks.length === 0 && unlisted.length === 0) {
    print(`No task below ${root} declares a source query (a task declares them with sourceQueries()).\n`)
  } else {
    print(`Checking ${plural(checks.length, 'source query', 'source queries')} below ${root}, each in a read-only transaction that is rolled back:\n`)
  }
  if (unlisted.length) print(`\n${unlisted.map(({ task, error }) => `✗ ${task}: sourceQueries() failed: ${firstLine(error)}`).join('\n')}\n`)

  let done = 0
  let failed = 0
  for (const [connection, group] of byConnection(checks)) {
    print(`\n${describe(data, connection)}\n`)
    let unusable = false
    for (const check of group) {
      output.terminal.status(`[${done}/${checks.length} checked]${failed ? ` ${failed} failed,` : ''} counting ${check.label} on connection "${connection}"`)
      const started = Date.now()
      const result = unusable
        ? { ok: false as const, error: new Error('not run: the connection failed (above)') }
        : await count(data, check).then(
            (rows) => ({ ok: true as const, rows }),
            (error: unknown) => ({ ok: false as const, error }),
          )
      const took = unusable ? '' : `  ${Date.now() - started}ms`
      done += 1
      const head = result.ok ? `✓ ${check.label}: ${plural(result.rows, 'row', 'rows')}` : `✗ ${check.label}: failed`
      const lines = [`  ${head}${took}  ${check.tasks.join(', ')}`, ...shown(data, check).map((line) => `      ${line}`)]
      if (!result.ok) {
        failed += 1
        unusable ||= CONNECTION_FAILURES.has((result.error as { code?: unknown } | null)?.code)
        lines.push(`      ${withoutConnection(firstLine(result.error), data, connection)}`)
      }
      print(`${lines.join('\n')}\n`)
    }
  }
  output.terminal.clear()
  const worked = checks.length - failed
  const cannotList = unlisted.length ? `; ${plural(unlisted.length, 'task', 'tasks')} could not list ${unlisted.length === 1 ? 'its' : 'their'} queries` : ''
  print(`\n${plural(checks.length, 'source query', 'source queries')}: ${worked} work${worked === 1 ? 's' : ''}, ${failed} failed${cannotList}\n`)
  return failed > 0 || unlisted.length > 0 ? ExitCode.TASK_FAILED : ExitCode.OK
}

/** Every task's declared queries, each distinct (connection, statement) once, in graph order. */
async function collectQueries(tasks: readonly TaskLike[]): Promise<{ checks: Check[]; unlisted: { task: string; error: unknown }[] }> {
  const checks = new Map<string, Check>()
  const unlisted: { task: string; error: unknown }[] = []
  for (const task of tasks) {
    if (typeof task.sourceQueries !== 'function') continue
    let queries: readonly SourceQuery[]
    try {
      queries = await task.sourceQueries()
      if (!Array.isArray(queries)) throw new Error(`it returned ${describeValue(queries)}, not an array of { connection, label, statement }`)
      const bad = queries.find((query) => !isSourceQuery(query))
      if (bad !== undefined) throw new Error(`it returned ${describeValue(bad)} among its queries; each must be { connection, label, statement } with a sql template or text`)
    } catch (error) {
      unlisted.push({ task: String(task), error })
      continue
    }
    for (const query of queries) {
      const key = queryKey(query)
      const known = checks.get(key)
      if (known) {
        if (!known.tasks.includes(String(task))) known.tasks.push(String(task))
      } else {
        checks.set(key, { connection: query.connection, label: query.label, statement: query.statement, tasks: [String(task)] })
      }
    }
  }
  return { checks: [...checks.values()], unlisted }
}

/** The checks by connection, the connections in the order their first query came. */
function byConnection(checks: readonly Check[]): Map<string, Check[]> {
  const groups = new Map<string, Check[]>()
  for (const check of checks) groups.set(check.connection, [...(groups.get(check.connection) ?? []), check])
  return groups
}

/** The query's rows, counted read-only: `select count(*) from (<query>) q`, rolled back. */
async function count(data: DataServices, check: Check): Promise<number> {
  const { rows } = await data.readOnly(check.connection, (tx) => tx.query(countSql(check.statement)))
  return Number(rows[0]?.n)
}

function countSql(statement: Statement): Statement {
  if (typeof statement === 'string') return `select count(*) as n from (\n${withoutSemicolon(statement)}\n) q`
  const strings = [...statement.strings]
  strings[strings.length - 1] = withoutSemicolon(strings.at(-1) ?? '')
  return sql`select count(*) as ${sql.id('n')} from (${new Sql(strings, statement.values)}) q`
}

function withoutSemicolon(text: string): string {
  return text.replace(/[\s;]+$/, '')
}

/** The query as the connection's dialect writes it, and its bound values. */
function shown(data: DataServices, check: Check): string[] {
  let compiled: { text: string; values: readonly unknown[] }
  try {
    compiled = data.dialect(check.connection).compile(check.statement)
  } catch {
    // An unknown connection: its error is the query's; the text is shown as it was given.
    compiled = typeof check.statement === 'string' ? { text: check.statement, values: [] } : compileSql(check.statement, KEY_SYNTAX)
  }
  const lines = withoutSemicolon(compiled.text).trim().split('\n')
  if (compiled.values.length > 0) lines.push(`values: ${jsonText(compiled.values)}`)
  return lines
}

/** `connection "source" (pglite at data/source)`, or just its name when the config does not have it. */
function describe(data: DataServices, connection: string): string {
  try {
    return data.describe(connection)
  } catch {
    return `connection "${connection}"`
  }
}

/** An error's line without the connection's description in front: the group's heading names it. */
function withoutConnection(message: string, data: DataServices, connection: string): string {
  const prefix = `${describe(data, connection)}: `
  return message.startsWith(prefix) ? message.slice(prefix.length) : message
}

function queryKey(query: SourceQuery): string {
  const { text, values } = typeof query.statement === 'string' ? { text: query.statement, values: [] } : compileSql(query.statement, KEY_SYNTAX)
  return jsonText([query.connection, text.trim(), values])
}

function isSourceQuery(value: unknown): value is SourceQuery {
  const query = value as Partial<SourceQuery> | null
  return typeof query === 'object' && query !== null && typeof query.connection === 'string' && typeof query.label === 'string' && (typeof query.statement === 'string' || query.statement instanceof Sql)
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined'
  try {
    return jsonText(value)?.slice(0, 80) ?? String(value)
  } catch {
    return String(value)
  }
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}
