import { SeededRandom } from '../../orders/sample/random.js'
import type { AnalystRoster } from './analyst-roster.js'
import type { NewCase } from './case-rows.js'
import { seedOf } from './derive-seed.js'
import { slaOf } from './sample-sla.js'
import { DAY, HOUR, dayText, timestampText } from './sample-time.js'

/** One event of a case's life, as a line of the case log writes it after its timestamp and case. */
export interface CaseEvent {
  /** Seconds since 1970. */
  readonly at: number
  readonly caseId: number
  /** The event's place in its case's life (0 is CREATED), to order events at the same second. */
  readonly n: number
  /** `CREATED`, `ASSIGNED to analyst 17`, `RESPONDED by analyst 17`, `RESOLVED by analyst 17`. */
  readonly event: string
}

/**
 * No event of a case is later than this many days after its creation (the latest possible one: a
 * 50-day wait for an analyst, then a resolution 60 days after the response). `advance` looks this
 * far back for earlier cases whose life goes on into the new period.
 */
export const MAX_CASE_DAYS = 120

/** Shares of cases, by how their life goes. */
const NEVER_ASSIGNED = 0.03
const ASSIGNED_LATE = 0.04
const NEVER_RESOLVED = 0.05
const RESOLVED_LATE = 0.05
const REASSIGNED = 0.06
/** Events of one case are at least a minute apart. */
const MIN_GAP = 60

/**
 * A case's events, from its CREATED (at its creation time) on. They are drawn from a generator
 * seeded by the case row itself, so the same case has the same life whenever it is worked out again:
 * by `init`, and by each `advance` that writes the part of it falling in its period. Analysts are
 * picked among those hired by the case's creation day.
 *
 * Most cases are assigned, answered and resolved within their priority's SLA; some miss it, some
 * wait weeks for an analyst or for their resolution, some are handed to a second analyst, and some
 * are never assigned or never resolved.
 */
export function caseEvents(c: NewCase, roster: AnalystRoster): CaseEvent[] {
  const random = new SeededRandom(seedOf(`case/${c.case_id}/${c.product_id}/${c.priority}/${c.created}`))
  const sla = slaOf(c.priority)
  const respond = sla.response_hours * HOUR
  const resolve = sla.resolve_hours * HOUR
  const events: CaseEvent[] = []
  const add = (at: number, event: string) => {
    const last = events[events.length - 1]
    const when = last ? Math.max(at, last.at + MIN_GAP) : at
    events.push({ at: when, caseId: c.case_id, n: events.length, event })
    return when
  }
  add(c.created, 'CREATED')
  const fate = random.next()
  const day = dayText(c.created)
  let owner = fate < NEVER_ASSIGNED ? undefined : roster.pick(random, day)
  if (owner === undefined) return events
  const wait = fate < NEVER_ASSIGNED + ASSIGNED_LATE ? random.int(10 * DAY, 50 * DAY) : Math.floor(respond * (0.05 + 0.45 * random.next()))
  let t = add(c.created + wait, `ASSIGNED to analyst ${owner}`)
  // The first response counts from creation: usually inside the response target, sometimes over it.
  const answer = respond * (random.next() < 0.85 ? 0.1 + 0.85 * random.next() : 1.05 + 1.5 * random.next())
  t = add(Math.max(t + random.int(MIN_GAP, 10 * MIN_GAP), c.created + Math.floor(answer)), `RESPONDED by analyst ${owner}`)
  const ending = random.next()
  const target = resolve * (random.next() < 0.8 ? 0.2 + 0.75 * random.next() : 1.05 + 1.2 * random.next())
  const done = ending < RESOLVED_LATE ? t + random.int(15 * DAY, 60 * DAY) : Math.max(c.created + Math.floor(target), t + Math.floor(resolve * 0.05 * (1 + random.next())))
  if (random.next() < REASSIGNED) {
    const other = roster.pick(random, day, owner)
    if (other !== undefined) {
      owner = other
      t = add(t + Math.floor((done - t) * (0.2 + 0.4 * random.next())), `ASSIGNED to analyst ${owner}`)
      t = add(t + Math.floor(Math.min(respond, (done - t) / 3) * random.next()), `RESPONDED by analyst ${owner}`)
    }
  }
  // Further answers while the case is worked on: about one on average, up to three, so a case logs five events on average.
  const more = (random.next() < 0.65 ? 1 : 0) + (random.next() < 0.35 ? 1 : 0) + (random.next() < 0.12 ? 1 : 0)
  for (let i = 1; i <= more; i++) add(t + Math.floor(((done - t) * i) / (more + 1)), `RESPONDED by analyst ${owner}`)
  const open = ending >= RESOLVED_LATE && ending < RESOLVED_LATE + NEVER_RESOLVED
  if (!open) add(done, `RESOLVED by analyst ${owner}`)
  const last = events[events.length - 1]!
  if (last.at > c.created + MAX_CASE_DAYS * DAY) throw new Error(`case ${c.case_id}: an event ${last.at - c.created}s after creation is past MAX_CASE_DAYS`)
  return events
}

/** The event as a case log line (without its line end). */
export function caseLogLine(event: CaseEvent): string {
  return `${timestampText(event.at)} [case ${event.caseId}] ${event.event}`
}
