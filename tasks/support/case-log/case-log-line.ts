/** The events a case log knows. */
export const CASE_EVENTS = ['CREATED', 'ASSIGNED', 'RESPONDED', 'RESOLVED'] as const
export type CaseEventName = (typeof CASE_EVENTS)[number]

/** One event read from a case log line. */
export interface CaseLogEvent {
  readonly case_id: number
  readonly event: CaseEventName
  /** The analyst the case was assigned to, or who responded or resolved; null for CREATED. */
  readonly aid: number | null
  /** `YYYY-MM-DD HH:MM:SS`, as the line has it. */
  readonly event_at: string
}

/**
 * Why a line is not an event, as the rejects file names it: a short, stable phrase to count by
 * (the line itself goes beside it).
 */
export const REJECT_REASONS = {
  empty: 'empty line',
  notCaseLog: 'not a case log line',
  timestamp: 'invalid timestamp',
  missingCase: 'missing case id',
  caseId: 'invalid case id',
  unknownEvent: 'unknown event',
  malformedEvent: 'malformed event',
  analystId: 'invalid analyst id',
} as const
export type RejectReason = (typeof REJECT_REASONS)[keyof typeof REJECT_REASONS]

/** The largest id the warehouse's integer columns hold. */
const MAX_ID = 2_147_483_647

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
// `<date> <time> <rest>`: the first two words, whatever they hold, are where the timestamp belongs.
const WORDS = /^(\S+ \S+) (.*)$/
const CASE = /^\[case ?([^\]]*)\] ?(.*)$/
/** The tail each event takes: ` to analyst N` for ASSIGNED, ` by analyst N` for RESPONDED and RESOLVED, none for CREATED. */
const ANALYST_TAIL: Readonly<Record<CaseEventName, string | undefined>> = { CREATED: undefined, ASSIGNED: 'to', RESPONDED: 'by', RESOLVED: 'by' }

/** A well-formed line in one match: almost every line is one, and the checks below are for the rest. */
const WELL_FORMED = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2}) \[case (\d{1,10})\] (?:(CREATED)|(ASSIGNED) to analyst (\d{1,10})|(RESPONDED|RESOLVED) by analyst (\d{1,10}))$/
/** Days already found to exist: a log holds a few thousand days and millions of lines. */
const VALID_DAYS = new Set<string>()

/**
 * Reads one case log line, `YYYY-MM-DD HH:MM:SS [case <id>] <EVENT>[ by analyst <aid>]` (ASSIGNED
 * says ` to analyst <aid>`), into its event; a line that is not one gives the reason instead.
 */
export function parseCaseLogLine(line: string): CaseLogEvent | { readonly reason: RejectReason } {
  const fast = WELL_FORMED.exec(line)
  if (fast) {
    const [, day, h, mi, sec, id, created, assigned, assignedTo, other, otherBy] = fast
    const caseId = Number(id)
    const aid = created ? null : Number(assignedTo ?? otherBy)
    if (Number(h) <= 23 && Number(mi) <= 59 && Number(sec) <= 59 && caseId >= 1 && caseId <= MAX_ID && (aid === null || (aid >= 1 && aid <= MAX_ID)) && validDay(day!)) {
      return { case_id: caseId, event: (created ?? assigned ?? other) as CaseEventName, aid, event_at: line.slice(0, 19) }
    }
  }
  return classify(line)
}

/** A day that exists (no 2024-02-30), remembered once seen. */
function validDay(day: string): boolean {
  if (VALID_DAYS.has(day)) return true
  const [y, mo, d] = day.split('-').map(Number)
  const date = new Date(Date.UTC(y!, mo! - 1, d!))
  const valid = date.getUTCFullYear() === y && date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d
  if (valid) VALID_DAYS.add(day)
  return valid
}

/** The full checks, for a line the fast path did not take: an event after all (spaces around it), or why not. */
function classify(line: string): CaseLogEvent | { readonly reason: RejectReason } {
  const text = line.trim()
  if (text === '') return { reason: REJECT_REASONS.empty }
  const words = WORDS.exec(text)
  const stamp = words?.[1] ?? ''
  const rest = words?.[2] ?? ''
  if (!TIMESTAMP.test(stamp)) return { reason: text.includes('[case') ? REJECT_REASONS.timestamp : REJECT_REASONS.notCaseLog }
  if (!validTimestamp(stamp)) return { reason: REJECT_REASONS.timestamp }
  const subject = CASE.exec(rest)
  if (!subject) return { reason: REJECT_REASONS.missingCase }
  const [, id, what] = subject
  if (id!.trim() === '') return { reason: REJECT_REASONS.missingCase }
  const caseId = idOf(id!)
  if (caseId === undefined) return { reason: REJECT_REASONS.caseId }
  const [name, ...tail] = what!.split(' ')
  if (!(CASE_EVENTS as readonly string[]).includes(name!)) return { reason: REJECT_REASONS.unknownEvent }
  const event = name as CaseEventName
  const preposition = ANALYST_TAIL[event]
  if (preposition === undefined) return tail.length === 0 ? { case_id: caseId, event, aid: null, event_at: stamp } : { reason: REJECT_REASONS.malformedEvent }
  if (tail.length !== 3 || tail[0] !== preposition || tail[1] !== 'analyst') return { reason: REJECT_REASONS.malformedEvent }
  const aid = idOf(tail[2]!)
  if (aid === undefined) return { reason: REJECT_REASONS.analystId }
  return { case_id: caseId, event, aid, event_at: stamp }
}

/** A calendar date and a clock time that exist (no 2024-02-30, no 24:00:00). */
function validTimestamp(stamp: string): boolean {
  const [, y, mo, d, h, mi, s] = TIMESTAMP.exec(stamp)!.map(Number)
  if (h! > 23 || mi! > 59 || s! > 59) return false
  const date = new Date(Date.UTC(y!, mo! - 1, d!))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d
}

function idOf(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined
  const id = Number(text)
  return id >= 1 && id <= MAX_ID ? id : undefined
}
