import { EtlError } from '../errors.js'
import type { ColumnDescription } from '../db/column-type.js'
import type { Lookback, TableMetadata } from './table-metadata.js'

/** A date and time as databases print it: `2024-05-01 10:00:00.123456+02`, the fraction and the offset optional. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2}){0,2})?$/
const WHOLE_NUMBER = /^-?\d+$/

/**
 * A watermark as the control table keeps it. A time with an offset (Postgres prints `timestamptz`
 * in the session's time zone) becomes the same instant in UTC, so the text does not change when the
 * connection's time zone does and every sequence compares the same instant.
 */
export function canonicalWatermark(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const text = String(value)
  const parts = DATE_TIME.exec(text)
  if (!parts || parts[4] === undefined || parts[8] === undefined) return text
  const offset = offsetSeconds(parts[8])
  if (offset === 0 && parts[8] === '+00') return text
  return `${formatWallClock(wallClockSeconds(parts) - offset)}${parts[7] ?? ''}+00`
}

/**
 * Refuses a lookback that does not fit the watermark's type, before any sequence uses it: a span of
 * time for a date or time watermark, a number for a numeric one.
 */
export function checkLookback(meta: TableMetadata, watermark: ColumnDescription): void {
  const lookback = meta.lookback
  if (!lookback) return
  const kind = watermark.type.kind
  const timed = kind === 'date' || kind === 'timestamp'
  const numeric = kind === 'integer' || kind === 'decimal' || kind === 'float'
  if (lookback.kind === 'number' && timed) refuse(meta, lookback, watermark, `give a span of time such as "2 hours" or "1 day"`)
  if (lookback.kind === 'interval' && numeric) refuse(meta, lookback, watermark, `give a number (the watermark is numeric), e.g. 1000`)
  if (!timed && !numeric) refuse(meta, lookback, watermark, 'a lookback needs a numeric, date or time watermark; remove "lookback"')
}

/** Where a window starts with a lookback: `lookback` before the previous end watermark. */
export function lookbackStart(end: string, lookback: Lookback): string {
  if (lookback.kind === 'number') {
    if (WHOLE_NUMBER.test(end) && Number.isInteger(lookback.amount)) return String(BigInt(end) - BigInt(lookback.amount))
    return String(Number(end) - lookback.amount)
  }
  const parts = DATE_TIME.exec(end)
  if (!parts) throw new EtlError('ETL_ERR_ELT_CONTROL_STATE', `cannot take a lookback of "${lookback.text}" from the end watermark "${end}": it is not a date or a date and time`)
  const start = wallClockSeconds(parts) - lookback.seconds
  // A date watermark stays a date when the span is whole days; otherwise the window starts within the day.
  if (parts[4] === undefined && lookback.seconds % 86_400 === 0) return formatWallClock(start).slice(0, 10)
  return `${formatWallClock(start)}${parts[7] ?? ''}${parts[8] ?? ''}`
}

function refuse(meta: TableMetadata, lookback: Lookback, watermark: ColumnDescription, fix: string): never {
  const value = lookback.kind === 'number' ? String(lookback.amount) : JSON.stringify(lookback.text)
  throw new EtlError(
    'ETL_ERR_METADATA_INVALID',
    `${meta.file}: table "${meta.table}", field "lookback": bad value ${value}: the watermark "${watermark.name}" is ${watermark.nativeType}; ${fix}`,
  )
}

function wallClockSeconds(parts: RegExpExecArray): number {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) => Number(parts[index] ?? 0))
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) / 1000
}

function formatWallClock(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')
}

function offsetSeconds(offset: string): number {
  if (offset === 'Z') return 0
  const sign = offset.startsWith('-') ? -1 : 1
  const digits = offset.slice(1).replace(/:/g, '')
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60 + Number(digits.slice(4, 6) || 0))
}
