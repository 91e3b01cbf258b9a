import type { RangeBase, RangePlan } from '../../core/ranges/range-base.js'
import type { TaskLike } from '../../core/task-like.js'
import { DataServices } from '../../db/data-services.js'
import type { ExecutionSummary } from '../../worker/execution-summary.js'
import type { CliEnvironment } from '../cli-environment.js'
import { ExitCode, type ExitCodeValue } from '../exit-codes.js'
import { runCommand, type RemoteSchedulerFactory, type RunOptions } from './run-command.js'

export interface BackfillOptions extends RunOptions {
  /** List what would run, run nothing, exit 0. */
  dryRun: boolean
}

/**
 * `etl backfill`: finds which instances of the range are missing (one bulk check), then either lists
 * them (`--dry-run`) or runs them as `etl run` runs a task, with its lock, progress line, summary and
 * exit codes, adding a line per stretch of instances that ended the same way.
 */
export async function backfillCommand(env: CliEnvironment, range: RangeBase, options: BackfillOptions, connectRemote: RemoteSchedulerFactory): Promise<ExitCodeValue> {
  const data = DataServices.fromConfig(env.config)
  try {
    await range.prepare({ data, db: (name) => data.database(name) })
  } finally {
    await data.close()
  }
  const plan = range.plan!
  if (options.dryRun) {
    process.stdout.write(dryRunReport(range, plan))
    return ExitCode.OK
  }
  return runCommand(env, range, { ...options, report: (summary) => instanceReport(range, plan, summary) }, connectRemote)
}

/** What a dry run prints: the span, what is complete, and each instance that would run, in order. */
export function dryRunReport(range: RangeBase, plan: RangePlan): string {
  const lines = [`${heading(range, plan)}: ${plan.complete.size} complete already; ${plan.required.length} would run${plan.required.length ? ', in this order:' : '.'}`]
  for (const task of plan.required) lines.push(`  ${task}`)
  lines.push('Dry run: nothing was run.', '')
  return lines.join('\n')
}

/** After the run's summary: one line per stretch of consecutive instances that ended the same way. */
export function instanceReport(range: RangeBase, plan: RangePlan, summary: ExecutionSummary): string {
  const ended = new Map<string, string>()
  const mark = (lines: readonly { id: string }[], word: string) => lines.forEach((line) => ended.set(line.id, word))
  mark(summary.notRun, 'not run')
  mark(summary.upstreamFailed, 'not run: something it needs failed')
  mark(summary.doneElsewhere, 'completed by another worker')
  mark(summary.failed, 'failed')
  mark(summary.ran, 'ran')
  const statuses = plan.instances.map((task) => ended.get(task.id) ?? (plan.complete.has(task.id) ? 'complete already' : 'not run'))
  const counts = new Map<string, number>()
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1)
  const lines = [`${heading(range, plan)}: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ') || 'nothing in the interval'}`]
  for (const stretch of stretches(plan.instances.map((task) => pointOf(task, range)), statuses)) {
    const span = stretch.count === 1 ? stretch.first : `${stretch.first} … ${stretch.last}`
    lines.push(`  ${span}  ${stretch.status}${stretch.count === 1 ? '' : ` (${stretch.count})`}`)
  }
  return `${lines.join('\n')}\n\n`
}

function heading(range: RangeBase, plan: RangePlan): string {
  const { instances } = plan
  const over = instances.length ? `${pointOf(instances[0]!, range)} … ${pointOf(instances.at(-1)!, range)}` : '(no instance)'
  const order = (range.params as { reverse?: boolean }).reverse ? 'newest first' : 'oldest first'
  return `Backfill of ${range.ofFamily} over ${range.parameter.name} ${over} (${instances.length} instance${instances.length === 1 ? '' : 's'}, ${order})`
}

/** The instance's value of the stepped parameter, as text. */
function pointOf(task: TaskLike, range: RangeBase): string {
  return task.parameterEntries.find((entry) => entry.name === range.parameter.name)?.text ?? task.id
}

/** Consecutive instances with the same status, as one stretch each. */
function stretches(points: readonly string[], statuses: readonly string[]): { first: string; last: string; status: string; count: number }[] {
  const out: { first: string; last: string; status: string; count: number }[] = []
  points.forEach((point, index) => {
    const status = statuses[index]!
    const previous = out.at(-1)
    if (previous?.status === status) {
      previous.last = point
      previous.count += 1
    } else out.push({ first: point, last: point, status, count: 1 })
  })
  return out
}
