// `npm run bench:backfill`: how long a backfill over 3,650 daily partitions, half of them complete, takes
// to find what is missing (a range's bulk check, and the old one stat per task), measured against a floor
// in the same run: one listing of the marker folder plus a set lookup per expected file; and how long
// from building the backfill to its first task starting, on the embedded defaults (in process, and
// through the real `etl backfill` when dist/ is built); and the same range's check when the partitions
// are objects in S3 (s3rver on loopback, 1,800 days), one listing against a HEAD per task, with one bare
// listing as its floor. Writes bench/results/backfill.json.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { CompletionCache } from '../src/worker/completion-cache.js'
import { RangeDaily, S3Storage, StorageTarget, Task, TaskRegistry, backfillRange, build, checkInBulk, getLayout, param, setLayout } from 'etl'
import { startS3Server } from '../test/helpers/s3-server.js'

const DAYS = 3650
const START = '2015-01-01'
const RUNS = 9
const TARGET_MS = 500

export class BenchDay extends Task.with({ date: param.date() }) {}

/** The S3 lake the partitions below are written to (set once the server runs). */
let s3Lake: S3Storage | undefined

/** A daily partition in S3, as a Luigi task with an S3Target output has. */
class BenchS3Day extends Task.with({ date: param.date() }) {
  override output() {
    return new StorageTarget(s3Lake!, `landing/orders/date=${this.params.date}/part-0000.csv`)
  }
}

