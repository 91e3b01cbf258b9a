/** Small, timezone-free helpers for calendar dates written as `YYYY-MM-DD`. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAY_MS = 86_400_000

/** True when `text` is a real calendar date in `YYYY-MM-DD` form (no 2024-02-30). */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text)
  if (!match) return false
  const [, y, m, d] = match
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)
}

/** The date `days` after `date` (negative goes back). */
export function addDays(date: string, days: number): string {
  return toIsoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS))
}

/** The first day of the month `months` after the month holding `date`. */
export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  return toIsoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)))
}

/** `YYYY-MM-DD` of a `Date`, read in UTC. */
export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10)
}

/** Whole days from `start` to `end`. */
export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS)
}

/** The Monday that starts ISO week `week` of ISO year `year`. */
export function isoWeekStart(year: number, week: number): string {
  // January 4th is always in ISO week 1.
  const jan4 = new Date(Date.UTC(year, 0, 4))
  const mondayOfWeek1 = Date.UTC(year, 0, 4 - ((jan4.getUTCDay() + 6) % 7))
  return toIsoDate(new Date(mondayOfWeek1 + (week - 1) * 7 * DAY_MS))
}
