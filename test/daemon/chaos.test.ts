import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import pg from 'pg'
import { freePort, readRunLog, runFixture, startDaemonProcess, tempDir, waitFor, type FixtureProcess } from '../helpers/daemon-helpers.js'
import { TEST_POSTGRES_URL, tempSchema } from '../helpers/postgres.js'

const SIZE = 2000
const WORKERS = 4
const KILLS = 10

/** A fixed sequence of choices, so a failing run can be replayed as it was. */
function* choices(seed: number): Generator<number> {
  let state = seed
  for (;;) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    yield state / 2 ** 31
  }
}

/**
 * Tasks that started while an attempt at them in a live process was still going. An attempt in a
 * process that was killed never logs its end, and was over the moment the process died.
 */
async function liveOverlaps(runLog: string, killed: ReadonlySet<number>): Promise<string[]> {
  const open = new Map<string, Set<number>>()
  const overlaps: string[] = []
  for (const line of (await fs.readFile(runLog, 'utf8')).split('\n')) {
    const [what, id, pid] = line.split(' ')
    if (!id || !pid) continue
    const attempts = open.get(id) ?? new Set<number>()
    open.set(id, attempts)
    if (what === 'start') {
      if ([...attempts].some((other) => !killed.has(other))) overlaps.push(id)
      attempts.add(Number(pid))
    } else attempts.delete(Number(pid))
  }
  return overlaps
}

function kill(process: FixtureProcess): void {
  if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGKILL')
}

test('chaos: the daemon and workers SIGKILLed 10 times during a 2,000-task run; every task completes exactly once and the history holds every attempt', async (t) => {
  const dir = await tempDir('chaos')
  const port = String(await freePort())
  const { schema, drop } = await tempSchema()
  t.teardown(drop)
  const runLog = path.join(dir, 'runs.log')
  const daemonArgs = ['--port', port, '--state-dir', path.join(dir, 'state'), '--history', TEST_POSTGRES_URL, '--history-schema', schema, '--worker-timeout-ms', '1500']
  let daemon: FixtureProcess = await startDaemonProcess(daemonArgs)
  const url = `http://127.0.0.1:${port}`
  const once = path.join(dir, 'once')
  await fs.mkdir(once)
  const startWorker = () =>
    runFixture('worker.ts', ['--url', url, '--size', String(SIZE), '--once', '--workers', '2', '--sleep-ms', '10', '--heartbeat-ms', '200', '--output-dir', path.join(dir, 'output')], {
      ETL_TEST_RUN_LOG: runLog,
      ETL_TEST_ONCE_DIR: once,
    })
  const workers = Array.from({ length: WORKERS }, startWorker)
  const everyone = () => [daemon, ...workers]
  t.teardown(() => everyone().forEach(kill))

  const random = choices(20261201)
  await waitFor(async () => (await readRunLog(runLog)).starts.size > 50, 60_000, () => 'the run did not get going')
  const killed: string[] = []
  const killedPids = new Set<number>()
  for (let round = 0; round < KILLS; round++) {
    await new Promise((resolve) => setTimeout(resolve, 300 + random.next().value! * 700))
    if (round % 3 === 0) {
      kill(daemon)
      await daemon.exited
      killed.push('daemon')
      daemon = await startDaemonProcess(daemonArgs)
    } else {
      const index = Math.floor(random.next().value! * WORKERS)
      killedPids.add(workers[index]!.child.pid!)
      kill(workers[index]!)
      await workers[index]!.exited
      killed.push(`worker ${index}`)
      workers[index] = startWorker()
    }
  }
  const before = (await readRunLog(runLog)).starts.size
  t.true(before < SIZE, `the kills all came during the run (${before} of ${SIZE} started by the last): ${killed.join(', ')}`)

  const codes = await Promise.all(workers.map((worker) => worker.exited))
  codes.forEach((code, index) => t.is(code, 0, `worker ${index} (its last start) failed:\n${workers[index]!.output()}`))
  // Each task creates its output once, and a run after it completed would fail on it: the workers
  // above all ended with the graph complete, so every task completed exactly once.
  t.is((await fs.readdir(once)).filter((name) => name.endsWith('.done')).length, SIZE)
  const { starts } = await readRunLog(runLog)
  t.deepEqual(await liveOverlaps(runLog, killedPids), [], 'no two live attempts at one task ran at once')

  // The history: every task DONE once, and an attempt for every start, the lost ones included.
  kill(daemon)
  daemon = await startDaemonProcess(daemonArgs)
  daemon.child.kill('SIGTERM')
  await daemon.exited
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await client.connect()
  try {
    const done = await client.query(`SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS tasks FROM "${schema}".etl_attempts WHERE status = 'DONE'`)
    t.deepEqual(done.rows, [{ n: SIZE, tasks: SIZE }])
    const attempts = await client.query(`SELECT task_id, count(*)::int AS n FROM "${schema}".etl_attempts GROUP BY task_id`)
    const recorded = new Map(attempts.rows.map((row) => [String(row.task_id), Number(row.n)]))
    t.deepEqual([...starts].filter(([id, count]) => (recorded.get(id) ?? 0) < count), [], 'every start has its attempt in the history')
  } finally {
    await client.end()
  }
})
