import type { LocalSchedulerOptions } from './local-scheduler.js'
import type { SchedulerJournal, SchedulerListener } from './scheduler-op.js'

/** Tuning of the central scheduler; the config's `scheduler` section sets the same names. */
export interface CentralSchedulerOptions extends LocalSchedulerOptions {
  /**
   * A worker silent for this long is lost: the tasks it was running go back to PENDING for another
   * worker. Keep it well above the workers' heartbeat interval. @defaultValue 60000
   */
  workerTimeoutMs?: number
  /** A FAILED task goes back to PENDING this long after the failure, if a live worker can run it. @defaultValue 900000 */
  retryDelayMs?: number
  /** A task that fails this many times within `disableWindowMs` is DISABLED until someone re-enables it. @defaultValue 3 */
  disableAfterFailures?: number
  /** The window `disableAfterFailures` counts in. @defaultValue 3600000 */
  disableWindowMs?: number
  /**
   * Finished tasks no live worker still needs, stopped workers and ended runs are forgotten this long
   * after their last change (the run history keeps them). DISABLED tasks stay until re-enabled. @defaultValue 86400000
   */
  removeDelayMs?: number
  /** Log lines kept per task. @defaultValue 200 */
  logTailLines?: number
  /** Receives every change, synchronously, before it is acknowledged (the daemon's state store). */
  journal?: SchedulerJournal
  /** Told about attempts, runs and workers (the run history, the metrics). */
  listener?: SchedulerListener
}

/** The defaults, with their units in the names. */
export const CENTRAL_SCHEDULER_DEFAULTS = Object.freeze({
  workerTimeoutMs: 60_000,
  // Luigi's retry_delay: long enough for a flaky source to recover, short enough for a nightly run.
  retryDelayMs: 900_000,
  disableAfterFailures: 3,
  disableWindowMs: 3_600_000,
  removeDelayMs: 86_400_000,
  logTailLines: 200,
})

/** Longest log line kept, in characters: a task that logs a whole file must not fill the daemon's memory. */
export const MAX_LOG_LINE_CHARS = 4000
