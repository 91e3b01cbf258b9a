import { EtlError } from '../../errors.js'
import { isIsoDate } from '../parameters/calendar.js'
import { DateInterval } from '../parameters/date-interval.js'
import { DatetimeParameter } from '../parameters/datetime-parameter.js'
import type { RangedParameter } from './ranged-parameter.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** Two ends joined by `/` (or `-` between two dates, as `DateInterval` reads them). */
const TWO_DATES = /^(\d{4}-\d{2}-\d{2})(?:\/|-)(\d{4}-\d{2}-\d{2})$/
const TWO_ENDS = /^([^/]+)\/([^/]+)$/
/** Luigi's date-hour form, `2024-01-01T05`, which the datetime parameter reads once `:00` is added. */
const DATE_HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/
const EVERY = /^(\d+)([dh])$/

/** A backfill's span: `[start, stop)` in milliseconds since the epoch (UTC), and its step. */
export interface BackfillSpan {
  readonly start: number
  readonly stop: number
  readonly stepMs: number
}

/** What valid intervals look like, per kind, for messages. */
const FORMS = {
  date: 'a date interval: 2024 (a year), 2024-03 (a month), 2024-W05 (an ISO week), 2024-03-15 (a day), or 2024-03-01/2024-04-01 (the end excluded)',
  datetime:
    'a date interval (2024, 2024-03, 2024-W05, 2024-03-15, 2024-03-01/2024-04-01: every hour of those days) or two datetimes 2024-03-01T00/2024-03-01T06 (the end excluded, UTC unless an offset is given)',
}

/**
 * Reads a backfill's `--<param> <interval>` and `--every` for the parameter it steps through: the
 * interval in the forms `DateInterval` reads (end excluded), or for a datetime two datetimes; the step
 * as whole days (`1d`, the default for a date) or hours (`1h`, the default for a datetime). Refuses,
 * naming the flag, the value and the fix, an interval that is malformed, empty or ends before it
 * starts, and a step that is malformed or finer than the parameter.
 */
export function backfillSpan(parameter: RangedParameter, family: string, interval: string, every: string | undefined): BackfillSpan {
  const flag = `--${parameter.name} of ${family}`
  const [start, stop] = parameter.kind === 'date' ? dateSpan(interval, flag) : datetimeSpan(interval, flag)
  if (stop === start) throw emptyInterval(interval, flag, parameter.kind)
  if (stop < start) throw new EtlError('ETL_ERR_RANGE_INTERVAL', `the interval ${JSON.stringify(interval)} for ${flag} ends before it starts; swap its two ends`)
  return { start, stop, stepMs: step(parameter, every) }
}

function dateSpan(text: string, flag: string): [number, number] {
  const trimmed = text.trim()
  const ends = TWO_DATES.exec(trimmed)
  if (ends && isIsoDate(ends[1]!) && isIsoDate(ends[2]!)) return [midnight(ends[1]!), midnight(ends[2]!)]
  try {
    const interval = DateInterval.parse(trimmed)
    return [midnight(interval.start), midnight(interval.end)]
  } catch {
    throw malformed(text, flag, 'date')
  }
}

function datetimeSpan(text: string, flag: string): [number, number] {
  const trimmed = text.trim()
  try {
    return dateSpan(trimmed, flag)
  } catch {
    // not days: two datetimes, below
  }
  const ends = TWO_ENDS.exec(trimmed)
  if (!ends) throw malformed(text, flag, 'datetime')
  const parser = new DatetimeParameter()
  try {
    return [ends[1]!, ends[2]!].map((end) => parser.parse(DATE_HOUR.test(end.trim()) ? `${end.trim()}:00` : end).getTime()) as [number, number]
  } catch {
    throw malformed(text, flag, 'datetime')
  }
}

function step(parameter: RangedParameter, every: string | undefined): number {
  if (every === undefined) return parameter.kind === 'date' ? DAY_MS : HOUR_MS
  const match = EVERY.exec(every.trim())
  const count = match ? Number(match[1]) : 0
  if (!match || !Number.isSafeInteger(count) || count < 1) {
    throw new EtlError('ETL_ERR_RANGE_STEP', `invalid --every ${JSON.stringify(every)}: expected a whole number of days or hours of at least 1, such as 1d, 7d, 1h or 6h`)
  }
  if (match[2] === 'h' && parameter.kind === 'date') {
    throw new EtlError('ETL_ERR_RANGE_STEP', `--every ${every} does not fit --${parameter.name}, a date (whole days, no hours): use --every 1d, or a number of days such as 7d`)
  }
  return count * (match[2] === 'd' ? DAY_MS : HOUR_MS)
}

function midnight(date: string): number {
  return Date.parse(`${date}T00:00:00Z`)
}

function malformed(text: string, flag: string, kind: 'date' | 'datetime'): EtlError {
  return new EtlError('ETL_ERR_RANGE_INTERVAL', `invalid interval ${JSON.stringify(text)} for ${flag}: expected ${FORMS[kind]}`)
}

function emptyInterval(text: string, flag: string, kind: 'date' | 'datetime'): EtlError {
  const fix = kind === 'date' ? 'give one day alone (2024-03-01) or end it a day later (2024-03-01/2024-03-02)' : 'end it later (2024-03-01T00/2024-03-01T01 is one hour)'
  return new EtlError('ETL_ERR_RANGE_INTERVAL', `the interval ${JSON.stringify(text)} for ${flag} is empty: its end is excluded, so it holds nothing; ${fix}`)
}
