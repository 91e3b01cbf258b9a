import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import pg from 'pg'
import { freePort, readRunLog, runFixture, startDaemonProcess, tempDir, waitFor, type FixtureProcess } from '../helpers/daemon-helpers.js'
import { TEST_POSTGRES_URL, tempSchema } from '../helpers/postgres.js'

const SIZE = 1000

function stop(process: FixtureProcess): void {
  if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGKILL')
}

async function expectSuccess(t: import('ava').ExecutionContext, workers: FixtureProcess[]): Promise<void> {
  const codes = await Promise.all(workers.map((worker) => worker.exited))
  codes.forEach((code, index) => t.is(code, 0, `worker ${index} exited with ${code}, signal ${workers[index]!.child.signalCode}:\n${workers[index]!.output()}`))
}

test.serial('multi-process: 4 workers share a 1,000-task graph and run every task exactly once', async (t) => {
  const dir = await tempDir('mp')
  const daemon = await startDaemonProcess(['--state-dir', path.join(dir, 'state')])
  t.teardown(() => stop(daemon))
  const runLog = path.join(dir, 'runs.log')
  const workers = Array.from({ length: 4 }, () =>
    runFixture('worker.ts', ['--url', daemon.url, '--size', String(SIZE), '--workers', '2', '--output-dir', path.join(dir, 'output')], { ETL_TEST_RUN_LOG: runLog }),
  )
  t.teardown(() => workers.forEach(stop))
  await expectSuccess(t, workers)
  const { starts, overlaps } = await readRunLog(runLog)
  t.is(starts.size, SIZE)
  t.deepEqual([...starts].filter(([, count]) => count !== 1), [], 'no task ran twice')
  t.deepEqual(overlaps, [], 'no task ran in two workers at once')
  const text = await fs.readFile(runLog, 'utf8')
  const pids = new Set(text.split('\n').filter(Boolean).map((line) => line.split(' ')[2]))
  t.true(pids.size >= 3, `the work was shared between the worker processes (${pids.size} of 4 ran tasks)`)
})

test.serial('multi-process: a killed worker loses its running task to another worker, which finishes it', async (t) => {
  const dir = await tempDir('mp')
  const daemon = await startDaemonProcess(['--state-dir', path.join(dir, 'state'), '--worker-timeout-ms', '1000'])
  t.teardown(() => stop(daemon))
  const runLog = path.join(dir, 'runs.log')
  const output = path.join(dir, 'output')
  const size = 15
  // The first worker's tasks take 60 s: it is killed while it holds one.
  const doomed = runFixture('worker.ts', ['--url', daemon.url, '--size', String(size), '--workers', '1', '--sleep-ms', '60000', '--output-dir', output], { ETL_TEST_RUN_LOG: runLog })
  t.teardown(() => stop(doomed))
  const held = await waitFor(async () => [...(await readRunLog(runLog)).starts.keys()][0], 30_000, () => `the first worker never started a task:\n${doomed.output()}`)
  const survivor = runFixture('worker.ts', ['--url', daemon.url, '--size', String(size), '--workers', '2', '--sleep-ms', '20', '--output-dir', output], { ETL_TEST_RUN_LOG: runLog })
  t.teardown(() => stop(survivor))
  // Let the survivor register the graph while the task is still held, then kill the holder.
  await waitFor(async () => (await readRunLog(runLog)).starts.size > 1, 30_000, () => `the second worker never started:\n${survivor.output()}`)
  doomed.child.kill('SIGKILL')
  await expectSuccess(t, [survivor])
  const { starts } = await readRunLog(runLog)
  t.is(starts.size, size)
  t.is(starts.get(held), 2, 'the held task was started again by the survivor')
  t.deepEqual([...starts].filter(([id, count]) => id !== held && count !== 1), [])
})

test.serial('multi-process: a task whose worker was killed after finishing its work, before saying so, is found complete and not run again', async (t) => {
  const dir = await tempDir('mp')
  const daemon = await startDaemonProcess(['--state-dir', path.join(dir, 'state'), '--worker-timeout-ms', '1000'])
  t.teardown(() => stop(daemon))
  const runLog = path.join(dir, 'runs.log')
  const once = path.join(dir, 'once')
  await fs.mkdir(once)
  const env = { ETL_TEST_RUN_LOG: runLog, ETL_TEST_ONCE_DIR: once }
  const args = ['--url', daemon.url, '--size', '1', '--once', '--output-dir', path.join(dir, 'output')]
  const doomed = runFixture('worker.ts', [...args, '--hold-ms', '60000'], env)
  t.teardown(() => stop(doomed))
  await waitFor(async () => (await fs.readdir(once)).some((name) => name.endsWith('.done')), 30_000, () => `the task never finished its work:\n${doomed.output()}`)
  doomed.child.kill('SIGKILL')
  const survivor = runFixture('worker.ts', args, env)
  t.teardown(() => stop(survivor))
  await expectSuccess(t, [survivor])
  const { starts } = await readRunLog(runLog)
  t.deepEqual([...starts.values()], [1], 'the survivor did not run it again (it would have failed on its output)')
})

test.serial('multi-process: the daemon killed and restarted mid-run loses nothing and runs nothing twice', async (t) => {
  const dir = await tempDir('mp')
  const port = String(await freePort())
  const { schema, drop } = await tempSchema()
  t.teardown(drop)
  const daemonArgs = ['--port', port, '--state-dir', path.join(dir, 'state'), '--history', TEST_POSTGRES_URL, '--history-schema', schema, '--worker-timeout-ms', '5000']
  const first = await startDaemonProcess(daemonArgs)
  t.teardown(() => stop(first))
  const runLog = path.join(dir, 'runs.log')
  const workers = Array.from({ length: 2 }, () =>
    runFixture('worker.ts', ['--url', first.url, '--size', String(SIZE), '--workers', '2', '--sleep-ms', '5', '--output-dir', path.join(dir, 'output')], { ETL_TEST_RUN_LOG: runLog }),
  )
  t.teardown(() => workers.forEach(stop))
  await waitFor(async () => (await readRunLog(runLog)).starts.size >= SIZE / 4, 60_000, () => `the run did not get going:\n${workers.map((w) => w.output()).join('\n')}`)
  first.child.kill('SIGKILL')
  await first.exited
  const before = (await readRunLog(runLog)).starts.size
  t.true(before < SIZE, 'the daemon died mid-run')
  const second = await startDaemonProcess(daemonArgs)
  t.teardown(() => second.child.kill('SIGTERM'))
  await expectSuccess(t, workers)
  const { starts, overlaps } = await readRunLog(runLog)
  t.is(starts.size, SIZE)
  t.deepEqual([...starts].filter(([, count]) => count !== 1), [], 'no task ran twice across the restart')
  t.deepEqual(overlaps, [])
  // The history has one finished attempt per task, the ones from before the crash included.
  second.child.kill('SIGTERM')
  await second.exited
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await client.connect()
  try {
    const { rows } = await client.query(`SELECT status, count(*)::int AS n, count(DISTINCT task_id)::int AS tasks FROM "${schema}".etl_attempts GROUP BY status`)
    t.deepEqual(rows, [{ status: 'DONE', n: SIZE, tasks: SIZE }])
  } finally {
    await client.end()
  }
})
