import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { DataServices, setParameterDefaults, sql, type Database } from 'etl'
import { parseCaseLogLine, type CaseLogEvent } from '../../tasks/support/case-log/case-log-line.js'
import { readAnalystHistory, type AnalystVersion } from '../../tasks/support/sample/analyst-history.js'
import { analystHistoryFile, caseLogFile } from '../../tasks/support/sample/sample-periods.js'
import { SUPPORT_TABLES, columnNames } from '../../tasks/support/sample/support-schema.js'
import { advanceSupportSource, initSupportSource } from '../../tasks/support/sample/support-source.js'
import { supportSample } from '../../tasks/support/support-sample.js'
import { MARIADB, scratchMysql, scratchPglite } from '../helpers/databases.js'
import { tempDir } from '../helpers/sandbox.js'

type Digest = Record<string, string>

/** One text per value whichever driver read it: timestamps as `YYYY-MM-DD HH:MM:SS`, NULL as `\N`. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  const text = String(value)
  return /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/.test(text) ? text.replace('T', ' ').slice(0, 19) : text
}

async function tableRows(db: Database, table: string): Promise<string[]> {
  const columns = columnNames(table)
  const key = SUPPORT_TABLES.find((t) => t.name === table)!.key
  const { rows } = await db.query(sql`select ${sql.join(columns.map((c) => sql.id(c)))} from ${sql.id(table)} order by ${sql.id(key)}`)
  return rows.map((row) => columns.map((column) => canonical(row[column])).join('|'))
}

/** A short digest of each support table and each export file: what a seed produces, in one value each. */
async function digests(db: Database, dir: string): Promise<Digest> {
  const out: Digest = {}
  const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 16)
  for (const table of SUPPORT_TABLES) {
    const rows = await tableRows(db, table.name)
    out[table.name] = `${rows.length}:${sha(rows.join('\n'))}`
  }
  for (const file of (await fs.readdir(dir)).sort()) out[file] = sha(await fs.readFile(path.join(dir, file)))
  return out
}

/**
 * A seed's sample (scale 1) on an in-memory PGlite after init and two advances, with the digests
 * after init and after the advances, and the cases as init left them. `keep` leaves it open (for
 * the tests that inspect it, closed after them all).
 */
async function pgliteSample(seed: number, { advances = 2, keep = false } = {}) {
  const scratch = await scratchPglite('support_source')
  const dir = await tempDir('etl-support-')
  const close = async () => {
    await scratch.drop()
    await fs.rm(dir, { recursive: true, force: true })
  }
  try {
    const init = await initSupportSource(scratch.db, { scale: 1, seed, exportDir: dir })
    const initDigests = await digests(scratch.db, dir)
    const casesAfterInit = await tableRows(scratch.db, 'cases')
    const advanced = []
    for (let i = 0; i < advances; i++) advanced.push(await advanceSupportSource(scratch.db, { seed, exportDir: dir }))
    return { db: scratch.db, dir, init, second: advanced[0]!, third: advanced[1]!, casesAfterInit, digests: { init: initDigests, advanced: await digests(scratch.db, dir) }, close }
  } finally {
    if (!keep) await close()
  }
}

/** Seed 42's sample, which the tests below inspect and compare others with. */
const seed42 = pgliteSample(42, { keep: true })
test.after.always(async () => (await seed42).close())

async function logEvents(dir: string, period: number): Promise<{ events: CaseLogEvent[]; malformed: number }> {
  const lines = (await fs.readFile(path.join(dir, caseLogFile(period)), 'utf8')).split('\n').slice(0, -1)
  const events: CaseLogEvent[] = []
  let malformed = 0
  for (const line of lines) {
    const parsed = parseCaseLogLine(line)
    if ('reason' in parsed) malformed++
    else events.push(parsed)
  }
  return { events, malformed }
}

