import { addDays, addMonths, daysBetween, isIsoDate, isoWeekStart } from './calendar.js'

const YEAR = /^(\d{4})$/
const MONTH = /^(\d{4})-(\d{2})$/
const WEEK = /^(\d{4})-W(\d{2})$/
const RANGE = /^(\d{4}-\d{2}-\d{2})(?:\/|-)(\d{4}-\d{2}-\d{2})$/

/**
 * A half-open range of calendar dates `[start, end)`, as Luigi's date intervals: `2024` (a year),
 * `2024-03` (a month), `2024-W05` (an ISO week), `2024-03-15` (a day) or `2024-03-01/2024-03-08`
 * (a custom range whose end date is not included).
 */
export class DateInterval {
  readonly start: string
  readonly end: string
  readonly text: string

  private constructor(start: string, end: string, text: string) {
    this.start = start
    this.end = end
    this.text = text
    Object.freeze(this)
  }

  /** Parses any of the forms above; throws when `text` is none of them. */
  static parse(text: string): DateInterval {
    const trimmed = text.trim()
    let match: RegExpExecArray | null
    if ((match = YEAR.exec(trimmed))) return new DateInterval(`${match[1]}-01-01`, `${Number(match[1]) + 1}-01-01`, trimmed)
    if ((match = MONTH.exec(trimmed)) && Number(match[2]) >= 1 && Number(match[2]) <= 12) {
      const start = `${trimmed}-01`
      return new DateInterval(start, addMonths(start, 1), trimmed)
    }
    if ((match = WEEK.exec(trimmed)) && Number(match[2]) >= 1 && Number(match[2]) <= 53) {
      const start = isoWeekStart(Number(match[1]), Number(match[2]))
      return new DateInterval(start, addDays(start, 7), trimmed)
    }
    if (isIsoDate(trimmed)) return new DateInterval(trimmed, addDays(trimmed, 1), trimmed)
    if ((match = RANGE.exec(trimmed)) && isIsoDate(match[1]!) && isIsoDate(match[2]!) && match[1]! < match[2]!) {
      return new DateInterval(match[1]!, match[2]!, `${match[1]}/${match[2]}`)
    }
    throw new Error('not a date interval')
  }

  /** Every date in the interval, in order. */
  dates(): string[] {
    return Array.from({ length: daysBetween(this.start, this.end) }, (_, i) => addDays(this.start, i))
  }

  /** True when `date` (`YYYY-MM-DD`) falls in the interval. */
  contains(date: string): boolean {
    return date >= this.start && date < this.end
  }

  toString(): string {
    return this.text
  }

  toJSON(): string {
    return this.text
  }
}
