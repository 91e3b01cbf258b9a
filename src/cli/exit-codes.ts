import type { RunOutcome } from '../worker/execution-summary.js'

/**
 * What `etl` exits with, so a cron job or a CI step can tell outcomes apart. Only `OK` means the
 * requested task is complete.
 */
export const ExitCode = {
  /** The requested task is complete (it ran, or it already was). */
  OK: 0,
  /** An unexpected error inside etl itself. */
  UNHANDLED: 1,
  /** A task failed, so the requested task is not complete. */
  TASK_FAILED: 3,
  /** External data a task needs never appeared. */
  MISSING_DATA: 4,
  /** The run could not be scheduled: unknown task or parameter, bad value, bad config, a cycle, no scheduler daemon answering. */
  SCHEDULING_ERROR: 5,
  /** The same task with the same parameters is already running on this machine. */
  ALREADY_RUNNING: 6,
  /** The run was interrupted (Ctrl-C, SIGTERM) before the requested task was complete: 128 + SIGINT, as shells report it. */
  INTERRUPTED: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export function exitCodeFor(outcome: RunOutcome): ExitCodeValue {
  switch (outcome) {
    case 'ok':
      return ExitCode.OK
    case 'missing-data':
      return ExitCode.MISSING_DATA
    case 'task-failed':
      return ExitCode.TASK_FAILED
    case 'interrupted':
      return ExitCode.INTERRUPTED
  }
}