test('support sample: the same seed gives byte-identical files and rows, after init and after each advance; another seed gives others', async (t) => {
  const [first, again, other] = await Promise.all([seed42, pgliteSample(42), pgliteSample(7, { advances: 0 })])
  t.deepEqual(again.digests, first.digests)
  const { init } = first.digests
  t.deepEqual(Object.keys(init), ['analysts', 'products', 'cases', 'analyst_history_0001.csv', 'case_log_0001.log', 'sla.xlsx'])
  for (const part of ['analysts', 'cases', 'analyst_history_0001.csv', 'case_log_0001.log']) t.not(other.digests.init[part], init[part], part)
  t.is(other.digests.init['sla.xlsx'], init['sla.xlsx'], 'the SLA table is the same for every seed')
  t.regex(init.cases!, /^2000:/)
  t.regex(init.products!, /^48:/)
  t.like(first.init, { analysts: 40, products: 48, cases: 2000 })
})

test('support sample: the HR table is each analyst’s latest history row, and no analyst has two rows on one day', async (t) => {
  const { db, dir, init, second, third } = await seed42
  const history: AnalystVersion[] = []
  for (const period of [1, 2, 3]) history.push(...(await readAnalystHistory(path.join(dir, analystHistoryFile(period)))))
  t.is(history.length, init.analyst_history_lines + second.analyst_history_lines + third.analyst_history_lines)
  t.true(init.analysts >= 35 && init.analysts <= 45, `about 40 analysts at scale 1, got ${init.analysts}`)
  const days = new Set(history.map((row) => `${row.aid}@${row.valid_from}`))
  t.is(days.size, history.length, 'one row per analyst and day')
  t.true(history.every((row) => /^[a-z]+(,[a-z]+)*$/.test(row.skills) && row.skills.split(',').join() === row.skills.split(',').sort().join()), 'skills sorted, no spaces')
  const latest = new Map<number, AnalystVersion>()
  for (const row of history) if ((latest.get(row.aid)?.valid_from ?? '') < row.valid_from) latest.set(row.aid, row)
  const expected = [...latest.values()].sort((a, b) => a.aid - b.aid).map((row) => [row.aid, row.name, row.team, row.skills, `${row.valid_from} 00:00:00`].join('|'))
  t.deepEqual(await tableRows(db, 'analysts'), expected)
  // The history has each kind of change: team moves, new skills, a name alone.
  const kinds = new Set<string>()
  const before = new Map<number, AnalystVersion>()
  for (const row of [...history].sort((a, b) => (a.valid_from < b.valid_from ? -1 : 1))) {
    const previous = before.get(row.aid)
    if (previous) for (const field of ['name', 'team', 'skills'] as const) if (previous[field] !== row[field]) kinds.add(field)
    before.set(row.aid, row)
  }
  t.deepEqual([...kinds].sort(), ['name', 'skills', 'team'])
  t.true(history.some((row) => row.valid_from === '2021-01-01') && history.every((row) => row.valid_from >= '2021-01-01'))
})

test('support sample: every case’s events are logged once, in time order, from its creation, by analysts hired by then, and updated_at is its last event', async (t) => {
  const { db, dir } = await seed42
  const hired = new Map<number, string>()
  for (const period of [1, 2, 3]) {
    for (const row of await readAnalystHistory(path.join(dir, analystHistoryFile(period)))) if (!hired.has(row.aid) || hired.get(row.aid)! > row.valid_from) hired.set(row.aid, row.valid_from)
  }
  const byCase = new Map<number, CaseLogEvent[]>()
  for (const period of [1, 2, 3]) {
    const { events, malformed } = await logEvents(dir, period)
    t.true(malformed >= 4, `period ${period} has malformed lines`)
    t.deepEqual(
      events.map((event) => event.event_at),
      events.map((event) => event.event_at).sort(),
      `period ${period}'s log is in time order`,
    )
    for (const event of events) byCase.set(event.case_id, [...(byCase.get(event.case_id) ?? []), event])
  }
  const cases = await db.query<{ case_id: number; created_at: string; updated_at: string }>(sql`select case_id, created_at, updated_at from cases order by case_id`)
  t.is(byCase.size, cases.rows.length)
  let never = 0
  let open = 0
  for (const row of cases.rows) {
    const events = byCase.get(Number(row.case_id))!
    t.is(events[0]!.event, 'CREATED')
    t.is(events[0]!.event_at, canonical(row.created_at))
    t.is(events.filter((event) => event.event === 'CREATED').length, 1)
    t.is(canonical(row.updated_at), events[events.length - 1]!.event_at, `case ${row.case_id}'s updated_at`)
    for (const event of events) if (event.aid !== null) t.true(hired.get(event.aid)! <= events[0]!.event_at.slice(0, 10), `analyst ${event.aid} exists when case ${row.case_id} is created`)
    if (events.length === 1) never++
    else if (!events.some((event) => event.event === 'RESOLVED')) open++
  }
  t.true(never > 10, `some cases are never assigned (${never})`)
  t.true(open > 10, `some cases are assigned but still open (${open})`)
})

