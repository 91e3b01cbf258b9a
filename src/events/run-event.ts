/**
 * What happened, as hooks, notification channels and the daemon see it. The names are the ones a
 * channel's `on` list takes in `etl.config.json`; `started` is for handlers only (a channel that mailed
 * every start would be noise, so the config refuses it).
 */
export const RUN_EVENT_NAMES = ['started', 'success', 'failure', 'retry', 'disabled', 'missing_data', 'run_finished', 'schedule_missed'] as const

export type RunEventName = (typeof RUN_EVENT_NAMES)[number]

/** The task an event is about, as it may be shown anywhere: secret parameters are already `••••`. */
export interface RunEventTask {
  id: string
  /** `Family(name=value, …)`, as the summary shows it. */
  label: string
  family: string
  params: Readonly<Record<string, string>>
}

/**
 * One event. Every text in it is already masked of the run's secrets, so a handler or channel may
 * send it as it is.
 */
export interface RunEvent {
  event: RunEventName
  /** When it happened, ISO 8601 in UTC. */
  at: string
  /** The run it belongs to: the root task's label (`RunJob()`), or the schedule's name for a schedule event. */
  run: string
  /** Absent for run-level events (`run_finished`, `schedule_missed`). */
  task?: RunEventTask
  /** The attempt that ended (`success`, `failure`, `retry`). */
  attempt?: number
  /** The error's first line (`failure`, `retry`, `missing_data`, `disabled`). */
  error?: string
  /** `run_finished`: the end-of-run summary as the terminal shows it, and the exit code. */
  summary?: string
  exitCode?: number
  /** The schedule a daemon event is about. */
  schedule?: string
  /** Where the daemon's UI shows it, when there is a daemon. */
  link?: string
}
