import path from 'node:path'
import test from 'ava'
import { build, buildServer, CentralScheduler, EtlError, param, RemoteScheduler, resolveConfig, setLayout, startSchedulerDaemon, Task, type TaskRecord } from 'etl'
import { registerBatches } from '../../src/worker/register-batches.js'
import { fitFinishedReport } from '../../src/worker/report-fitting.js'
import { tempDir } from '../helpers/daemon-helpers.js'

function record(id: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { id, family: id.split('_')[0]!, params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {}, ...extra }
}

async function setup(limits = {}) {
  const scheduler = new CentralScheduler()
  const app = await buildServer({ scheduler, limits })
  const rpc = async (method: string, body: unknown) => {
    const response = await app.inject({ method: 'POST', url: `/api/${method}`, headers: { 'content-type': 'application/json' }, payload: typeof body === 'string' ? body : JSON.stringify(body) })
    return { status: response.statusCode, body: response.json() as { result?: unknown; error?: { code: string; message: string } } }
  }
  return { scheduler, app, rpc }
}

test('limits: a 61 MB request is refused before it is read, with 413 naming scheduler.maxRequestBytes', async (t) => {
  const { rpc, scheduler } = await setup()
  const response = await rpc('addTasks', `{"workerId":"w1","tasks":[],"pad":"${'x'.repeat(61 * 1024 * 1024)}"}`)
  t.is(response.status, 413)
  t.is(response.body.error!.code, 'ETL_ERR_DAEMON_REQUEST_TOO_LARGE')
  t.regex(response.body.error!.message, /the request body is 63963\d+ bytes, over the 16777216 bytes the daemon takes \(scheduler\.maxRequestBytes\); .*raise scheduler\.maxRequestBytes/)
  t.is(scheduler.worker('w1'), undefined, 'nothing of it was applied')
})