test('support sample: advance adds period 2’s files and July’s cases, and later events of earlier open cases', async (t) => {
  const { db, dir, init, second, casesAfterInit } = await seed42
  t.is(second.period, 2)
  t.true((await fs.readdir(dir)).includes(analystHistoryFile(2)) && (await fs.readdir(dir)).includes(caseLogFile(2)))
  const july = await db.query(sql`select count(*) as n, min(case_id) as first from cases where created_at >= ${'2024-07-01 00:00:00'} and created_at < ${'2024-08-01 00:00:00'}`)
  t.is(Number(july.rows[0]!.n), second.cases)
  t.is(Number(july.rows[0]!.first), init.cases + 1)
  t.true(second.cases > 300 && second.cases < 380, `a month of cases at the same daily rate, got ${second.cases}`)
  const { events } = await logEvents(dir, 2)
  t.true(events.every((event) => event.event_at >= '2024-07-01' && event.event_at < '2024-08-01'), 'only July in July’s log')
  const earlier = events.filter((event) => event.case_id <= init.cases)
  t.true(earlier.some((event) => event.event === 'ASSIGNED'), 'an earlier unassigned case is assigned')
  t.true(earlier.some((event) => event.event === 'RESOLVED'), 'an earlier open case is resolved')
  t.is(new Set(earlier.map((event) => event.case_id)).size, second.cases_touched)
  // The earlier cases with events in July (or August, the third period), and only they, have a new updated_at.
  const before = new Map(casesAfterInit.map((row) => [row.split('|')[0], row]))
  const later = [...earlier, ...(await logEvents(dir, 3)).events.filter((event) => event.case_id <= init.cases)]
  const touched = new Set(later.map((event) => String(event.case_id)))
  const afterRows = await db.query<{ case_id: number; updated_at: string }>(sql`select case_id, updated_at from cases where case_id <= ${init.cases}`)
  for (const row of afterRows.rows) {
    const changed = before.get(String(row.case_id))!.split('|')[4] !== canonical(row.updated_at)
    t.is(changed, touched.has(String(row.case_id)), `case ${row.case_id}`)
  }
  const history = await readAnalystHistory(path.join(dir, analystHistoryFile(2)))
  t.true(history.length >= 1 && history.every((row) => row.valid_from.startsWith('2024-07')))
})

