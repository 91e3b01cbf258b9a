import type { RunEvent, RunEventName, RunEventTask } from '../events/run-event.js'

/**
 * What every channel sends for one event: the JSON a webhook posts, an SNS or SQS message, a command's
 * stdin. `text` is one readable line in Slack's markup, so the same body can be posted to a Slack (or
 * Mattermost, or Teams workflow) incoming webhook as it is; every other field is for programs.
 */
export interface NotificationBody {
  /** One line, Slack-compatible: `:x: RunJob(): LandTable(table=orders) failed: connection refused`. */
  text: string
  event: RunEventName
  /** ISO 8601, UTC. */
  at: string
  run: string
  taskId?: string
  family?: string
  params?: Readonly<Record<string, string>>
  attempt?: number
  /** The error's first line. */
  error?: string
  /** `run_finished`: the end-of-run summary and the exit code. */
  summary?: string
  exitCode?: number
  schedule?: string
  /** Where the daemon's UI shows it. */
  link?: string
}

/** Longest error text kept in a line: a stack trace pasted into one message helps nobody. */
const MAX_ERROR_CHARS = 500

const EMOJI: Readonly<Record<RunEventName, string>> = {
  started: ':arrow_forward:',
  success: ':white_check_mark:',
  failure: ':x:',
  retry: ':repeat:',
  disabled: ':no_entry:',
  missing_data: ':hourglass:',
  run_finished: ':checkered_flag:',
  schedule_missed: ':alarm_clock:',
}

/** The body of one event, with nothing but what the event says. */
export function notificationBody(event: RunEvent): NotificationBody {
  const error = event.error === undefined ? undefined : errorLine(event.error)
  return {
    text: slackLine(event),
    event: event.event,
    at: event.at,
    run: event.run,
    ...(event.task ? { taskId: event.task.id, family: event.task.family, params: { ...event.task.params } } : {}),
    ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(event.summary !== undefined ? { summary: event.summary } : {}),
    ...(event.exitCode !== undefined ? { exitCode: event.exitCode } : {}),
    ...(event.schedule !== undefined ? { schedule: event.schedule } : {}),
    ...(event.link !== undefined ? { link: event.link } : {}),
  }
}

/**
 * The event as one plain line, without markup or link: a mail's line, an SNS subject.
 *
 * ```ts
 * eventLine(failure) // 'RunJob(): LandTable(table=orders) failed: connection refused'
 * ```
 */
export function eventLine(event: RunEvent): string {
  return `${event.run}: ${what(event)}`
}

/** `LandTable(table=orders)`: a task as the terminal's summary shows it. */
export function taskLabel(task: RunEventTask): string {
  return task.label
}

function what(event: RunEvent): string {
  const task = event.task ? taskLabel(event.task) : 'the run'
  const because = event.error === undefined ? '' : `: ${errorLine(event.error)}`
  switch (event.event) {
    case 'started':
      return `${task} started`
    case 'success':
      return `${task} succeeded${event.attempt !== undefined && event.attempt > 1 ? ` on attempt ${event.attempt}` : ''}`
    case 'failure':
      return `${task} failed${because}`
    case 'retry':
      return `${task} failed${event.attempt !== undefined ? ` attempt ${event.attempt}` : ''} and will be retried${because}`
    case 'disabled':
      return `${task} is disabled${because}`
    case 'missing_data':
      return `${task} is missing external data${because}`
    case 'run_finished':
      return `finished${event.exitCode !== undefined ? ` with exit code ${event.exitCode}` : ''}`
    case 'schedule_missed':
      return `schedule ${event.schedule ?? event.run} missed its run${because}`
  }
}

/** Slack's markup: `&`, `<` and `>` escaped, as its API asks, then the link in its own `<url|label>` form. */
function slackLine(event: RunEvent): string {
  const escaped = eventLine(event).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const link = event.link === undefined ? '' : ` <${event.link}|details>`
  return `${emojiOf(event)} ${escaped}${link}`
}

function emojiOf(event: RunEvent): string {
  if (event.event === 'run_finished' && event.exitCode !== undefined) return event.exitCode === 0 ? EMOJI.success : EMOJI.failure
  return EMOJI[event.event]
}

function errorLine(error: string): string {
  const line = error.split('\n', 1)[0] ?? ''
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line
}
