import { AsyncLocalStorage } from 'node:async_hooks'
import { EtlError, firstLine } from '../errors.js'
import type { TaskResult } from '../core/output-marker.js'
import type { TaskContext } from '../core/task-context.js'
import type { Task } from '../core/task.js'
import { exitFailure, resolveCommand, startFailure } from '../steps/command-line.js'
import { PlaceholderValues } from '../steps/placeholder-values.js'
import { runProgram } from '../steps/run-program.js'
import { SqlScriptRunner } from '../steps/sql-script-runner.js'
import { runTimeScope } from '../steps/step-scope.js'
import { getStepVariables, type StepVariables } from '../steps/step-variables.js'
import { build } from '../worker/build.js'
import type { CommandAction, FollowUp, JobAction, SqlAction } from './job-definition.js'
import { jobTasks } from './job-tasks.js'
import { loadJob } from './load-job.js'
import { shownPath } from './read-job-file.js'

/** The job files being run as follow-ups in this async chain, so a job never starts itself again from its own follow-up. */
const runningJobs = new AsyncLocalStorage<readonly string[]>()

/** What follow-ups run for: the task they follow, its job, and their own run-time values. */
export interface FollowUpOwner {
  readonly task: Task<any>
  /** The job file the task belongs to. */
  readonly jobFile: string
  readonly vars: StepVariables
  /** `result` (after success) or `error` (after failure), read as `${result.x}`, `${error.message}`. */
  readonly values: Readonly<Record<string, TaskResult | null>>
}

/**
 * Runs follow-ups in order — a command, SQL in one transaction (no marker: a follow-up is an
 * action, not a task), or a whole other job through its own build — and throws at the first that
 * fails, naming the task it followed. A step that timed out still gets its follow-ups (they have
 * their own `timeout`); a cancelled run does not.
 */
export async function runFollowUps(followUps: readonly FollowUp[], owner: FollowUpOwner, ctx: TaskContext): Promise<void> {
  const signal = ctx.signal.aborted && isTimeout(ctx.signal.reason) ? new AbortController().signal : ctx.signal
  for (const followUp of followUps) {
    const where = `${owner.task}: follow-up ${followUp.label}`
    // Our own timer, not AbortSignal.timeout: Node 20 can collect a timeout signal held only by
    // AbortSignal.any before it fires.
    const timeout = new AbortController()
    const timer = followUp.timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(new DOMException(`${where} timed out after ${followUp.timeoutMs} ms`, 'TimeoutError')), followUp.timeoutMs)
    const limited = timer === undefined ? signal : AbortSignal.any([signal, timeout.signal])
    try {
      if (followUp.kind === 'command') await runCommand(followUp, owner, { ...ctx, signal: limited }, where)
      else if (followUp.kind === 'sql') await runSql(followUp, owner, { ...ctx, signal: limited }, where)
      else await runJob(followUp, owner, { ...ctx, signal: limited })
    } catch (error) {
      if (error instanceof EtlError && error.code === 'ETL_ERR_JOB_FOLLOW_UP_FAILED') throw error
      throw new EtlError('ETL_ERR_JOB_FOLLOW_UP_FAILED', `${where} failed: ${(error as Error).message}`, { cause: error })
    } finally {
      clearTimeout(timer)
    }
  }
}

async function runCommand(action: CommandAction, owner: FollowUpOwner, ctx: TaskContext, where: string): Promise<void> {
  const declaration = { command: action.command, shell: action.shell, env: action.env, cwd: action.cwd }
  const spec = resolveCommand(declaration, await values(owner), where)
  let exit
  try {
    exit = await runProgram(spec, { signal: ctx.signal, log: ctx.log })
  } catch (error) {
    throw startFailure(declaration, spec, where, error)
  }
  ctx.signal.throwIfAborted()
  if (exit.code === null || !action.okExitCodes.includes(exit.code)) throw exitFailure(declaration, exit, action.okExitCodes, where)
}

async function runSql(action: SqlAction, owner: FollowUpOwner, ctx: TaskContext, where: string): Promise<void> {
  const db = await ctx.db(action.connection)
  const script = new SqlScriptRunner({ sql: action.sql, sqlFile: action.sqlFile }, where)
  const bound = script.bind(db, await values(owner))
  if (action.transaction) await db.transaction((tx) => script.execute(tx, bound, ctx.signal))
  else await script.execute(db, bound, ctx.signal)
}

/** Another job, run whole with this run's connections; its tasks are complete or it fails. */
async function runJob(action: JobAction, owner: FollowUpOwner, ctx: TaskContext): Promise<void> {
  const chain = runningJobs.getStore() ?? [owner.jobFile]
  if (chain.includes(action.file)) {
    throw new EtlError(
      'ETL_ERR_JOB_FOLLOW_UP_FAILED',
      `${owner.task}: follow-up job ${shownPath(action.file)} is already running (${chain.map(shownPath).join(' → ')}), and a job does not start itself again; to try a step again, give it "retries" and "retryDelay"`,
    )
  }
  const definition = loadJob(action.file, { vars: getStepVariables() })
  const { root } = jobTasks(definition)
  const given = owner.task.params as Record<string, unknown>
  const params = Object.fromEntries(Object.keys(definition.params).filter((name) => given[name] !== undefined).map((name) => [name, given[name]]))
  const summary = await runningJobs.run([...chain, action.file], () => build(new root(params), { data: ctx.data, logger: ctx.log, signal: ctx.signal }))
  if (!summary.complete) {
    const failed = [...summary.failed, ...summary.upstreamFailed].map((line) => `${line.label}${line.error ? `: ${line.error}` : ''}`)
    throw new EtlError('ETL_ERR_JOB_FOLLOW_UP_FAILED', `${owner.task}: follow-up job ${definition.name} (${definition.shownFile}) did not complete: ${failed.join('; ') || summary.outcome}`)
  }
}

async function values(owner: FollowUpOwner): Promise<PlaceholderValues> {
  return new PlaceholderValues(await runTimeScope(owner.task, owner.vars, owner.values))
}

function isTimeout(reason: unknown): boolean {
  return reason instanceof EtlError && reason.code === 'ETL_ERR_TASK_TIMEOUT'
}

/** The run-time value a follow-up after a failure reads: `${error.message}`, the error's first line. */
export function errorValues(error: unknown): TaskResult {
  return { message: firstLine(error) }
}
