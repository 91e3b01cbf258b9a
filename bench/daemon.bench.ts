// `npm run bench:daemon`: no-op tasks through the scheduler daemon with 1, 4 and 8 worker processes,
// as tasks per second and as a ratio to the in-process scheduler on the same graph in the same run;
// then the UI's task list (time and size) at 10,000 tasks. Writes bench/results/daemon.json.
// The daemon keeps its run history in the embedded database, as by default; BENCH_HISTORY=off leaves it out.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { RemoteScheduler, type TaskRecord } from 'etl'
import { readRunLog, runFixture, startDaemonProcess, tempDir, waitFor, type FixtureProcess } from '../test/helpers/daemon-helpers.js'

/** Tasks in the graph each configuration runs: enough for a steady rate, small enough for 2 cores. */
const GRAPH_SIZE = 2000
/** Task slots per worker process, and of the in-process baseline. */
const SLOTS = 4
const PROCESS_COUNTS = [1, 4, 8]
const UI_TASKS = 10_000
const UI_REPEATS = 20

interface Throughput {
  label: string
  processes: number
  tasks: number
  seconds: number
  tasksPerSecond: number
}

async function main(): Promise<void> {
  const dir = await tempDir('bench')
  const results: { machine: string; graphSize: number; slotsPerProcess: number; baseline?: Throughput; daemon: (Throughput & { ratioToInProcess: number })[]; ui?: unknown } = {
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    graphSize: GRAPH_SIZE,
    slotsPerProcess: SLOTS,
    daemon: [],
  }

  const baseline = await measure('in-process', 1, dir, ['--local'])
  results.baseline = baseline
  print(baseline, 1)

  const daemon = await startDaemonProcess(['--state-dir', path.join(dir, 'state'), '--history', process.env.BENCH_HISTORY ?? 'embedded'])
  try {
    // The embedded history's first start (creating the database) is not part of any measurement.
    await waitFor(async () => (await fetch(`${daemon.url}/api/ui/runs`)).ok, 120_000)
    for (const processes of PROCESS_COUNTS) {
      const result = await measure(`daemon, ${processes} worker process${processes > 1 ? 'es' : ''}`, processes, dir, ['--url', daemon.url])
      const ratio = result.tasksPerSecond / baseline.tasksPerSecond
      results.daemon.push({ ...result, ratioToInProcess: round(ratio) })
      print(result, ratio)
    }
    results.ui = await measureUi(daemon.url)
  } finally {
    daemon.child.kill('SIGTERM')
    await daemon.exited
  }
  await fs.mkdir('bench/results', { recursive: true })
  await fs.writeFile('bench/results/daemon.json', `${JSON.stringify(results, null, 2)}\n`)
  console.log('\nwritten to bench/results/daemon.json')
}

/** Runs the graph with `processes` workers; the rate is tasks over the time from the first start to the last end. */
async function measure(label: string, processes: number, dir: string, args: string[]): Promise<Throughput> {
  const tag = label.replace(/\W+/g, '-')
  const runLog = path.join(dir, `${tag}.log`)
  const workers: FixtureProcess[] = Array.from({ length: processes }, () =>
    runFixture('worker.ts', [...args, '--size', String(GRAPH_SIZE), '--workers', String(SLOTS), '--tag', tag, '--output-dir', path.join(dir, 'output'), '--heartbeat-ms', '2000'], {
      ETL_TEST_RUN_LOG: runLog,
    }),
  )
  const codes = await Promise.all(workers.map((worker) => worker.exited))
  codes.forEach((code, index) => {
    if (code !== 0) throw new Error(`${label}: worker ${index} exited ${code}:\n${workers[index]!.output()}`)
  })
  const text = await fs.readFile(runLog, 'utf8')
  const times = text
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.split(' ')[3]))
  const { starts } = await readRunLog(runLog)
  if (starts.size !== GRAPH_SIZE || [...starts.values()].some((count) => count !== 1)) throw new Error(`${label}: not every task ran exactly once`)
  const seconds = (Math.max(...times) - Math.min(...times)) / 1000
  return { label, processes, tasks: GRAPH_SIZE, seconds: round(seconds), tasksPerSecond: Math.round(GRAPH_SIZE / seconds) }
}

/** Registers 10,000 tasks (not run) and times the UI's list, filtered list, page of 1,000 and summary. */
async function measureUi(url: string): Promise<Record<string, { medianMs: number; p95Ms: number; bytes: number }>> {
  const scheduler = new RemoteScheduler({ url })
  const families = ['LoadOrders', 'LoadCustomers', 'BuildFacts', 'Report']
  const records: TaskRecord[] = Array.from({ length: UI_TASKS }, (_, i) => ({
    id: `${families[i % 4]}_${i}_ui`,
    family: families[i % 4]!,
    params: { date: `2024-01-${String((i % 28) + 1).padStart(2, '0')}`, table: `table_${i % 97}` },
    kind: 'task',
    deps: i > 0 ? [`${families[(i - 1) % 4]}_${i - 1}_ui`] : [],
    status: i % 3 === 0 ? 'DONE' : 'PENDING',
    priority: 0,
    resources: {},
  }))
  for (let start = 0; start < records.length; start += 2000) await scheduler.addTasks({ workerId: 'bench-ui', tasks: records.slice(start, start + 2000) })
  const urls = {
    'tasks, first page of 100': '/api/ui/tasks?limit=100',
    'tasks, status + family + search': '/api/ui/tasks?status=PENDING&family=LoadOrders&q=table_42&limit=100',
    'tasks, page of 1,000': '/api/ui/tasks?limit=1000&sort=updated&desc=1',
    summary: '/api/ui/summary',
  }
  const out: Record<string, { medianMs: number; p95Ms: number; bytes: number }> = {}
  console.log(`\nUI at ${UI_TASKS.toLocaleString('en-US')} tasks (${UI_REPEATS} requests each):`)
  for (const [name, route] of Object.entries(urls)) {
    const times: number[] = []
    let bytes = 0
    for (let i = 0; i < UI_REPEATS; i++) {
      const started = performance.now()
      const response = await fetch(`${url}${route}`)
      const body = await response.arrayBuffer()
      times.push(performance.now() - started)
      bytes = body.byteLength
    }
    times.sort((a, b) => a - b)
    out[name] = { medianMs: round(times[Math.floor(times.length / 2)]!), p95Ms: round(times[Math.floor(times.length * 0.95)]!), bytes }
    console.log(`  ${name.padEnd(34)} median ${out[name]!.medianMs} ms, p95 ${out[name]!.p95Ms} ms, ${(bytes / 1024).toFixed(1)} KiB`)
  }
  return out
}

function print(result: Throughput, ratio: number): void {
  console.log(`${result.label.padEnd(28)} ${String(result.tasksPerSecond).padStart(6)} tasks/s  (${result.seconds}s for ${result.tasks}; ${round(ratio)}x in-process)`)
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}

await main()
