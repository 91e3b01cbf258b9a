import path from 'node:path'
import { EtlError, firstLine, isSchedulingError } from '../../errors.js'
import { EventHub, onRunEvent, type RunEventSubscription } from '../../events/event-hub.js'
import { Notifier } from '../../notifications/notifier.js'
import { getLayout } from '../../core/layout.js'
import type { TaskLike } from '../../core/task-like.js'
import { DataServices } from '../../db/data-services.js'
import { limitHeapGrowth } from '../../util/heap-growth.js'
import { LocalScheduler } from '../../scheduler/local-scheduler.js'
import type { Scheduler } from '../../scheduler/scheduler.js'
import type { TaskOrigin } from '../../scheduler/task-origin.js'
import { build } from '../../worker/build.js'
import type { ExecutionSummary } from '../../worker/execution-summary.js'
import { acquireRunLock, defaultLockDir } from '../../worker/run-lock.js'
import type { CliEnvironment } from '../cli-environment.js'
import { ExitCode, exitCodeFor, type ExitCodeValue } from '../exit-codes.js'
import { ProgressTracker } from '../progress-tracker.js'
import { formatSummary } from '../summary-report.js'

export interface RunOptions {
  localScheduler: boolean
  schedulerUrl?: string | undefined
  workers?: number | undefined
  lock: boolean
  /** Told to the central scheduler with the tasks, so its UI can rerun one where it came from. */
  origin?: TaskOrigin | undefined
  /** Reopen the tasks the central scheduler holds as FAILED or DISABLED (`--forgive`). */
  forgive?: boolean | undefined
  /** Handlers the task module exports (`onRunEvent`), called for this run's events. */
  handlers?: readonly RunEventSubscription[] | undefined
  /** More to print after the summary (a backfill's line per stretch of instances). */
  report?: ((summary: ExecutionSummary) => string) | undefined
}

/** How long the end of a run waits for handlers and notifications still being sent. */
const SETTLE_MS = 30_000

/** A function that connects to the central scheduler; the daemon's module provides it. */
export type RemoteSchedulerFactory = (url: string | undefined, env: CliEnvironment, root: TaskLike) => Promise<Scheduler>

/**
 * `etl run`: takes the machine lock for this task, builds it and everything it needs, shows progress,
 * prints the summary and returns the exit code. A second Ctrl-C stops at once; the first lets running
 * tasks see their abort signal and end cleanly.
 */
export async function runCommand(
  env: CliEnvironment,
  root: TaskLike,
  options: RunOptions,
  connectRemote: RemoteSchedulerFactory,
): Promise<ExitCodeValue> {
  let lock: Awaited<ReturnType<typeof acquireRunLock>> | undefined
  if (options.lock) {
    lock = await acquireRunLock(`${getLayout().outputDir}\n${root.id}`, env.config.lockDir ?? defaultLockDir())
    if (!lock.acquired) {
      const { holder } = lock
      process.stderr.write(
        `${root} is already running (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}); ` +
          `wait for it to finish, or pass --no-lock to run anyway (lock file ${path.basename(lock.file)})\n`,
      )
      return ExitCode.ALREADY_RUNNING
    }
  }
  limitHeapGrowth()
  const abort = new AbortController()
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(ExitCode.INTERRUPTED)
    env.logger.warn('interrupted: letting running tasks stop (press Ctrl-C again to quit at once)')
    abort.abort(new EtlError('ETL_ERR_TASK_CANCELLED', 'the run was interrupted'))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const progress = new ProgressTracker()
  const data = DataServices.fromConfig(env.config)
  const events = new EventHub(env.logger)
  for (const handler of options.handlers ?? []) events.subscribe(handler)
  const notifier = notifierFor(env)
  if (notifier) events.subscribe(onRunEvent('all', (event) => notifier.notify(event), { name: 'notifications' }))
  const run = String(root)
  try {
    const scheduler = options.localScheduler
      ? new LocalScheduler({ resources: env.config.resources })
      : await connectRemote(options.schedulerUrl, env, root)
    const ui = 'url' in scheduler && typeof scheduler.url === 'string' ? scheduler.url : undefined
    const summary = await build(root, {
      scheduler,
      data,
      workers: options.workers ?? env.config.workers,
      retry: env.config.retry,
      logger: env.logger,
      signal: abort.signal,
      ...(options.origin ? { origin: options.origin } : {}),
      forgive: options.forgive ?? false,
      events,
      run,
      ...(ui ? { taskLink: (taskId: string) => `${ui}/#/task/${encodeURIComponent(taskId)}` } : {}),
      onEvent: (event) => {
        progress.update(event)
        env.terminal.status(progress.line())
      },
    })
    env.terminal.clear()
    const text = formatSummary(summary) + (options.report?.(summary) ?? '')
    process.stdout.write(text)
    const exitCode = exitCodeFor(summary.outcome)
    events.emit({ event: 'run_finished', at: new Date().toISOString(), run, summary: text.trim(), exitCode })
    return exitCode
  } catch (error) {
    // A run that could not be scheduled is finished too, and a cron job's watcher wants to hear it.
    const exitCode = isSchedulingError(error) ? ExitCode.SCHEDULING_ERROR : ExitCode.UNHANDLED
    events.emit({ event: 'run_finished', at: new Date().toISOString(), run, summary: `the run could not start: ${firstLine(error)}`, exitCode })
    throw error
  } finally {
    await events.settle(SETTLE_MS)
    await notifier?.close({ timeoutMs: SETTLE_MS })
    await data.close()
    env.terminal.clear()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (lock?.acquired) await lock.lock.release()
  }
}

/** The config's notification channels, or undefined when it has none. */
function notifierFor(env: CliEnvironment): Notifier | undefined {
  const channels = env.config.raw.notifications ?? []
  return channels.length > 0 ? new Notifier(channels, { logger: env.logger }) : undefined
}
