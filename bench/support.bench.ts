// npm run bench:support — SupportDW at SUPPORT_BENCH_SCALE (default 500: 1,000,000 cases and about
// 5.0M case-log events) from MariaDB into PostgreSQL (the local services), lake in a temp folder:
// the initial load and a 1% periodic merge, each stage's wall time, rows/s, peak RSS, and the
// initial load's ratio to the floor (the same rows moved by a bare loadThroughLake / loadFromLake
// plus one insert … select per star table, same run). Figures also go to bench/results/support.json.
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { MARIADB, POSTGRES, benchWorkspace } from './bench-workspace.js'
import { CSV_LINE_END, DataServices, LocalScheduler, build, encodeCsvRecord, limitHeapGrowth, sql, type Database, type TaskLike, type TaskOutcome, type TaskResult } from 'etl'

const SCALE = Number(process.env.SUPPORT_BENCH_SCALE ?? 500)
const RESULTS = fileURLToPath(new URL('./results/support.json', import.meta.url))
const TASKS = fileURLToPath(new URL('../tasks/index.ts', import.meta.url))
const SAMPLE = fileURLToPath(new URL('./support-sample.ts', import.meta.url))
const REPO = fileURLToPath(new URL('../', import.meta.url))
const STAR_TABLES = ['d_analysts', 'd_products', 'd_priority', 'd_calendar', 'f_cases']
// SUPPORT_BENCH_SERVER_DEFAULTS=1 runs with the server's own settings instead.
const WAREHOUSE_SETTINGS: Record<string, string | number> = process.env.SUPPORT_BENCH_SERVER_DEFAULTS ? {} : { work_mem: '256MB', random_page_cost: 1.1 }

// Runs as `etl run` runs: with the heap growth the CLI sets, so the peak RSS is what a user sees.
limitHeapGrowth()
const workspace = await benchWorkspace('etl-bench-support')
const { root, name } = workspace
const exportDir = path.join(root, 'data', 'support', 'exports')

const services = () =>
  new DataServices({
    cwd: root,
    connections: {
      support_source: { dialect: 'mysql', ...MARIADB, database: name, poolSize: 4 },
      // The warehouse sessions as the README advises for loads (the floor runs with them too): room for
      // a load's aggregates, and index lookups costed as on an SSD, so a merge's few keys are looked up
      // rather than found by scanning the whole fact table.
      warehouse: { dialect: 'postgres', ...POSTGRES, database: name, poolSize: 4, settings: WAREHOUSE_SETTINGS },
    },
    lake: { type: 'local', path: 'lake' },
  })

/** The peak RSS of this process while `work` runs, sampled every 50 ms. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  try {
    const result = await work()
    return { result, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 1024 / 1024 }
  } finally {
    clearInterval(timer)
  }
}

/** The rows a stage's result says it moved: loaded or parsed rows, else rows inserted and updated. */
function stageRows(result: TaskResult | null): number | undefined {
  if (typeof result?.rows === 'number') return result.rows
  if (typeof result?.inserted === 'number') return result.inserted + (typeof result.updated === 'number' ? result.updated : 0)
  return undefined
}

const timed = async (work: () => Promise<unknown>) => {
  const t0 = Date.now()
  await work()
  return (Date.now() - t0) / 1000
}

const count = async (db: Database, table: string) => Number((await db.query(`select count(*) as n from ${table}`)).rows[0]!.n)