test('support sample: an advance that failed part-way is redone as the same period', async (t) => {
  const scratch = await scratchPglite('support_source')
  const dir = await tempDir('etl-support-')
  t.teardown(async () => {
    await scratch.drop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  await initSupportSource(scratch.db, { scale: 1, seed: 9, exportDir: dir })
  const first = await advanceSupportSource(scratch.db, { seed: 9, exportDir: dir })
  const done = await digests(scratch.db, dir)
  await fs.rm(path.join(dir, caseLogFile(2)))
  t.deepEqual(await advanceSupportSource(scratch.db, { seed: 9, exportDir: dir }), first)
  t.deepEqual(await digests(scratch.db, dir), done)
})

// The tests below go through supportSample and so through exportDir(), a process-wide setting: serial.

/** Data services with the built-in embedded support_source under a temp folder, and the export folder there. */
async function services(t: { teardown(fn: () => Promise<void>): void }) {
  const cwd = await tempDir('etl-support-')
  const dir = path.join(cwd, 'exports')
  const data = new DataServices({ cwd })
  setParameterDefaults({ WaitForSupportExports: { exportDir: dir } })
  t.teardown(async () => {
    await data.close()
    setParameterDefaults({})
    await fs.rm(cwd, { recursive: true, force: true })
  })
  return { data, dir }
}

test.serial('support sample: init refuses a source with tables or an export folder with files, and --force replaces the sample', async (t) => {
  const { data, dir } = await services(t)
  const first = await supportSample.init(data, { seed: 1 })
  t.like(first, { analysts: 40, products: 48, cases: 2000 })
  await supportSample.advance(data, {})
  const again = await t.throwsAsync(supportSample.init(data, {}))
  t.is((again as { code?: string }).code, 'ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY')
  t.regex(again.message, /^connection "support_source" .* has tables "analysts", "cases", "products", and .*exports holds "analyst_history_0001\.csv", .*"sla\.xlsx"; etl demo init would drop and re-create "analysts", "products", "cases" and replace the sample's export files in .*exports; /)
  t.regex(again.message, /pass --force to replace them, or point connections\.support_source \(and tasks\.WaitForSupportExports\.exportDir\) at an empty database and folder$/)

  await fs.writeFile(path.join(dir, 'notes.txt'), 'not the sample’s')
  const replaced = await supportSample.init(data, { seed: 2, force: true })
  t.is(replaced.cases, 2000)
  t.deepEqual((await fs.readdir(dir)).sort(), ['analyst_history_0001.csv', 'case_log_0001.log', 'notes.txt', 'sla.xlsx'], 'period 2 is gone, files not the sample’s stay')
  const source = await data.database('support_source')
  t.is(Number((await source.query(sql`select count(*) as n from cases`)).rows[0]!.n), 2000)
})

test.serial('support sample: init refuses an export folder with files even when the source is empty, and an empty source with a table of its own', async (t) => {
  const { data, dir } = await services(t)
  await fs.mkdir(dir, { recursive: true })
  await fs.writeFile(path.join(dir, 'case_log_0001.log'), '')
  await t.throwsAsync(supportSample.init(data, {}), { code: 'ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY', message: /exports holds "case_log_0001\.log"; etl demo init would create 3 tables beside them/ })
  await fs.rm(dir, { recursive: true })
  const source = await data.database('support_source')
  await source.query('create table tickets (id int)')
  await t.throwsAsync(supportSample.init(data, {}), { code: 'ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY', message: /\) has tables "tickets"; etl demo init would create 3 tables beside them/ })
})

test.serial('support sample: advance without a sample says to run init first', async (t) => {
  const { data, dir } = await services(t)
  await t.throwsAsync(supportSample.advance(data, {}), { code: 'ETL_ERR_SAMPLE_SOURCE_MISSING', message: /has no sample to advance: "analysts", "products", "cases" are missing; run etl demo init --pipeline support first/ })
  await supportSample.init(data, {})
  await fs.rm(path.join(dir, caseLogFile(1)))
  await t.throwsAsync(supportSample.advance(data, {}), { code: 'ETL_ERR_SAMPLE_SOURCE_MISSING', message: /has no case log \(case_log_0001\.log\) to carry on from; run etl demo init --pipeline support first/ })
})

test.serial('support sample: on MariaDB it builds and advances the same rows and files as on PGlite', async (t) => {
  const scratch = await scratchMysql('support_source')
  const cwd = await tempDir('etl-support-')
  const dir = path.join(cwd, 'exports')
  const data = new DataServices({ cwd, connections: { support_source: { dialect: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database: scratch.namespace } } })
  setParameterDefaults({ WaitForSupportExports: { exportDir: dir } })
  t.teardown(async () => {
    await data.close()
    await scratch.drop()
    setParameterDefaults({})
    await fs.rm(cwd, { recursive: true, force: true })
  })
  await supportSample.init(data, { seed: 42 })
  const source = await data.database('support_source')
  const { init, advanced } = (await seed42).digests
  t.deepEqual(await digests(source, dir), init)
  await supportSample.advance(data, { seed: 42 })
  await supportSample.advance(data, { seed: 42 })
  t.deepEqual(await digests(source, dir), advanced)
})