function day(index: number): string {
  return new Date(Date.parse(`${START}T00:00:00Z`) + index * 86_400_000).toISOString().slice(0, 10)
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function time(run: () => unknown): Promise<number> {
  await run() // warm-up
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  return median(times)
}

const round = (value: number) => Math.round(value * 100) / 100
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-bench-backfill-'))
process.chdir(root)
setLayout({ outputDir: path.join(root, 'output'), completedDir: path.join(root, 'completed') })
const registry = TaskRegistry.fromModule({ BenchDay })
const stop = day(DAYS)
const tasks = Array.from({ length: DAYS }, (_, i) => new BenchDay({ date: day(i) }))
const folder = path.join(getLayout().outputDir, 'BenchDay')
mkdirSync(folder, { recursive: true })
for (const [i, task] of tasks.entries()) if (i % 2 === 0) writeFileSync(path.join(folder, `${task.id}.json`), '{}')
const expected = tasks.map((task) => `${task.id}.json`)

console.log(`etl backfill benchmark: ${DAYS.toLocaleString('en')} daily partitions, half complete; ${os.cpus().length} cores (shared), node ${process.version}; median of ${RUNS}\n`)

const floorMs = await time(() => {
  const names = new Set(readdirSync(folder))
  return expected.filter((name) => names.has(name)).length
})
const bulkMs = await time(() => checkInBulk(tasks))
const perTaskMs = await time(() => {
  const cache = new CompletionCache()
  return Promise.all(tasks.map((task) => cache.check(task)))
})
const rangeMs = await time(async () => {
  const range = new RangeDaily({ of: 'BenchDay', start: START, stop, taskLimit: DAYS })
  await range.prepare()
  if (range.plan!.required.length !== DAYS / 2) throw new Error(`expected ${DAYS / 2} missing, found ${range.plan!.required.length}`)
})

/** From building the backfill's range to its first task starting; the run is stopped there. */
async function firstTaskMs(): Promise<number> {
  const started = performance.now()
  const abort = new AbortController()
  let first = 0
  const range = backfillRange(registry, 'BenchDay', { date: `${START}/${stop}` })
  await build(range, {
    signal: abort.signal,
    onEvent: (event) => {
      if (event.type !== 'task-started' || first) return
      first = performance.now() - started
      abort.abort(new Error('measured'))
    },
  })
  return first
}
const latencyMs = await time(firstTaskMs)

/**
 * The same through the real binary: from starting `etl backfill` (or, as the baseline of starting
 * node and etl at all, `etl run` of one instance) to its first task's run().
 */
async function cliFirstTaskMs(args: string[]): Promise<number | undefined> {
  const bin = fileURLToPath(new URL('../bin/etl.js', import.meta.url))
  if (!existsSync(fileURLToPath(new URL('../dist/src/index.js', import.meta.url)))) return undefined
  const module = path.join(root, 'bench-tasks.mjs')
  const etl = fileURLToPath(new URL('../dist/src/index.js', import.meta.url))
  await fs.writeFile(
    module,
    `import { Task, param } from ${JSON.stringify(etl)}\nexport class BenchDay extends Task.with({ date: param.date() }) {\n  run() { process.stdout.write('FIRST ' + Date.now() + '\\n'); process.exit(0) }\n}\n`,
  )
  const times: number[] = []
  for (let i = 0; i < 3; i++) {
    const startedAt = Date.now()
    const child = spawn(process.execPath, [bin, ...args, '--local-scheduler', '--module', module], { cwd: root })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    await new Promise((resolve) => child.on('close', resolve))
    const first = /FIRST (\d+)/.exec(out)
    if (first) times.push(Number(first[1]) - startedAt)
  }
  return times.length ? median(times) : undefined
}
const cliMs = await cliFirstTaskMs(['backfill', 'BenchDay', '--date', `${START}/${stop}`])
const cliRunMs = await cliFirstTaskMs(['run', 'BenchDay', '--date', day(1)])

/**
 * Days of S3 partitions: half of them written is 900 objects, one listing page. s3rver answers a
 * truncated ListObjectsV2 page with HTTP 500 (jamhall/s3rver#814), so a longer range cannot be
 * listed on it, though S3 itself pages on.
 */
const S3_DAYS = 1800

/** The range's check with its partitions in S3: one listing of the prefix, against a HEAD per task. */
async function s3Figures(): Promise<{ floorMs: number; bulkMs: number; perTaskMs: number }> {
  const server = await startS3Server()
  try {
    s3Lake = new S3Storage(await server.lake('bench-backfill'))
    const days = tasks.slice(0, S3_DAYS).map((task) => new BenchS3Day({ date: task.params.date }))
    const keys = days.map((task) => (task.output() as StorageTarget).key)
    for (let i = 0; i < keys.length; i += 64) await Promise.all(keys.slice(i, i + 64).filter((_, j) => (i + j) % 2 === 0).map((key) => s3Lake!.put(key, 'id\n')))
    const few = async (run: () => Promise<unknown>) => {
      await run()
      const times: number[] = []
      for (let i = 0; i < 3; i++) {
        const started = performance.now()
        await run()
        times.push(performance.now() - started)
      }
      return median(times)
    }
    const floor = await few(async () => {
      const names = new Set((await s3Lake!.list('landing/orders/')).map((object) => object.key))
      return keys.filter((key) => names.has(key)).length
    })
    const bulk = await few(async () => {
      const found = (await checkInBulk(days)).filter((check) => check.complete).length
      if (found !== S3_DAYS / 2) throw new Error(`expected ${S3_DAYS / 2} complete in S3, found ${found}`)
    })
    const perTask = await few(() => {
      const cache = new CompletionCache()
      return Promise.all(days.map((task) => cache.check(task)))
    })
    return { floorMs: floor, bulkMs: bulk, perTaskMs: perTask }
  } finally {
    await s3Lake?.close()
    await server.stop()
  }
}
const s3 = await s3Figures()

const line = (label: string, ms: number) => console.log(`${label.padEnd(62)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / floorMs).toFixed(1).padStart(6)}× floor`)
line('floor: one readdir of the marker folder + a set lookup each', floorMs)
line('bulk check of the 3,650 tasks (checkInBulk: one listing)', bulkMs)
line('per-task check (a stat each, 16 at a time: the old way)', perTaskMs)
line('RangeDaily over 3,650 days: build the instances + bulk check', rangeMs)
line('backfill start to first task, in process (embedded defaults)', latencyMs)
if (cliRunMs !== undefined) line('baseline: etl run of one instance, new process, to its run()', cliRunMs)
if (cliMs !== undefined) line('etl backfill start to first task, new process', cliMs)
else console.log('etl backfill through the binary: skipped (run npm run build first)')
const s3Line = (label: string, ms: number) => console.log(`${label.padEnd(62)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / s3.floorMs).toFixed(1).padStart(6)}× S3 floor`)
console.log(`\n${S3_DAYS.toLocaleString('en')} of the partitions as objects in S3 (s3rver on loopback), half written, median of 3:`)
s3Line('S3 floor: one listing of the prefix + a set lookup each', s3.floorMs)
s3Line('bulk check (checkInBulk: one listing)', s3.bulkMs)
s3Line('per-task check (a HEAD each, 16 at a time)', s3.perTaskMs)

const checks: [string, boolean][] = [
  [`completeness of a 3,650-day range under ${TARGET_MS} ms: ${rangeMs.toFixed(1)} ms`, rangeMs < TARGET_MS],
  [`start to first task under ${TARGET_MS} ms: ${latencyMs.toFixed(1)} ms in process${cliMs !== undefined ? `, ${cliMs.toFixed(0)} ms through the binary (etl run of one task: ${cliRunMs?.toFixed(0)} ms)` : ''}`, latencyMs < TARGET_MS],
  [`bulk check faster than a stat per task: ${(perTaskMs / bulkMs).toFixed(1)}×`, bulkMs < perTaskMs],
  [`S3 bulk check faster than a HEAD per task: ${(s3.perTaskMs / s3.bulkMs).toFixed(1)}×`, s3.bulkMs < s3.perTaskMs],
]
console.log('\nTargets (the machine is shared: figures vary from run to run):')
for (const [text, pass] of checks) console.log(`  ${pass ? 'PASS' : 'MISS'}  ${text}`)

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))
await fs.mkdir(resultsDir, { recursive: true })
const results = {
  measuredAt: new Date().toISOString(),
  machine: `${os.cpus().length} cores, node ${process.version}`,
  days: DAYS,
  complete: DAYS / 2,
  runs: RUNS,
  floorMs: round(floorMs),
  bulkCheckMs: round(bulkMs),
  bulkRatio: round(bulkMs / floorMs),
  perTaskCheckMs: round(perTaskMs),
  perTaskRatio: round(perTaskMs / floorMs),
  rangeCompletenessMs: round(rangeMs),
  rangeRatio: round(rangeMs / floorMs),
  firstTaskLatencyMs: round(latencyMs),
  cliFirstTaskLatencyMs: cliMs === undefined ? null : round(cliMs),
  cliRunBaselineMs: cliRunMs === undefined ? null : round(cliRunMs),
  s3: { days: S3_DAYS, floorMs: round(s3.floorMs), bulkCheckMs: round(s3.bulkMs), bulkRatio: round(s3.bulkMs / s3.floorMs), perTaskCheckMs: round(s3.perTaskMs), perTaskRatio: round(s3.perTaskMs / s3.floorMs) },
  checks,
}
await fs.writeFile(path.join(resultsDir, 'backfill.json'), `${JSON.stringify(results, null, 2)}\n`)
process.chdir(os.tmpdir())
await fs.rm(root, { recursive: true, force: true })
console.log('\nFigures written to bench/results/backfill.json')
