import { createReadStream } from 'node:fs'
import { CSV_LINE_END, CsvDecoder, encodeCsvRecord, type CsvRecord } from 'etl'
import type { SeededRandom } from '../../orders/sample/random.js'
import { HISTORY_START, periodDays, type SamplePeriod } from './sample-periods.js'
import type { SupportSizes } from './sample-sizes.js'
import { DAY, dayText } from './sample-time.js'

/** One row of the analysts' history: a version of an analyst, valid from a day until the next one. */
export interface AnalystVersion {
  readonly aid: number
  readonly name: string
  readonly team: string
  /** Comma-separated, sorted, no spaces: `billing,network`. */
  readonly skills: string
  /** `YYYY-MM-DD`. */
  readonly valid_from: string
}

/** The history file's header, in column order. */
export const ANALYST_HISTORY_COLUMNS = ['aid', 'name', 'team', 'skills', 'valid_from'] as const

const TEAMS = ['Billing', 'Network', 'Devices', 'Software', 'Escalations'] as const
const SKILLS = ['billing', 'crm', 'hardware', 'mobile', 'network', 'security', 'software', 'vpn'] as const
const FIRST = ['Alex', 'Bea', 'Carlos', 'Dana', 'Elif', 'Femi', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kim', 'Lars', 'Mina', 'Noor', 'Omar', 'Priya']
const LAST = ['Andersen', 'Brown', 'Costa', 'Dubois', 'Evans', 'Fischer', 'García', 'Hansen', 'Ivanova', 'Jones', 'Kowalski', 'Lee', "O'Brien", 'Nakamura', 'Rossi', 'Schmidt']

/** Of the first staff, this share is on the books from day one of the history; the rest join later. */
const FOUNDING_SHARE = 0.7
/** Days between two changes of one analyst during period 1's years of history. */
const CHANGE_GAP_DAYS = [45, 420] as const
/** Chance that an analyst changes (team, skills or name) in a later period's month. */
const MONTHLY_CHANGE = 0.08

/** An analyst on the day they are hired. */
function hire(random: SeededRandom, aid: number, day: number): AnalystVersion {
  const skills = new Set([random.pick(SKILLS)])
  if (random.next() < 0.5) skills.add(random.pick(SKILLS))
  return { aid, name: `${random.pick(FIRST)} ${random.pick(LAST)}`, team: random.pick(TEAMS), skills: skillText(skills), valid_from: dayText(day) }
}

/** The next version of `current` on `day`: a team move, a new skill, or (sometimes) only a new name. */
function change(random: SeededRandom, current: AnalystVersion, day: number): AnalystVersion {
  const valid_from = dayText(day)
  const kind = random.next()
  if (kind < 0.15) {
    const [first] = current.name.split(' ')
    const last = current.name.slice(first!.length + 1)
    return { ...current, name: `${first} ${pickOther(random, LAST, last)}`, valid_from }
  }
  const held = current.skills.split(',')
  const missing = SKILLS.filter((skill) => !held.includes(skill))
  if (kind < 0.55 || missing.length === 0) return { ...current, team: pickOther(random, TEAMS, current.team), valid_from }
  return { ...current, skills: skillText(new Set([...held, random.pick(missing)])), valid_from }
}

function pickOther<T>(random: SeededRandom, items: readonly T[], not: T): T {
  const others = items.filter((item) => item !== not)
  return random.pick(others)
}

function skillText(skills: Iterable<string>): string {
  return [...skills].sort().join(',')
}

/**
 * Period 1's history: every analyst from 2021-01-01 to the end of the period, hires in aid order,
 * each analyst's changes on distinct days (at least 45 apart).
 */
export function firstPeriodHistory(random: SeededRandom, size: SupportSizes, period: SamplePeriod): AnalystVersion[] {
  const lastDay = period.end - DAY
  const founders = Math.round(size.analysts * FOUNDING_SHARE)
  const laterHires = Array.from({ length: size.analysts - founders }, () => HISTORY_START + random.int(31, Math.round((lastDay - HISTORY_START) / DAY) - 30) * DAY).sort((a, b) => a - b)
  const rows: AnalystVersion[] = []
  for (let aid = 1; aid <= size.analysts; aid++) {
    let day = aid <= founders ? HISTORY_START : laterHires[aid - founders - 1]!
    let version = hire(random, aid, day)
    rows.push(version)
    for (;;) {
      day += random.int(...CHANGE_GAP_DAYS) * DAY
      if (day > lastDay) break
      version = change(random, version, day)
      rows.push(version)
    }
  }
  return sortHistory(rows)
}

/**
 * A later period's history: changes of some of the analysts (one at least, one each at most, so
 * never two rows for one aid on a day) and the period's new hires, who get the next aids.
 */
export function periodChanges(random: SeededRandom, latest: readonly AnalystVersion[], size: SupportSizes, period: SamplePeriod): AnalystVersion[] {
  const days = periodDays(period)
  const rows: AnalystVersion[] = []
  const changing = latest.filter(() => random.next() < MONTHLY_CHANGE)
  // Every period has a change at least, so each history file carries one on.
  if (changing.length === 0 && latest.length > 0) changing.push(random.pick(latest))
  for (const current of changing) rows.push(change(random, current, period.start + random.int(0, days - 1) * DAY))
  const nextAid = latest.reduce((max, version) => Math.max(max, version.aid), 0) + 1
  const hireDays = Array.from({ length: size.hiresPerPeriod }, () => period.start + random.int(0, days - 1) * DAY).sort((a, b) => a - b)
  hireDays.forEach((day, i) => rows.push(hire(random, nextAid + i, day)))
  return sortHistory(rows)
}

/** Rows in file order: by day, then aid. */
export function sortHistory(rows: AnalystVersion[]): AnalystVersion[] {
  return rows.sort((a, b) => (a.valid_from < b.valid_from ? -1 : a.valid_from > b.valid_from ? 1 : a.aid - b.aid))
}

/** Each analyst's latest version, by aid: what the HR system shows. */
export function latestVersions(history: Iterable<AnalystVersion>): AnalystVersion[] {
  const latest = new Map<number, AnalystVersion>()
  for (const version of history) {
    const seen = latest.get(version.aid)
    if (!seen || seen.valid_from <= version.valid_from) latest.set(version.aid, version)
  }
  return [...latest.values()].sort((a, b) => a.aid - b.aid)
}

/** The history file's text: RFC 4180 CSV with its header. */
export function analystHistoryCsv(rows: readonly AnalystVersion[]): string {
  const records = rows.map((row) => encodeCsvRecord(ANALYST_HISTORY_COLUMNS.map((column) => row[column])) + CSV_LINE_END)
  return encodeCsvRecord(ANALYST_HISTORY_COLUMNS) + CSV_LINE_END + records.join('')
}

/** The HR table's `updated_at` for a version: midnight of the day it took effect. */
export function hrUpdatedAt(version: AnalystVersion): string {
  return `${version.valid_from} 00:00:00`
}

/** Reads a history file the sample wrote (to carry the analysts on into the next period). */
export async function readAnalystHistory(file: string): Promise<AnalystVersion[]> {
  const rows: AnalystVersion[] = []
  let header: CsvRecord | undefined
  for await (const record of createReadStream(file).pipe(new CsvDecoder()) as AsyncIterable<CsvRecord>) {
    if (!header) {
      header = record
      if (header.join(',') !== ANALYST_HISTORY_COLUMNS.join(',')) throw new Error(`${file}: header is "${header.join(',')}", expected "${ANALYST_HISTORY_COLUMNS.join(',')}"`)
      continue
    }
    const [aid, name, team, skills, validFrom] = record
    if (!/^\d+$/.test(aid ?? '') || !/^\d{4}-\d{2}-\d{2}$/.test(validFrom ?? '')) throw new Error(`${file}: record ${rows.length + 2} is not an analyst version: ${record.join(',')}`)
    rows.push({ aid: Number(aid), name: name ?? '', team: team ?? '', skills: skills ?? '', valid_from: validFrom! })
  }
  return rows
}
