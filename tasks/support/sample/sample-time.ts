/** Seconds in a day: the sample counts time in whole seconds since 1970 (UTC, no zone). */
export const DAY = 86_400
export const HOUR = 3_600

/** `YYYY-MM-DD HH:MM:SS` for seconds since 1970, as the source tables and the case log write time. */
export function timestampText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')
}

/** `YYYY-MM-DD` for seconds since 1970. */
export function dayText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10)
}

/**
 * Seconds since 1970 for a timestamp as a database hands it back (`2024-03-05 10:22:13`, perhaps with
 * a `T`, fractions or a zone suffix on some drivers) or a `YYYY-MM-DD` day.
 */
export function secondsOf(text: string): number {
  const wall = text.replace('T', ' ').slice(0, 19)
  const iso = wall.length === 10 ? `${wall}T00:00:00Z` : `${wall.replace(' ', 'T')}Z`
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: "${text}"`)
  return Math.floor(ms / 1000)
}

/** Seconds since 1970 at the start of a UTC day (`month` 0-based; overflowing months roll into the next year). */
export function dayStart(year: number, month: number, day = 1): number {
  return Date.UTC(year, month, day) / 1000
}
