import fs from 'node:fs/promises'
import path from 'node:path'
import { EtlError, bulkLoadRows, sql, type Database, type Queryable } from 'etl'
import { SeededRandom } from '../../orders/sample/random.js'
import { ANALYST_HISTORY_FILES, CASE_LOG_FILES, SLA_FILES } from '../export-dir.js'
import { analystHistoryCsv, firstPeriodHistory, hrUpdatedAt, latestVersions, periodChanges, readAnalystHistory, type AnalystVersion } from './analyst-history.js'
import { AnalystRoster } from './analyst-roster.js'
import { MAX_CASE_DAYS, caseEvents, type CaseEvent } from './case-lifecycle.js'
import { CaseLogMerge } from './case-log-merge.js'
import { newCases, type NewCase } from './case-rows.js'
import { deriveSeed } from './derive-seed.js'
import { leafProductIds, productRows } from './product-rows.js'
import { analystHistoryFile, caseLogFile, periodsIn, samplePeriod, type SamplePeriod } from './sample-periods.js'
import { writeFileAtomically } from './sample-output.js'
import { writeSlaWorkbook } from './sample-sla.js'
import { casesIn, scaleOfFirstPeriod, supportSizes, type SupportSizes } from './sample-sizes.js'
import { DAY, secondsOf, timestampText } from './sample-time.js'
import { columnNames, createSupportTables, indexSupportTables } from './support-schema.js'

/** The seed when none is given. */
export const DEFAULT_SUPPORT_SEED = 42
/** Cases deleted per statement when `advance` replaces the rows of cases it touches. */
const DELETE_BATCH = 1000

export interface SupportInitOptions {
  /** 1 gives about 40 analysts and 2,000 cases; cases and log lines grow in proportion. @defaultValue 1 */
  readonly scale?: number | undefined
  /** @defaultValue {@link DEFAULT_SUPPORT_SEED} */
  readonly seed?: number | undefined
  /** The export folder the files go to (`exportDir()`). */
  readonly exportDir: string
}

export type SupportAdvanceOptions = Omit<SupportInitOptions, 'scale'>

/**
 * What `init` made: rows of the `analysts`, `products` and `cases` tables, rows of the history file
 * (without its header), and lines of the case log, of which `malformed_log_lines` are malformed.
 */
export type SupportInitCounts = {
  readonly analysts: number
  readonly products: number
  readonly cases: number
  readonly analyst_history_lines: number
  readonly case_log_lines: number
  readonly malformed_log_lines: number
}

/**
 * What an `advance` made, in the same terms for the new period: `analysts` changed or hired,
 * `products` (always 0: the catalogue does not change), new `cases`, and `cases_touched`, earlier
 * cases with events in the period (their `updated_at` moved on).
 */
export type SupportAdvanceCounts = SupportInitCounts & { readonly period: number; readonly cases_touched: number }

/** The files and the case counts a period writes. */
type PeriodCounts = Pick<SupportInitCounts, 'cases' | 'analyst_history_lines' | 'case_log_lines' | 'malformed_log_lines'>

/**
 * Builds period 1 of the Support department's sample: the `analysts`, `products` and `cases`
 * tables in `db` (replacing them if they exist) and, in the export folder, the analysts' history
 * since 2021 (`analyst_history_0001.csv`), the case log of 2024-01-01 … 2024-06-30
 * (`case_log_0001.log`) and `sla.xlsx`; earlier export files of a sample there are removed.
 * Deterministic for a seed and scale, and streamed: memory stays flat at any scale.
 */
export async function initSupportSource(db: Database, options: SupportInitOptions): Promise<SupportInitCounts> {
  const seed = options.seed ?? DEFAULT_SUPPORT_SEED
  const size = supportSizes(options.scale ?? 1)
  const period = samplePeriod(1)
  const dir = options.exportDir
  await createSupportTables(db)
  await fs.mkdir(dir, { recursive: true })
  await removeExportFiles(dir)
  const history = firstPeriodHistory(new SeededRandom(deriveSeed(seed, 'analysts', period.number)), size, period)
  const analysts = await bulkLoadRows(db, 'analysts', columnNames('analysts'), latestVersions(history).map(hrRow))
  const products = await bulkLoadRows(db, 'products', columnNames('products'), productRows(size.productsPerGroup).map((p) => [p.id, p.parent_id, p.name, p.updated_at]))
  const written = await writePeriodCases(db, { seed, size, period, roster: new AnalystRoster(history), firstId: 1, dir, history, carried: [] })
  await indexSupportTables(db)
  await writeSlaWorkbook(path.join(dir, SLA_FILES[0]))
  return { analysts, products, ...written }
}

