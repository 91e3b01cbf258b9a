import fs from 'node:fs/promises'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import test from 'ava'
import { buildServer, CentralScheduler, RemoteScheduler, startSchedulerDaemon, type LaunchedRun, type RunSpec, type TaskRecord } from 'etl'
import { tempDir } from '../helpers/daemon-helpers.js'

const SECRET = 'hunter2-s3cr3t'

function record(id: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { id, family: id.split('_')[0]!, params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {}, ...extra }
}

/** Log lines that took the old masking seconds to read: long, with URL punctuation and never an @. */
function hostileLines(count: number, chars: number) {
  return Array.from({ length: count }, (_, i) => ({ at: 1000 + i, level: 'info', message: `row ${i} postgres://${'a'.repeat(chars)}` }))
}

test('redaction: secrets a worker sends are masked before the daemon keeps them, so its journal and snapshot hold none', async (t) => {
  const dir = await tempDir('redaction')
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  const worker = new RemoteScheduler({ url: daemon.url, retryAttempts: 2, retryWaitMs: 10, runLabel: `Load(password=${SECRET})` })
  await worker.addTasks({
    workerId: 'w1',
    tasks: [record('Load_1', { params: { password: SECRET, url: `postgres://etl:${SECRET}@db/x`, label: 'a' } }), record('Check_1', { status: 'FAILED', error: { message: `token=${SECRET}` } })],
  })
  const { lease } = await worker.getWork({ workerId: 'w1' })
  await worker.taskProgress({ workerId: 'w1', taskId: 'Load_1', lease: lease!, message: `connecting with password=${SECRET}` })
  await worker.taskLog({ workerId: 'w1', taskId: 'Load_1', lease: lease!, lines: [{ at: 1, level: 'info', message: `Authorization: Bearer ${SECRET}${SECRET}` }] })
  await worker.taskFinished({
    workerId: 'w1',
    taskId: 'Load_1',
    lease: lease!,
    status: 'FAILED',
    startedAt: 1,
    endedAt: 2,
    attempts: 1,
    result: { rows: 3, apiKey: SECRET, note: `mysql://root:${SECRET}@h/db` },
    error: { message: `connect postgres://etl:${SECRET}@db/x refused`, stack: `Error: {"password": "${SECRET}"}\n    at x` },
    log: [{ at: 2, level: 'error', message: `PGPASSWORD=${SECRET} psql` }],
  })
  worker.close()

  const journal = await fs.readFile(path.join(dir, 'journal.ndjson'), 'utf8')
  t.true(journal.length > 0)
  t.false(journal.includes(SECRET), 'the journal holds no secret')
  await daemon.close()
  t.false((await fs.readFile(path.join(dir, 'state.json'), 'utf8')).includes(SECRET), 'the snapshot holds no secret')

  const again = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  t.teardown(() => again.close())
  const page = (await (await fetch(`${again.url}/api/ui/tasks/Load_1`)).json()) as any
  t.false(JSON.stringify(page).includes(SECRET))
  t.like(page.task, { params: { password: '***', url: 'postgres://etl:***@db/x', label: 'a' }, result: { rows: 3, apiKey: '***' } })
  t.false(JSON.stringify([...again.scheduler.runs()]).includes(SECRET), 'nor the run label from the worker’s header')
})

test('redaction: a task page with 200 log lines of 4,000 characters is read without stopping the daemon', async (t) => {
  const scheduler = new CentralScheduler({ logTailLines: 200 })
  const app = await buildServer({ scheduler })
  t.teardown(() => app.close())
  const post = (method: string, body: unknown) => app.inject({ method: 'POST', url: `/api/${method}`, payload: body as object })
  await post('addTasks', { workerId: 'w1', tasks: [record('A_1')] })
  const { lease } = (await post('getWork', { workerId: 'w1' })).json().result
  // The attack: what the old masking read in seconds on every refresh of the page.
  await post('taskLog', { workerId: 'w1', taskId: 'A_1', lease, lines: hostileLines(200, 3980) })
  await post('taskProgress', { workerId: 'w1', taskId: 'A_1', lease, message: `postgres://${'b'.repeat(9000)}` })
  await post('taskFinished', { workerId: 'w1', taskId: 'A_1', lease, status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1, error: { message: `postgres://${'c'.repeat(60_000)}` } })

  for (const url of ['/api/ui/tasks/A_1', '/api/ui/tasks?limit=1000']) {
    // Each route once first: what is measured is how long a read holds the event loop, not a first call's compiling.
    await app.inject({ method: 'GET', url })
    await post('ping', { workerId: 'w2' })
    // The shortest of three waits: other processes on a busy machine take the CPU now and then; a
    // read that holds the event loop holds it every time.
    let waited = Infinity
    for (let tries = 0; tries < 3 && waited >= 100; tries++) {
      const read = app.inject({ method: 'GET', url })
      const started = performance.now()
      const ping = await post('ping', { workerId: 'w2' })
      waited = Math.min(waited, performance.now() - started)
      t.is(ping.statusCode, 200)
      t.is((await read).statusCode, 200)
    }
    t.true(waited < 100, `a ping waited ${waited.toFixed(0)} ms behind ${url}`)
  }
  const row = (await app.inject({ method: 'GET', url: '/api/ui/tasks' })).json().tasks[0]
  t.is(row.error.length, 301, 'the table shows the start of a long error; the task page shows it all')
})

test('redaction: a rerun leaves off the parameters whose values the daemon masked, and says which', async (t) => {
  const dir = await tempDir('redaction-rerun')
  const launched: RunSpec[] = []
  const launcher = (spec: RunSpec): LaunchedRun => {
    launched.push(spec)
    return { pid: 1, exited: new Promise(() => {}) }
  }
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false, token: 'rerun-token-long-enough', launcher })
  t.teardown(() => daemon.close())
  const worker = new RemoteScheduler({ url: daemon.url, retryAttempts: 2, retryWaitMs: 10, workerToken: 'rerun-token-long-enough' })
  await worker.addTasks({ workerId: 'w1', tasks: [record('Load_1', { status: 'FAILED', params: { password: SECRET, day: '2024-01-31' } })], origin: { module: path.join(dir, 'tasks.ts'), cwd: dir } })
  await worker.workerStopped({ workerId: 'w1' })
  worker.close()
  const response = await fetch(`${daemon.url}/api/actions/rerun`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer rerun-token-long-enough' }, body: '{"taskId":"Load_1"}' })
  const answer = (await response.json()) as { result: { maskedParams: string[] } }
  t.is(response.status, 200, JSON.stringify(answer))
  t.deepEqual(answer.result.maskedParams, ['password'])
  t.deepEqual(launched[0]!.params, { day: '2024-01-31' }, 'the new process takes the secret from its own config')
})
