import fs from 'node:fs/promises'
import { ANALYST_HISTORY_FILES, CASE_LOG_FILES } from '../export-dir.js'
import { DAY, dayStart } from './sample-time.js'

/**
 * One period of the sample: period 1 (what `init` makes) holds cases created 2024-01-01 … 2024-06-30,
 * each later one (what each `advance` adds) the next calendar month. Times are seconds since 1970.
 */
export interface SamplePeriod {
  /** 1, 2, …: the NNNN of the period's export files. */
  readonly number: number
  /** The first second of the period. */
  readonly start: number
  /** The first second after it. */
  readonly end: number
}

/** Where the analysts' history starts: period 1's history file holds everything since. */
export const HISTORY_START = dayStart(2021, 0, 1)

/** Period `number`'s time window. */
export function samplePeriod(number: number): SamplePeriod {
  if (!Number.isInteger(number) || number < 1) throw new Error(`a sample period is a whole number from 1, not ${number}`)
  if (number === 1) return { number, start: dayStart(2024, 0), end: dayStart(2024, 6) }
  return { number, start: dayStart(2024, 6 + number - 2), end: dayStart(2024, 6 + number - 1) }
}

/** Days in a period: 182 for period 1, the month's length for the others. */
export function periodDays(period: SamplePeriod): number {
  return Math.round((period.end - period.start) / DAY)
}

/** `0001`: the period as the export files spell it. */
export function periodTag(number: number): string {
  return String(number).padStart(4, '0')
}

export function analystHistoryFile(number: number): string {
  return `analyst_history_${periodTag(number)}.csv`
}

export function caseLogFile(number: number): string {
  return `case_log_${periodTag(number)}.log`
}

/** The periods whose history and case log files are in `dir`, each list ascending. */
export async function periodsIn(dir: string): Promise<{ histories: number[]; logs: number[] }> {
  const names = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[]
    throw error
  })
  const numberOf = (name: string) => Number(/_(\d+)\./.exec(name)![1])
  const sorted = (pattern: RegExp) => names.filter((name) => pattern.test(name)).map(numberOf).sort((a, b) => a - b)
  return { histories: sorted(ANALYST_HISTORY_FILES), logs: sorted(CASE_LOG_FILES) }
}
