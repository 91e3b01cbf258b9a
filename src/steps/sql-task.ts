import { param, type ParamSpec } from '../core/param.js'
import type { CompletionContext, TaskContext } from '../core/task-context.js'
import { ABSTRACT_TASK } from '../core/task-like.js'
import type { Target } from '../core/target.js'
import { Task, withParams, type TaskClassWith } from '../core/task.js'
import type { Database } from '../db/database.js'
import type { TableRef } from '../db/table-ref.js'
import { MARKER_TABLE, TableUpdateTarget } from '../db/table-update-target.js'
import { PlaceholderValues } from './placeholder-values.js'
import { SqlScriptRunner, type SqlOutcome } from './sql-script-runner.js'
import { runTimeScope, staticScope } from './step-scope.js'
import { getStepVariables, secretVariableTexts, type StepVariables } from './step-variables.js'

/** The connection a SqlTask runs in unless it says otherwise. */
export const DEFAULT_SQL_CONNECTION = 'warehouse'

/**
 * A task that runs SQL in a named connection (its `connection` parameter, `warehouse` by default),
 * as Luigi's `PostgresQuery` does: the statements of `sql()` or of the file `sqlFile` (stored
 * procedures, functions, `DO $$ … $$` blocks, MySQL's `CREATE PROCEDURE … BEGIN … END` and
 * MariaDB's `BEGIN NOT ATOMIC … END` included, with no DELIMITER lines) run in one transaction,
 * and the task records itself complete in the warehouse's marker table (`etl_table_updates`) in
 * that same transaction: a crash leaves both the work and the marker, or neither.
 *
 * `${name}` placeholders are bound as parameters (`$1`, `?`), never written into the SQL; a
 * `${name:ident}` is a table or column name, checked and quoted. Values come from the parameters,
 * the `--vars` files, then what required tasks returned (`${step.field}`).
 *
 * Where DDL commits on its own (MySQL, MariaDB: `capabilities.transactionalDdl` is false), a
 * `CREATE` or `DROP` commits what ran before it: write such scripts to be safe to run again
 * (`if not exists`, `create or replace`). With `transaction = false` every statement commits on
 * its own and the marker after them (for statements a transaction refuses, or a procedure that
 * commits itself).
 *
 * ```ts
 * export class RefreshDaily extends SqlTask.with({ day: param.date(), table: param.string() }) {
 *   override sql() {
 *     return [
 *       'delete from ${table:ident} where day = ${day}',
 *       'insert into ${table:ident} select * from staging.daily where day = ${day}',
 *     ]
 *   }
 * }
 * ```
 */
export class SqlTask<S extends ParamSpec = {}> extends Task<S> {
  /** A `.sql` file to run instead of `sql()`; `report.postgres.sql` beside it is preferred on Postgres. @defaultValue none */
  sqlFile: string | undefined = undefined
  /** Run every statement and the marker in one transaction. @defaultValue true */
  transaction = true
  /** The marker table, in the connection's default schema unless qualified. @defaultValue `etl_table_updates` */
  markerTable: TableRef = MARKER_TABLE

  /**
   * Declares parameters, `connection` among them: `warehouse` by default, `--connection` on the
   * command line. Declare it yourself (`connection: param.string({ default: 'source' })`) to give
   * it another default or to pass it in code.
   */
  static override with<const S extends ParamSpec>(spec: S): TaskClassWith<S, SqlTask<S>> {
    const connection = param.string({ default: DEFAULT_SQL_CONNECTION, description: 'the connection the SQL runs in' })
    return withParams(this, { connection, ...spec }) as unknown as TaskClassWith<S, SqlTask<S>>
  }

  /** The SQL: a script (statements end with `;`), or a list of them. @defaultValue none: `sqlFile` is read */
  sql(): string | readonly string[] {
    return []
  }

  /** The resource values placeholders look in after the parameters. @defaultValue those of `etl run --vars` */
  variables(): StepVariables {
    return getStepVariables()
  }

  /** The name of the connection this task runs in. */
  get connection(): string {
    const given = (this.params as { connection?: unknown }).connection
    return typeof given === 'string' ? given : DEFAULT_SQL_CONNECTION
  }

  override get secretValues(): string[] {
    return [...super.secretValues, ...secretVariableTexts(this.variables())]
  }

  /** This task's row in the marker table of `db`. */
  tableMarker(db: Database): TableUpdateTarget {
    return new TableUpdateTarget(db, this.family, this.id, { markerTable: this.markerTable })
  }

  /**
   * Complete when its marker row is in the connection's marker table. When it is not, the script is
   * read and its placeholders checked, so a missing file or a placeholder with no value stops the
   * run before anything runs. Without a connection to ask (a caller with no data services), its
   * output marker decides.
   */
  override async complete(ctx?: CompletionContext): Promise<boolean> {
    if (!ctx) return super.complete()
    const db = await ctx.db(this.connection)
    if (await this.tableMarker(db).exists()) return true
    this.#script().check(db, new PlaceholderValues(staticScope(this, this.variables())))
    return false
  }

  /** Its marker row: without removing it, `etl invalidate` would leave the task complete. */
  async completionTargets(ctx: CompletionContext): Promise<readonly Target[]> {
    return [this.tableMarker(await ctx.db(this.connection))]
  }

  override async run(ctx: TaskContext): Promise<SqlOutcome> {
    const db = await ctx.db(this.connection)
    const script = this.#script()
    // Every value is looked up before the first statement runs: none is left to fail half-way.
    const bound = script.bind(db, new PlaceholderValues(await runTimeScope(this, this.variables())))
    const progress = (done: number, total: number) => ctx.progress(`statement ${done + 1} of ${total}`, { done, total })
    const marker = this.tableMarker(db)
    if (this.transaction) {
      const outcome = await marker.commit((tx) => script.execute(tx, bound, ctx.signal, progress))
      return outcome.skipped ? { statements: 0, rows: 0, skipped: true } : outcome.result
    }
    await marker.ensureMarkerTable()
    const result = await script.execute(db, bound, ctx.signal, progress)
    await db.transaction((tx) => marker.touch(tx, result.rows))
    return result
  }

  #script(): SqlScriptRunner {
    return new SqlScriptRunner({ sql: this.sqlFile === undefined ? this.sql() : [], sqlFile: this.sqlFile }, String(this))
  }
}
Object.defineProperty(SqlTask, ABSTRACT_TASK, { value: true })
