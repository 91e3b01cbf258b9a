import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { ColumnDescription } from '../../db/column-type.js'
import type { Database } from '../../db/database.js'
import { sql } from '../../db/sql.js'
import type { SqlDialect } from '../../db/sql-dialect.js'
import { parseCsv } from '../../csv/csv-parser.js'
import { CSV_LINE_END } from '../../csv/csv-encoder.js'
import { encodeCsvRecord } from '../../csv/csv-value.js'
import { EtlError } from '../../errors.js'
import type { CalendarDimension } from './dimensional-model.js'
import { BOOLEAN, DATE, INT, SMALLINT, SURROGATE_KEY, TEXT, UNKNOWN_KEY, column } from './dimension-table.js'

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const DAY_MS = 86_400_000

/** The calendar's columns: its key is the date as the integer YYYYMMDD. */
export const CALENDAR_COLUMNS: readonly ColumnDescription[] = [
  column(SURROGATE_KEY, INT),
  column('calendar_date', DATE, true),
  column('year', SMALLINT),
  column('quarter', SMALLINT),
  column('month', SMALLINT),
  column('month_name', TEXT(9)),
  column('iso_week', SMALLINT),
  column('day_of_month', SMALLINT),
  column('day_of_week', SMALLINT),
  column('day_name', TEXT(9)),
  column('is_weekend', BOOLEAN),
  column('is_holiday', BOOLEAN),
  column('holiday_name', TEXT(100), true),
  column('fiscal_year', SMALLINT),
  column('fiscal_quarter', SMALLINT),
]

/** A range of days, both ends included, as `YYYY-MM-DD`. */
export interface DayRange {
  readonly from: string
  readonly to: string
}

/** The calendar key of a date: 2024-03-05 → 20240305. */
export function calendarKey(date: string): number {
  return Number(date.slice(0, 10).replace(/-/g, ''))
}

/**
 * The calendar dimension: one row per day of a range (the dictionary's, widened to cover the dates
 * the facts hold), keyed YYYYMMDD, with names and numbers for year, quarter, month, ISO week and
 * day of week, a weekend flag, the business's holidays from a CSV (`date,name`) and fiscal year and
 * quarter, plus the -1 row. Rebuilt whole in one transaction: ten years are 3,653 rows.
 */
export class CalendarBuild {
  readonly #dim: CalendarDimension
  readonly #table: string
  readonly #dialect: SqlDialect
  readonly #dictionaryDir: string

  constructor(dim: CalendarDimension, schema: string, dialect: SqlDialect, dictionaryFile: string) {
    this.#dim = dim
    this.#table = `${schema}.${dim.name}`
    this.#dialect = dialect
    this.#dictionaryDir = path.dirname(dictionaryFile)
  }

  /** The days to cover: the dictionary's range, widened to `dates` (the facts' range), if given. */
  range(dates: DayRange | undefined): DayRange | undefined {
    const from = [this.#dim.from, dates?.from].filter((day): day is string => !!day).sort()[0]
    const to = [this.#dim.to, dates?.to].filter((day): day is string => !!day).sort().at(-1)
    return from && to ? { from, to } : undefined
  }

  async build(db: Database, dates: DayRange | undefined): Promise<{ days: number; holidays: number }> {
    const range = this.range(dates)
    const holidays = this.#holidays()
    await db.query(this.#dialect.createTableSql(this.#table, CALENDAR_COLUMNS, { ifNotExists: true, primaryKey: [SURROGATE_KEY], on: db.description }))
    const days = range ? calendarRows(range, holidays, this.#dim.fiscalYearStartMonth) : []
    const unknown = [UNKNOWN_KEY, null, UNKNOWN_KEY, UNKNOWN_KEY, UNKNOWN_KEY, 'Unknown', UNKNOWN_KEY, UNKNOWN_KEY, UNKNOWN_KEY, 'Unknown', false, false, null, UNKNOWN_KEY, UNKNOWN_KEY]
    const header = encodeCsvRecord(CALENDAR_COLUMNS.map((col) => col.name))
    const csv = [header, encodeCsvRecord(unknown), ...days.map((row) => encodeCsvRecord(row))].map((line) => line + CSV_LINE_END).join('')
    await db.transaction(async (tx) => {
      await tx.query(sql`delete from ${sql.table(this.#table)}`)
      await tx.bulkLoad(this.#table, Readable.from([csv]))
    })
    return { days: days.length, holidays: days.filter((row) => row[11] === true).length }
  }

  /** The holidays file's days and names; a bad line names the file, the line and the fix. */
  #holidays(): Map<string, string> {
    const found = new Map<string, string>()
    if (!this.#dim.holidays) return found
    const file = path.resolve(this.#dictionaryDir, this.#dim.holidays)
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (error) {
      throw new EtlError('ETL_ERR_ELT_INPUT_MISSING', `dimension "${this.#dim.name}": cannot read its holidays file ${file} (${(error as Error).message}); create it (date,name) or remove "holidays"`, { cause: error })
    }
    const records = parseCsv(text)
    const [head, ...rows] = records
    if (head?.[0] !== 'date' || head[1] !== 'name') throw new EtlError('ETL_ERR_DIMENSIONAL_INVALID', `${file}: the header must be "date,name", got ${JSON.stringify(head)}; fix the first line`)
    rows.forEach((row, i) => {
      const day = row[0] ?? ''
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
        throw new EtlError('ETL_ERR_DIMENSIONAL_INVALID', `${file}: line ${i + 2}: "${day}" is not a date YYYY-MM-DD; fix or remove the line`)
      }
      found.set(day, row[1] ?? '')
    })
    return found
  }
}

/** The calendar's rows for a range, in column order. */
export function calendarRows(range: DayRange, holidays: ReadonlyMap<string, string>, fiscalStart = 1): unknown[][] {
  const rows: unknown[][] = []
  const end = Date.parse(`${range.to}T00:00:00Z`)
  for (let at = Date.parse(`${range.from}T00:00:00Z`); at <= end; at += DAY_MS) {
    const day = new Date(at)
    const iso = day.toISOString().slice(0, 10)
    const year = day.getUTCFullYear()
    const month = day.getUTCMonth() + 1
    const weekday = ((day.getUTCDay() + 6) % 7) + 1
    const fiscalMonth = ((month - fiscalStart + 12) % 12) + 1
    const fiscalYear = fiscalStart === 1 || month < fiscalStart ? year : year + 1
    const holiday = holidays.get(iso)
    rows.push([
      calendarKey(iso),
      iso,
      year,
      Math.ceil(month / 3),
      month,
      MONTHS[month - 1],
      isoWeek(day),
      day.getUTCDate(),
      weekday,
      DAYS[weekday - 1],
      weekday >= 6,
      holiday !== undefined,
      holiday ?? null,
      fiscalYear,
      Math.ceil(fiscalMonth / 3),
    ])
  }
  return rows
}

/** ISO 8601 week number: weeks start on Monday, week 1 holds the year's first Thursday. */
function isoWeek(day: Date): number {
  const thursday = new Date(day.getTime() + (4 - (((day.getUTCDay() + 6) % 7) + 1)) * DAY_MS)
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1)
  return Math.ceil(((thursday.getTime() - yearStart) / DAY_MS + 1) / 7)
}
