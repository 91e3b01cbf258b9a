import test from 'ava'
import { buildServer, CentralScheduler, EtlError, RemoteScheduler, startSchedulerDaemon, type SchedulerOp, type TaskRecord } from 'etl'
import { tempDir } from '../helpers/daemon-helpers.js'

function record(id: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { id, family: id.split('_')[0]!, params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {}, ...extra }
}

function nested(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`
}

async function post(url: string, method: string, body: string) {
  const response = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } }
}

test('bodies: a result nested 20,000 levels deep is refused before anything is applied, and the daemon still snapshots and stops', async (t) => {
  const dir = await tempDir('bodies')
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  const worker = new RemoteScheduler({ url: daemon.url, retryAttempts: 2, retryWaitMs: 10 })
  await worker.addTasks({ workerId: 'w1', tasks: [record('A_1')] })
  await worker.getWork({ workerId: 'w1' })
  worker.close()
  const refused = await post(daemon.url, 'taskFinished', `{"workerId":"w1","taskId":"A_1","lease":"l","status":"DONE","startedAt":1,"endedAt":2,"attempts":1,"result":${nested(20_000)}}`)
  t.is(refused.status, 400)
  t.regex(refused.body.error!.message, /the request body is nested more than 64 levels deep \(at result\.a\.a\.a.*\); the daemon reads no deeper/)
  t.is(daemon.scheduler.task('A_1')!.status, 'RUNNING', 'memory is as it was')
  await t.notThrowsAsync(daemon.close(), 'the last snapshot is written')
  const again = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  t.teardown(() => again.close())
  t.is(again.scheduler.task('A_1')!.status, 'RUNNING', 'and disk agrees')
})

test('bodies: a change the journal cannot take is not applied, and the worker is told to try again', async (t) => {
  const journal = {
    append(op: SchedulerOp) {
      if (op.op === 'finish') throw new EtlError('ETL_ERR_DAEMON_STATE_WRITE_FAILED', 'the daemon could not write the change to its journal (ENOSPC); it was not made')
    },
  }
  const scheduler = new CentralScheduler({ journal })
  const app = await buildServer({ scheduler })
  t.teardown(() => app.close())
  const rpc = (method: string, body: unknown) => app.inject({ method: 'POST', url: `/api/${method}`, payload: body as object })
  await rpc('addTasks', { workerId: 'w1', tasks: [record('A_1')] })
  const { lease } = (await rpc('getWork', { workerId: 'w1' })).json().result
  const response = await rpc('taskFinished', { workerId: 'w1', taskId: 'A_1', lease, status: 'DONE', startedAt: 1, endedAt: 2, attempts: 1 })
  t.is(response.statusCode, 503, 'a 5xx: the worker tries again')
  t.regex(response.json().error.message, /ENOSPC/)
  t.is(scheduler.task('A_1')!.status, 'RUNNING', 'the change the journal refused was not made in memory either')
})

test('bodies: a __proto__ key is refused with a message that names it, not as "not valid JSON"', async (t) => {
  const app = await buildServer({ scheduler: new CentralScheduler() })
  t.teardown(() => app.close())
  const send = (payload: string) => app.inject({ method: 'POST', url: '/api/addTasks', headers: { 'content-type': 'application/json' }, payload })
  const proto = await send('{"workerId":"w1","tasks":[{"id":"A","params":{"__proto__":{"polluted":true}}}]}')
  t.is(proto.statusCode, 400)
  t.regex(proto.json().error.message, /a key named "__proto__" at tasks\.0\.params, which the daemon refuses .*; rename it/)
  const broken = await send('{"workerId":')
  t.regex(broken.json().error.message, /the request body is not valid JSON \(.*\); send a JSON object/)
  t.is(({} as { polluted?: boolean }).polluted, undefined)
})

test('bodies: a task id longer than 100 characters opens in the UI, and an address that does not decode says so', async (t) => {
  const scheduler = new CentralScheduler()
  const app = await buildServer({ scheduler })
  t.teardown(() => app.close())
  const id = `LoadWarehouseTableFromSource_${'orders_2024_01_31_'.repeat(15)}a1b2c3d4e5`
  await app.inject({ method: 'POST', url: '/api/addTasks', payload: { workerId: 'w1', tasks: [record(id)] } })
  t.true(id.length > 250)
  const page = await app.inject({ method: 'GET', url: `/api/ui/tasks/${encodeURIComponent(id)}` })
  t.is(page.statusCode, 200)
  t.is(page.json().task.id, id)
  t.is((await app.inject({ method: 'GET', url: `/api/ui/graph/${encodeURIComponent(id)}` })).statusCode, 200)
  const bad = await app.inject({ method: 'GET', url: '/api/ui/tasks/A_%E0%A4%A' })
  t.is(bad.statusCode, 400)
  t.regex(bad.json().error.message, /this address does not decode/)
})
