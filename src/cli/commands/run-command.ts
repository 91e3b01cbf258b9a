import path from 'node:path'
import { EtlError } from '../../errors.js'
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
  /** More to print after the summary (a backfill's line per stretch of instances). */
  report?: ((summary: ExecutionSummary) => string) | undefined
}

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
  try {
    const scheduler = options.localScheduler
      ? new LocalScheduler({ resources: env.config.resources })
      : await connectRemote(options.schedulerUrl, env, root)
    const summary = await build(root, {
      scheduler,
      data,
      workers: options.workers ?? env.config.workers,
      retry: env.config.retry,
      logger: env.logger,
      signal: abort.signal,
      ...(options.origin ? { origin: options.origin } : {}),
      forgive: options.forgive ?? false,
      onEvent: (event) => {
        progress.update(event)
        env.terminal.status(progress.line())
      },
    })
    env.terminal.clear()
    process.stdout.write(formatSummary(summary) + (options.report?.(summary) ?? ''))
    return exitCodeFor(summary.outcome)
  } finally {
    await data.close()
    env.terminal.clear()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (lock?.acquired) await lock.lock.release()
  }
}