/**
 * Moves the sample on by one calendar month, the period after the last case log in the export
 * folder: the analysts' changes and new hires of the month (in the HR table and a new history file),
 * the month's new cases, and the later events of earlier cases still open (assigned, answered or
 * resolved this month, with their `updated_at` moved on), all in the month's case log.
 * Deterministic for the folder's and the source's state and the seed; running it again after it
 * failed part-way redoes the same period.
 */
export async function advanceSupportSource(db: Database, options: SupportAdvanceOptions): Promise<SupportAdvanceCounts> {
  const seed = options.seed ?? DEFAULT_SUPPORT_SEED
  const dir = options.exportDir
  const period = samplePeriod((await lastPeriod(dir)) + 1)
  const history: AnalystVersion[] = []
  for (let n = 1; n < period.number; n++) history.push(...(await readAnalystHistory(path.join(dir, analystHistoryFile(n)))))
  const firstPeriodCases = await db.query(sql`select count(*) as n from ${sql.id('cases')} where ${sql.id('created_at')} < ${timestampText(samplePeriod(1).end)}`)
  const size = supportSizes(scaleOfFirstPeriod(Number(firstPeriodCases.rows[0]!.n)))
  const changes = periodChanges(new SeededRandom(deriveSeed(seed, 'analysts', period.number)), latestVersions(history), size, period)
  const roster = new AnalystRoster([...history, ...changes])
  const updated = latestVersions(changes)
  await db.transaction(async (tx) => {
    await deleteKeys(tx, 'analysts', 'aid', updated.map((version) => version.aid))
    await bulkLoadRows(tx, 'analysts', columnNames('analysts'), updated.map(hrRow))
  })
  const carried = await carriedCases(db, period, roster)
  const newest = await db.query(sql`select max(${sql.id('case_id')}) as id from ${sql.id('cases')} where ${sql.id('created_at')} < ${timestampText(period.start)}`)
  const firstId = Number(newest.rows[0]!.id ?? 0) + 1
  const written = await writePeriodCases(db, { seed, size, period, roster, firstId, dir, history: changes, carried })
  return { period: period.number, analysts: updated.length, products: 0, ...written, cases_touched: carried.length }
}

/** The last period whose case log is in `dir`, every earlier period's files being there too. */
async function lastPeriod(dir: string): Promise<number> {
  const { histories, logs } = await periodsIn(dir)
  const last = logs[logs.length - 1]
  if (last === undefined) throw new EtlError('ETL_ERR_SAMPLE_SOURCE_MISSING', `${dir} has no case log (${caseLogFile(1)}) to carry on from; run etl demo init --pipeline support first`)
  for (let n = 1; n <= last; n++) {
    const missing = [histories.includes(n) ? '' : analystHistoryFile(n), logs.includes(n) ? '' : caseLogFile(n)].filter(Boolean)
    if (missing.length) {
      throw new EtlError(
        'ETL_ERR_SAMPLE_SOURCE_MISSING',
        `${dir} lacks ${missing.join(' and ')}: advancing the sample needs every period's files up to the last (${caseLogFile(last)}); put them back, or start again with etl demo init --pipeline support --force`,
      )
    }
  }
  return last
}

/** A case that an earlier period created and whose life goes on in this one, and the time of its last event here. */
interface CarriedCase {
  readonly row: NewCase
  readonly events: readonly CaseEvent[]
  readonly lastAt: number
}

/** The earlier cases with events in `period`: created within {@link MAX_CASE_DAYS} before it. */
async function carriedCases(db: Database, period: SamplePeriod, roster: AnalystRoster): Promise<CarriedCase[]> {
  const carried: CarriedCase[] = []
  const [id, product, priority, created] = ['case_id', 'product_id', 'priority', 'created_at'].map((name) => sql.id(name))
  const from = timestampText(period.start - MAX_CASE_DAYS * DAY)
  const until = timestampText(period.start)
  const rows = db.stream(sql`select ${id}, ${product}, ${priority}, ${created} from ${sql.id('cases')} where ${created} >= ${from} and ${created} < ${until} order by ${created}, ${id}`)
  for await (const r of rows) {
    const row: NewCase = { case_id: Number(r.case_id), product_id: Number(r.product_id), priority: String(r.priority), created: secondsOf(String(r.created_at)) }
    const events = caseEvents(row, roster).filter((event) => event.at >= period.start && event.at < period.end)
    if (events.length) carried.push({ row, events, lastAt: events[events.length - 1]!.at })
  }
  return carried
}

