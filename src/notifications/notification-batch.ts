import type { RunEventName } from '../events/run-event.js'
import type { Notice } from './notice.js'

/** A mail for many events of one run. */
export interface RenderedBatch {
  /** `[etl] RunJob(): 200 failures`. */
  readonly subject: string
  readonly text: string
}

/** What each event counts as in a subject, singular and plural. */
const NOUNS: Readonly<Record<Exclude<RunEventName, 'run_finished'>, readonly [string, string]>> = {
  started: ['start', 'starts'],
  success: ['success', 'successes'],
  failure: ['failure', 'failures'],
  retry: ['retry', 'retries'],
  disabled: ['disabled task', 'disabled tasks'],
  missing_data: ['task missing data', 'tasks missing data'],
  schedule_missed: ['missed schedule', 'missed schedules'],
}

/** Subjects longer than this are cut: mail clients show less, and some servers refuse long header lines. */
const MAX_SUBJECT_CHARS = 200

/**
 * One mail for a run's events, as Luigi's `batch_emails` sends: the subject counts them by kind, the
 * text lists every one (with the end-of-run summary when the run finished), and `dropped` events past
 * the batch's cap are counted so the reader knows the list is cut.
 *
 * ```ts
 * renderBatch('RunJob()', notices, '[etl]').subject // '[etl] RunJob(): 200 failures'
 * ```
 */
export function renderBatch(run: string, notices: readonly Notice[], prefix: string, dropped = 0): RenderedBatch {
  const counts = countByEvent(notices, dropped)
  const finished = notices.find((notice) => notice.body.event === 'run_finished')
  const parts = [...counts]
  if (finished) parts.push(finished.body.exitCode !== undefined ? `finished with exit code ${finished.body.exitCode}` : 'finished')
  const subject = oneLine(`${prefix ? `${prefix} ` : ''}${run}: ${parts.join(', ') || 'no events'}`)
  const lines = notices.filter((notice) => notice.body.event !== 'run_finished').map((notice) => `${notice.body.at}  ${notice.line}${notice.body.link ? `\n    ${notice.body.link}` : ''}`)
  if (dropped > 0) lines.push(`… and ${dropped} more event${dropped === 1 ? '' : 's'}, not listed`)
  const text = [`${run}: ${parts.join(', ')}`, '', ...lines, ...(finished ? ['', ...finishedText(finished)] : [])].join('\n')
  return { subject: subject.length > MAX_SUBJECT_CHARS ? `${subject.slice(0, MAX_SUBJECT_CHARS - 1)}…` : subject, text: `${text}\n` }
}

/** `200 failures`, `3 retries`, …, in the order the events are declared; `run_finished` is said apart. */
function countByEvent(notices: readonly Notice[], dropped: number): string[] {
  const counts = new Map<RunEventName, number>()
  for (const notice of notices) counts.set(notice.body.event, (counts.get(notice.body.event) ?? 0) + 1)
  const parts: string[] = []
  for (const [event, nouns] of Object.entries(NOUNS) as [Exclude<RunEventName, 'run_finished'>, readonly [string, string]][]) {
    const count = counts.get(event)
    if (count) parts.push(`${count} ${count === 1 ? nouns[0] : nouns[1]}`)
  }
  if (dropped > 0) parts.push(`${dropped} more`)
  return parts
}

function finishedText({ body, line }: Notice): string[] {
  return [`${body.at}  ${line}`, ...(body.summary ? ['', body.summary] : []), ...(body.link ? ['', body.link] : [])]
}

/** A header must stay one line: control characters (a newline in a run name) become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ')
}