test('limits: a 10 MB parameter is refused with 413 naming scheduler.maxParamChars, and nothing of it survives a restart', async (t) => {
  const dir = await tempDir('limits')
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  const response = await fetch(`${daemon.url}/api/addTasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workerId: 'w1', tasks: [record('Big_1', { params: { query: 'x'.repeat(10 * 1024 * 1024) } })] }),
  })
  t.is(response.status, 413)
  const { error } = (await response.json()) as { error: { message: string } }
  t.regex(error.message, /addTasks: tasks\.0\.params\.query is 10485760 characters long, over the 16384 characters the daemon takes \(scheduler\.maxParamChars\)/)
  await daemon.close()
  const again = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  t.teardown(() => again.close())
  t.is(again.scheduler.task('Big_1'), undefined)
})

test('limits: each limit is set in the config’s scheduler section, checked when the config is read, and named when it refuses', async (t) => {
  const error = t.throws(() => resolveConfig({ scheduler: { maxParamChars: 'lots' } }), { instanceOf: EtlError })
  t.regex(error.message, /"scheduler\.maxParamChars": got "lots"; expected a whole number/)
  const { rpc, scheduler } = await setup({ maxTasksPerCall: 3, maxErrorChars: 10, maxResultBytes: 20, maxParamChars: 5 })
  const cases: [string, unknown, RegExp][] = [
    ['addTasks', { workerId: 'w1', tasks: [record('A_1', { deps: ['B_1', 'C_1', 'D_1'] })] }, /4 tasks and dependencies in one call, over the 3 the daemon takes \(scheduler\.maxTasksPerCall\)/],
    ['addTasks', { workerId: 'w1', tasks: [record('A_1', { params: { longname: 'x' } })] }, /tasks\.0\.params\.longname is 8 characters long, over the 5 characters .*scheduler\.maxParamChars/],
    ['addTasks', { workerId: 'w1', tasks: [record('A_1', { status: 'FAILED', error: { message: 'x'.repeat(11) } })] }, /tasks\.0\.error\.message is 11 characters long, .*scheduler\.maxErrorChars/],
    ['taskStatuses', { taskIds: ['a', 'b', 'c', 'd'] }, /taskStatuses: 4 task ids in one call, .*scheduler\.maxTasksPerCall/],
    ['taskFinished', { workerId: 'w1', taskId: 'A_1', lease: 'l', status: 'DONE', startedAt: 1, endedAt: 2, attempts: 1, result: { rows: 'x'.repeat(30) } }, /taskFinished: result is 41 bytes of JSON, over the 20 bytes .*scheduler\.maxResultBytes/],
    ['taskFinished', { workerId: 'w1', taskId: 'A_1', lease: 'l', status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1, error: { message: 'x', stack: 'y'.repeat(11) } }, /error\.stack is 11 characters long/],
  ]
  for (const [method, body, message] of cases) {
    const response = await rpc(method, body)
    t.is(response.status, 413, method)
    t.regex(response.body.error!.message, message)
  }
  t.is([...scheduler.allTasks()].length, 0, 'nothing refused was applied')
  t.is([...scheduler.workers()].length, 0)
})

test('limits: the defaults take a legitimate 100,000-task graph under one wrapper, in the batches a worker sends', async (t) => {
  const dir = await tempDir('limits-graph')
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  t.teardown(() => daemon.close())
  const leaves = Array.from({ length: 100_000 }, (_, i) => record(`Extract_table${i}_2024_01_31_${String(i).padStart(10, '0')}`, { params: { table: `table${i}`, day: '2024-01-31' } }))
  const root = record('RunAll_2024_01_31', { kind: 'wrapper', deps: leaves.map((leaf) => leaf.id), params: { day: '2024-01-31' } })
  const batches = registerBatches([root, ...leaves])
  t.true(batches.length > 50)
  const scheduler = new RemoteScheduler({ url: daemon.url, retryAttempts: 2, retryWaitMs: 10 })
  for (const batch of batches) await scheduler.addTasks({ workerId: 'w1', tasks: batch })
  scheduler.close()
  t.is([...daemon.scheduler.allTasks()].length, 100_001)
})

class Chatty extends Task.with({ size: param.int() }) {
  override async run() {
    return { rows: 'x'.repeat(this.params.size) }
  }
}

class Exploding extends Task {
  override async run(): Promise<never> {
    const error = new Error(`failed: ${'why '.repeat(50_000)}`)
    error.stack = `Error: failed\n${'    at frame (file.ts:1:1)\n'.repeat(10_000)}`
    throw error
  }
}

test('limits: a worker cuts a long error and replaces a huge result with a note, so its report always arrives', async (t) => {
  const dir = await tempDir('limits-report')
  setLayout({ outputDir: path.join(dir, 'output'), completedDir: path.join(dir, 'completed') })
  const fitted = fitFinishedReport({ workerId: 'w', taskId: 'x', lease: 'l', status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1, error: { message: 'm'.repeat(200_000), stack: 's'.repeat(400_000) }, log: [{ at: 1, level: 'info', message: 'l'.repeat(100_000) }] })
  t.true(fitted.error!.message.length <= 8000 && fitted.error!.stack!.length <= 16_000 && fitted.log![0]!.message.length <= 4001)
  t.regex(fitted.error!.message, /characters cut/)

  const daemon = await startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'state'), history: false })
  t.teardown(() => daemon.close())
  const summary = await build([new Chatty({ size: 3 * 1024 * 1024 }), new Exploding()], { scheduler: new RemoteScheduler({ url: daemon.url, retryAttempts: 2, retryWaitMs: 10 }), workers: 2 })
  t.is(summary.failed.length, 1)
  const tasks = [...daemon.scheduler.allTasks()]
  const chatty = tasks.find((task) => task.family === 'Chatty')!
  t.is(chatty.status, 'DONE')
  t.regex(String(chatty.result?.dropped), /3145\d+ bytes of JSON, over the 1048576 the scheduler keeps \(scheduler\.maxResultBytes\)/)
  const exploding = tasks.find((task) => task.family === 'Exploding')!
  t.is(exploding.status, 'FAILED')
  t.true(exploding.error!.message.length <= 8000)
  t.regex(exploding.error!.stack!, /^Error: failed\n {4}at frame/)
})

test('limits: against a daemon whose limits were lowered, a worker sends smaller batches and a shorter report instead of failing', async (t) => {
  const dir = await tempDir('limits-lowered')
  setLayout({ outputDir: path.join(dir, 'output'), completedDir: path.join(dir, 'completed') })
  const config = resolveConfig({ scheduler: { stateDir: path.join(dir, 'state'), maxRequestBytes: 2048, maxResultBytes: 100 } })
  const daemon = await startSchedulerDaemon({ config, port: 0, history: false })
  t.teardown(() => daemon.close())
  const summary = await build(
    Array.from({ length: 60 }, (_, i) => new Chatty({ size: 200 + i })),
    { scheduler: new RemoteScheduler({ url: daemon.url, retryAttempts: 2, retryWaitMs: 10 }), workers: 4 },
  )
  t.is(summary.failed.length, 0)
  const tasks = [...daemon.scheduler.allTasks()]
  t.is(tasks.length, 60)
  t.true(tasks.every((task) => task.status === 'DONE' && task.result === null))
  t.true(tasks.every((task) => task.log!.some((line) => /the result is not shown: the scheduler refused the report as too large/.test(line.message))))
})