const figures: Record<string, unknown> = { scale: SCALE, started: new Date().toISOString(), warehouseSettings: WAREHOUSE_SETTINGS }
try {
  let t0 = Date.now()
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=etl-source', SAMPLE, name, String(SCALE), exportDir], { cwd: REPO, maxBuffer: 1 << 20 })
  const counts = JSON.parse(stdout) as Record<string, number>
  figures.sample = { seconds: (Date.now() - t0) / 1000, counts }
  console.log(`sample (scale ${SCALE}): ${counts.cases} cases, ${counts.case_log_lines} log lines in ${((Date.now() - t0) / 1000).toFixed(1)}s`)

  const { SupportDW } = (await import(TASKS)) as { SupportDW: new () => TaskLike }
  const runOnce = async (label: string) => {
    const data = services()
    const outcomes = new Map<string, TaskOutcome>()
    const started = Date.now()
    const { result: summary, peakRssMb } = await withPeakRss(() =>
      build(new SupportDW(), {
        scheduler: new LocalScheduler(),
        data,
        workers: 4,
        onEvent: (event) => {
          if (event.type === 'task-finished') {
            outcomes.set(String(event.task), event.outcome)
            if (event.outcome.error) console.error(`${event.task} failed: ${event.outcome.error.message}`)
          }
        },
      }),
    )
    const wall = (Date.now() - started) / 1000
    const warehouse = await data.database('warehouse')
    const rows = Object.fromEntries(await Promise.all(STAR_TABLES.map(async (table) => [table, await count(warehouse, `support_dw.${table}`)] as const)))
    await data.close()
    // Each stage with when it started and ended from the run's start (the chain that ends last is
    // the one to make faster), and its rows per second where its result counts rows.
    const stages = [...outcomes]
      .map(([task, { startedAt, endedAt, result }]) => {
        const seconds = (endedAt - startedAt) / 1000
        const moved = stageRows(result)
        return { task, seconds, from: (startedAt - started) / 1000, to: (endedAt - started) / 1000, rows: moved, rowsPerSecond: moved === undefined ? undefined : moved / seconds }
      })
      .sort((a, b) => b.seconds - a.seconds)
    console.log(`\n${label}: ${summary.complete ? 'complete' : 'FAILED'} in ${wall.toFixed(1)}s, peak RSS ${peakRssMb.toFixed(0)} MB`)
    for (const stage of stages.slice(0, 10)) {
      const rate = stage.rowsPerSecond === undefined ? '' : `  ${stage.rows} rows, ${Math.round(stage.rowsPerSecond)} rows/s`
      console.log(`  ${stage.task.slice(0, 60).padEnd(60)} ${stage.seconds.toFixed(2).padStart(6)}s  (${stage.from.toFixed(1)}→${stage.to.toFixed(1)})${rate}`)
    }
    return { wallSeconds: wall, complete: summary.complete, peakRssMb, stages, rows }
  }

  const initial = await runOnce('initial load')
  const cases = counts.cases!
  const events = counts.case_log_lines! - counts.malformed_log_lines!

  // The floor: the same rows moved bare, in this run: each source table through the lake into a
  // table, the staged event and history files from the lake, and one insert … select per star table.
  let data = services()
  const source = await data.database('support_source')
  const warehouse = await data.database('warehouse')
  await warehouse.query('create schema floor')
  let floorSeconds = 0
  for (const table of ['analysts', 'products', 'cases']) {
    await warehouse.query(warehouse.createTableSql(`floor.${table}`, (await source.describeTable(table)).columns))
    floorSeconds += await timed(() => data.loadThroughLake(warehouse, `floor.${table}`, `floor/${table}.csv`, source.extractCsv(sql`select * from ${sql.id(table)}`)))
  }
  for (const [table, landing] of [['case_events', 'staging.case_events'], ['analyst_history', 'support_landing.analyst_history']]) {
    await warehouse.query(`create table floor.${table} as select * from ${landing} where false`)
    floorSeconds += await timed(() => data.loadFromLake(warehouse, `floor.${table}`, `support/landing/${table}/exec_seq=1/part-0000.csv`))
  }
  for (const table of STAR_TABLES) {
    await warehouse.query(`create table floor.${table} as select * from support_dw.${table} where false`)
    floorSeconds += await timed(() => warehouse.query(`insert into floor.${table} select * from support_dw.${table}`))
  }
  await warehouse.query('drop schema floor cascade')
  await data.close()
  figures.floor = { seconds: floorSeconds }
  figures.initial = { ...initial, casesPerSecond: cases / initial.wallSeconds, eventsPerSecond: events / initial.wallSeconds, ratioToFloor: initial.wallSeconds / floorSeconds }
  console.log(`  floor ${floorSeconds.toFixed(1)}s; initial load ×${(initial.wallSeconds / floorSeconds).toFixed(2)} of it; ${(cases / initial.wallSeconds).toFixed(0)} cases/s`)

  // A 1% periodic merge: 1% of the cases change in the source and get an event in a new case log,
  // and 1% of the analysts move team in a new history file.
  data = services()
  t0 = Date.now()
  const db = await data.database('support_source')
  const touched = Math.max(1, Math.round(cases / 100))
  await db.query(sql`update cases set updated_at = ${'2024-07-02 12:00:00'} where case_id <= ${touched}`)
  const log = Array.from({ length: touched }, (_, i) => `2024-07-02 12:00:00 [case ${i + 1}] RESPONDED by analyst 1\n`).join('')
  await fs.writeFile(path.join(exportDir, 'case_log_9001.log'), log)
  const { rows: analysts } = await db.query<{ aid: number; name: string; skills: string }>('select aid, name, skills from analysts order by aid')
  const moved = analysts.slice(0, Math.max(1, Math.round(analysts.length / 100)))
  const history = [['aid', 'name', 'team', 'skills', 'valid_from'], ...moved.map((a) => [a.aid, a.name, 'Moved', a.skills, '2024-07-02'])]
  await fs.writeFile(path.join(exportDir, 'analyst_history_9001.csv'), history.map((record) => encodeCsvRecord(record) + CSV_LINE_END).join(''))
  await data.close()
  figures.mergeInput = { seconds: (Date.now() - t0) / 1000, cases: touched, analysts: moved.length }
  const merge = await runOnce(`1% merge (${touched} cases, ${moved.length} analysts)`)
  figures.merge = { ...merge, ratioToInitial: merge.wallSeconds / initial.wallSeconds }
  console.log(`  merge / initial load: ${(merge.wallSeconds / initial.wallSeconds).toFixed(3)}`)
  figures.targets = { initialWithin3xFloor: initial.wallSeconds / floorSeconds <= 3, mergeUnder10PercentOfInitial: merge.wallSeconds / initial.wallSeconds < 0.1, peakRssUnder300Mb: Math.max(initial.peakRssMb, merge.peakRssMb) < 300 }
  console.log(`targets: ${JSON.stringify(figures.targets)}`)
  await fs.mkdir(path.dirname(RESULTS), { recursive: true })
  await fs.writeFile(RESULTS, `${JSON.stringify(figures, null, 2)}\n`)
  console.log(`figures written to ${RESULTS}`)
} finally {
  if (!process.env.SUPPORT_BENCH_KEEP) await workspace.remove()
  else console.log(`kept ${workspace.root} ${workspace.name}`)
}