interface PeriodCases {
  readonly seed: number
  readonly size: SupportSizes
  readonly period: SamplePeriod
  readonly roster: AnalystRoster
  readonly firstId: number
  readonly dir: string
  /** The period's history rows, for its history file. */
  readonly history: readonly AnalystVersion[]
  readonly carried: readonly CarriedCase[]
}

/**
 * Loads the period's cases (new ones, and the carried ones with their new `updated_at`), then writes
 * the history file and, last, the case log: the log's presence is what marks the period as done.
 * The cases are generated twice from the same state, once for the table and once for the log, so
 * neither pass holds them.
 */
async function writePeriodCases(db: Database, spec: PeriodCases): Promise<PeriodCounts> {
  const { period, roster } = spec
  const random = new SeededRandom(deriveSeed(spec.seed, 'cases', period.number))
  const count = casesIn(spec.size, period)
  const leaves = leafProductIds(spec.size.productsPerGroup)
  const generate = (r: SeededRandom) => newCases(r, period, count, spec.firstId, leaves)
  const again = random.clone()
  function* rows(): Generator<unknown[]> {
    for (const carried of spec.carried) yield caseRow(carried.row, carried.lastAt)
    for (const c of generate(random)) {
      const inPeriod = caseEvents(c, roster).filter((event) => event.at < period.end)
      yield caseRow(c, inPeriod[inPeriod.length - 1]!.at)
    }
  }
  await db.transaction(async (tx) => {
    // What a failed attempt at this period may have left, and the carried cases' rows, go first.
    await tx.query(sql`delete from ${sql.id('cases')} where ${sql.id('created_at')} >= ${timestampText(period.start)}`)
    await deleteKeys(tx, 'cases', 'case_id', spec.carried.map((carried) => carried.row.case_id))
    await bulkLoadRows(tx, 'cases', columnNames('cases'), rows())
  })
  await writeFileAtomically(path.join(spec.dir, analystHistoryFile(period.number)), [analystHistoryCsv(spec.history)])
  const merge = new CaseLogMerge(period, new SeededRandom(deriveSeed(spec.seed, 'log', period.number)))
  for (const carried of spec.carried) merge.add(carried.events)
  function* lines(): Generator<string> {
    for (const c of generate(again)) {
      yield* merge.until(c.created)
      merge.add(caseEvents(c, roster))
    }
    yield* merge.rest()
  }
  await writeFileAtomically(path.join(spec.dir, caseLogFile(period.number)), lines())
  return { cases: count, analyst_history_lines: spec.history.length, case_log_lines: merge.lines, malformed_log_lines: merge.malformed }
}

function hrRow(version: AnalystVersion): unknown[] {
  return [version.aid, version.name, version.team, version.skills, hrUpdatedAt(version)]
}

function caseRow(c: NewCase, updatedAt: number): unknown[] {
  return [c.case_id, c.product_id, c.priority, timestampText(c.created), timestampText(updatedAt)]
}

/** Deletes the rows of `table` whose `key` is one of `keys`, a batch of keys per statement. */
async function deleteKeys(db: Queryable, table: string, key: string, keys: readonly number[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH)
    await db.query(sql`delete from ${sql.id(table)} where ${sql.id(key)} in (${sql.join(batch)})`)
  }
}

/** The export files of a sample (period files, the SLA table, files left half-written), so init starts from period 1. */
async function removeExportFiles(dir: string): Promise<void> {
  const ours = (name: string) => {
    const whole = name.endsWith('.partial') ? name.slice(0, -'.partial'.length) : name
    return ANALYST_HISTORY_FILES.test(whole) || CASE_LOG_FILES.test(whole) || (SLA_FILES as readonly string[]).includes(whole)
  }
  for (const name of await fs.readdir(dir)) if (ours(name)) await fs.rm(path.join(dir, name), { force: true })
}
