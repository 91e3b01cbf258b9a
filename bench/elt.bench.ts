// npm run bench:elt — RunJob with ~1,000,000 order lines from MariaDB into PostgreSQL (the local
// services), lake in a temp folder: wall time per stage, rows/s, peak RSS, each stage's ratio to the
// data layer's floor (a bare extract through the lake into a table, same run), then an incremental run
// after `demo advance`. Figures also go to bench/results/elt.json.
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { MARIADB, POSTGRES, benchWorkspace } from './bench-workspace.js'
import { DataServices, LocalScheduler, build, sql, type TaskLike } from 'etl'
import { advanceDemoSource, initDemoSource } from '../tasks/orders/sample/demo-source.js'

const SCALE = Number(process.env.ELT_BENCH_SCALE ?? 500)
const RESULTS = fileURLToPath(new URL('./results/elt.json', import.meta.url))
const TASKS = fileURLToPath(new URL('../tasks/index.ts', import.meta.url))

const workspace = await benchWorkspace('etl-bench-elt')
const { root, name } = workspace

const services = () =>
  new DataServices({
    cwd: root,
    connections: {
      source: { dialect: 'mysql', ...MARIADB, database: name, poolSize: 4 },
      warehouse: { dialect: 'postgres', ...POSTGRES, database: name, poolSize: 4 },
    },
    lake: { type: 'local', path: 'lake' },
  })

const figures: Record<string, unknown> = { scale: SCALE, started: new Date().toISOString() }
try {
  let data = services()
  let t0 = Date.now()
  const counts = await initDemoSource(await data.database('source'), { scale: SCALE })
  figures.demoInit = { seconds: (Date.now() - t0) / 1000, counts }
  console.log(`demo init (scale ${SCALE}): ${counts.order_lines} order lines in ${((Date.now() - t0) / 1000).toFixed(1)}s`)

  // The floor: the data layer alone moving order_lines source → lake and table, in one pass.
  const source = await data.database('source')
  const warehouse = await data.database('warehouse')
  const description = await source.describeTable('order_lines')
  await warehouse.query(warehouse.createTableSql('floor_order_lines', description.columns))
  t0 = Date.now()
  await data.loadThroughLake(warehouse, 'floor_order_lines', 'floor/order_lines.csv', source.extractCsv(sql`select * from ${sql.id('order_lines')}`))
  const floorSeconds = (Date.now() - t0) / 1000
  figures.floor = { seconds: floorSeconds, rows: counts.order_lines }
  await data.close()

  const { RunJob } = (await import(TASKS)) as { RunJob: new () => TaskLike }
  const runOnce = async (label: string) => {
    data = services()
    const durations = new Map<string, number>()
    const started = Date.now()
    const summary = await build(new RunJob(), {
      scheduler: new LocalScheduler(),
      data,
      workers: 4,
      onEvent: (event) => {
        if (event.type === 'task-finished') {
          durations.set(String(event.task), event.outcome.endedAt - event.outcome.startedAt)
          if (event.outcome.error) console.error(`${event.task} failed: ${event.outcome.error.message}`)
        }
      },
    })
    const wall = (Date.now() - started) / 1000
    const control = await (await data.database('warehouse')).query(sql`select table_name, extracted_rows from control.etl_sequence_table where pipeline = 'orders' and exec_seq = (select max(exec_seq) from control.etl_sequence where pipeline = 'orders')`)
    await data.close()
    const stages = [...durations].map(([task, ms]) => ({ task, seconds: ms / 1000 }))
    console.log(`\n${label}: ${summary.complete ? 'complete' : 'FAILED'} in ${wall.toFixed(1)}s`)
    for (const stage of stages) console.log(`  ${stage.task.padEnd(40)} ${stage.seconds.toFixed(2)}s`)
    return { wallSeconds: wall, complete: summary.complete, stages, extracted: Object.fromEntries(control.rows.map((row) => [row.table_name, Number(row.extracted_rows)])) }
  }

  const full = await runOnce('full run')
  const lines = counts.order_lines!
  const stage = (task: string) => full.stages.find((s) => s.task === task)?.seconds ?? NaN
  figures.full = {
    ...full,
    orderLinesPerSecond: lines / full.wallSeconds,
    landOrderLinesRatioToFloor: stage('LandTable(table=order_lines)') / floorSeconds,
  }
  console.log(`  order lines/s over the whole run: ${(lines / full.wallSeconds).toFixed(0)}`)
  console.log(`  floor: ${floorSeconds.toFixed(2)}s through the lake; LandTable(order_lines) ×${(figures.full as { landOrderLinesRatioToFloor: number }).landOrderLinesRatioToFloor.toFixed(2)}`)

  data = services()
  t0 = Date.now()
  const advanced = await advanceDemoSource(await data.database('source'))
  figures.advance = { seconds: (Date.now() - t0) / 1000, counts: advanced }
  await data.close()
  const incremental = await runOnce('incremental run after demo advance')
  figures.incremental = { ...incremental, ratioToFull: incremental.wallSeconds / full.wallSeconds }
  console.log(`  incremental / full: ${(incremental.wallSeconds / full.wallSeconds).toFixed(3)}`)
  figures.peakRssMb = process.resourceUsage().maxRSS / 1024
  console.log(`\npeak RSS: ${(figures.peakRssMb as number).toFixed(0)} MB`)
  await fs.mkdir(path.dirname(RESULTS), { recursive: true })
  await fs.writeFile(RESULTS, `${JSON.stringify(figures, null, 2)}\n`)
  console.log(`figures written to ${RESULTS}`)
} finally {
  await workspace.remove()
}
