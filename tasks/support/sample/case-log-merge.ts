import TinyQueue from 'tinyqueue'
import type { SeededRandom } from '../../orders/sample/random.js'
import { caseLogLine, type CaseEvent } from './case-lifecycle.js'
import type { SamplePeriod } from './sample-periods.js'
import { timestampText } from './sample-time.js'

/** Events in log order: by time, then case, then their order in the case. */
function logOrder(a: CaseEvent, b: CaseEvent): number {
  return a.at - b.at || a.caseId - b.caseId || a.n - b.n
}

/**
 * After which valid lines of a file a malformed one is written: one of each kind early on, so every
 * file has all four, then one in every thousand lines.
 */
const FIRST_MALFORMED = [97, 211, 389, 503]
const MALFORMED_EVERY = 1000
const MALFORMED_PHASE = 700

const GARBAGE = ['-- log rotated --', 'Connection reset by peer', 'ERROR: event buffer overflow, 3 events dropped', '~~~~~~~~~~~~~~~~']
const BAD_TIMES = ['2024-13-45 99:00:00', '2024-02-30 10:00:00', '2024-06-31 24:00:00', '24-07-01 10:00']
const UNKNOWN_EVENTS = ['ESCALATED by analyst', 'REOPENED', 'COMMENTED by analyst', 'CLOSED by analyst']

/**
 * Merges the events of many cases into one period's case log, in time order: a case's events are
 * queued as the case is created and written once no case yet to come can have an earlier one.
 * Only the events inside the period are written; the rest belong to a later period's log. Memory
 * holds only the events of cases still open, not the period's.
 *
 * A few malformed lines go in among the events, the kinds a real export has: garbage, an impossible
 * timestamp, a line without its case id, an event the log format does not know.
 */
export class CaseLogMerge {
  readonly #queue = new TinyQueue<CaseEvent>([], logOrder)
  readonly #period: SamplePeriod
  readonly #random: SeededRandom
  #valid = 0
  #malformed = 0
  #last: CaseEvent | undefined

  constructor(period: SamplePeriod, random: SeededRandom) {
    this.#period = period
    this.#random = random
  }

  /** Lines written so far, malformed ones included. */
  get lines(): number {
    return this.#valid + this.#malformed
  }

  get malformed(): number {
    return this.#malformed
  }

  /** Queues the events of a case that fall inside the period; returns the time of the last of them, if any. */
  add(events: readonly CaseEvent[]): number | undefined {
    let last: number | undefined
    for (const event of events) {
      if (event.at < this.#period.start || event.at >= this.#period.end) continue
      this.#queue.push(event)
      last = event.at
    }
    return last
  }

  /** The lines (each with its newline) of the queued events before `time`. */
  *until(time: number): Generator<string> {
    for (let next = this.#queue.peek(); next && next.at < time; next = this.#queue.peek()) {
      this.#queue.pop()
      yield* this.#write(next)
    }
  }

  /** The lines of every event still queued. */
  rest(): Generator<string> {
    return this.until(Number.POSITIVE_INFINITY)
  }

  *#write(event: CaseEvent): Generator<string> {
    this.#valid++
    this.#last = event
    yield caseLogLine(event) + '\n'
    const early = FIRST_MALFORMED.indexOf(this.#valid)
    if (early >= 0) yield this.#malformedLine(early)
    else if (this.#valid % MALFORMED_EVERY === MALFORMED_PHASE) yield this.#malformedLine(Math.floor(this.#valid / MALFORMED_EVERY) % 4)
  }

  #malformedLine(kind: number): string {
    this.#malformed++
    const random = this.#random
    const at = timestampText(this.#last!.at)
    const id = this.#last!.caseId
    const analyst = random.int(1, 40)
    const line = [
      () => random.pick(GARBAGE),
      () => `${random.pick(BAD_TIMES)} [case ${id}] RESPONDED by analyst ${analyst}`,
      () => random.pick([`${at} [case ] RESOLVED by analyst ${analyst}`, `${at} RESOLVED by analyst ${analyst}`, `${at} [case] CREATED`]),
      () => {
        const event = random.pick(UNKNOWN_EVENTS)
        return `${at} [case ${id}] ${event}${event.endsWith('analyst') ? ` ${analyst}` : ''}`
      },
    ][kind]!()
    return line + '\n'
  }
}
