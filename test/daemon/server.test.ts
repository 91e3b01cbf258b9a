import test from 'ava'
import { buildServer, CentralScheduler, RPC_METHODS, type TaskRecord } from 'etl'

function record(id: string, deps: string[] = [], extra: Partial<TaskRecord> = {}): TaskRecord {
  return { id, family: id.split('_')[0]!, params: {}, kind: 'task', deps, status: 'PENDING', priority: 0, resources: {}, ...extra }
}

async function setup(options: { token?: string } = {}) {
  const scheduler = new CentralScheduler({ workerTimeoutMs: 60_000 })
  const app = await buildServer({ scheduler, ...options })
  // Reports about a task present its attempt's lease, as the worker that took it would.
  const withLease = (method: string, body: any) =>
    ['taskFinished', 'taskProgress', 'taskLog'].includes(method) && body.lease === undefined ? { ...body, lease: scheduler.task(body.taskId)?.lease ?? '' } : body
  const rpc = async (method: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await app.inject({ method: 'POST', url: `/api/${method}`, payload: withLease(method, body) as object, headers })
    return { status: response.statusCode, body: response.json() as { result?: any; error?: { code: string; message: string } } }
  }
  return { scheduler, app, rpc }
}

test('server: every scheduler method is served at POST /api/<method>', async (t) => {
  const { app } = await setup()
  for (const method of RPC_METHODS) {
    const response = await app.inject({ method: 'POST', url: `/api/${method}`, payload: {} })
    t.is(response.statusCode, 400, method)
    t.is(response.json().error.code, 'ETL_ERR_DAEMON_BAD_REQUEST', method)
  }
})

test('server: a worker registers, takes, reports and finishes tasks through the API', async (t) => {
  const { rpc, scheduler } = await setup()
  const headers = { 'x-etl-worker-host': 'box1', 'x-etl-worker-pid': '4242', 'x-etl-run-id': 'run-1', 'x-etl-run-label': encodeURIComponent('Nightly run ✓') }
  t.deepEqual(await rpc('addTasks', { workerId: 'w1', tasks: [record('B_x', ['A_x']), record('A_x')] }, headers), { status: 200, body: { result: null } })
  const work = await rpc('getWork', { workerId: 'w1', requestId: 'q1' }, headers)
  t.like(work.body.result, { taskId: 'A_x', done: false })
  t.regex(work.body.result.lease, /^[0-9a-f-]{36}$/)
  await rpc('taskProgress', { workerId: 'w1', taskId: 'A_x', message: 'half way' })
  await rpc('taskLog', { workerId: 'w1', taskId: 'A_x', lines: [{ at: 1, level: 'info', message: 'hello' }] })
  await rpc('taskFinished', { workerId: 'w1', taskId: 'A_x', status: 'DONE', startedAt: 1, endedAt: 5, attempts: 1, result: { rows: 3 } })
  t.deepEqual((await rpc('taskStatuses', { taskIds: ['A_x', 'B_x', 'nope'] })).body.result, { A_x: 'DONE', B_x: 'PENDING' })
  t.deepEqual((await rpc('ping', { workerId: 'w1' })).body, { result: null })
  const worker = scheduler.worker('w1')!
  t.is(worker.host, 'box1')
  t.is(worker.pid, 4242)
  t.is(worker.runId, 'run-1')
  t.is(scheduler.run('run-1')!.label, 'Nightly run ✓')
  t.deepEqual(scheduler.task('A_x')!.log!.map((line) => line.message), ['hello'])
})

test('server: a malformed request is refused with what is wrong and changes nothing', async (t) => {
  const { rpc, scheduler } = await setup()
  const response = await rpc('addTasks', { workerId: 'w1', tasks: [{ id: 'A', deps: 'not a list' }] })
  t.is(response.status, 400)
  t.regex(response.body.error!.message, /addTasks: the request is malformed: tasks\.0\./)
  t.is([...scheduler.allTasks()].length, 0)
})

test('server: the task list filters by status, family and text, sorts and pages on the server', async (t) => {
  const { app, rpc } = await setup()
  const tasks = Array.from({ length: 250 }, (_, i) => record(`${i % 2 ? 'Odd' : 'Even'}_${i}`, [], { params: { n: String(i) } }))
  await rpc('addTasks', { workerId: 'w1', tasks })
  await rpc('getWork', { workerId: 'w1' })
  await rpc('taskFinished', { workerId: 'w1', taskId: 'Even_0', status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1, error: { message: 'bad\nsecond line' } })
  const get = async (url: string) => (await app.inject({ method: 'GET', url })).json()
  const failed = await get('/api/ui/tasks?status=FAILED')
  t.is(failed.total, 1)
  t.is(failed.tasks[0].error, 'bad')
  const odd = await get('/api/ui/tasks?family=Odd&limit=50&offset=100')
  t.is(odd.total, 125)
  t.is(odd.tasks.length, 25)
  t.true(odd.tasks.every((task: { family: string }) => task.family === 'Odd'))
  const search = await get('/api/ui/tasks?q=n%3D24') // n=24, n=240..249
  t.is(search.total, 11)
  const sorted = await get('/api/ui/tasks?sort=id&desc=1&limit=1')
  t.is(sorted.tasks[0].id, 'Odd_99')
  const bad = await app.inject({ method: 'GET', url: '/api/ui/tasks?status=BOGUS' })
  t.is(bad.statusCode, 400)
  const summary = await get('/api/ui/summary')
  t.is(summary.total, 250)
  t.is(summary.counts.FAILED, 1)
  t.deepEqual(summary.families, { Even: 125, Odd: 125 })
})

test('server: a search finds a task by its parameters as the table shows them, never by a value it hides', async (t) => {
  const { app, rpc } = await setup()
  // As a worker that knows nothing of secrets registers them: a password written into the config itself.
  await rpc('addTasks', { workerId: 'w1', tasks: [record('Extract_1', [], { params: { password: 'hunter2', url: 'postgres://etl:hunter2@db/x', table: 'orders' } })] })
  const total = async (q: string) => (await app.inject({ method: 'GET', url: `/api/ui/tasks?q=${encodeURIComponent(q)}` })).json().total as number
  for (const q of ['password=h', 'password=hunter2', 'hunter', 'etl:h', 'url=postgres://etl:hunter2']) t.is(await total(q), 0, q)
  for (const q of ['password=', 'url=postgres://etl:', 'table=orders', '@db/x']) t.is(await total(q), 1, q)
})

test('server: a task page and its graph show the neighbourhood with secrets masked', async (t) => {
  const { app, rpc } = await setup()
  await rpc('addTasks', {
    workerId: 'w1',
    tasks: [record('C_1', ['B_1']), record('B_1', ['A_1'], { params: { password: 'hunter2', url: 'postgres://etl:hunter2@db/x' } }), record('A_1')],
  })
  await rpc('getWork', { workerId: 'w1' })
  await rpc('taskFinished', {
    workerId: 'w1',
    taskId: 'A_1',
    status: 'FAILED',
    startedAt: 1,
    endedAt: 2,
    attempts: 1,
    error: { message: 'connect postgres://etl:hunter2@db/x refused', stack: 'Error: password=hunter2\n    at x' },
  })
  const page = (await app.inject({ method: 'GET', url: '/api/ui/tasks/B_1' })).json()
  t.deepEqual(page.task.params, { password: '***', url: 'postgres://etl:***@db/x' })
  t.deepEqual(page.task.deps, [{ id: 'A_1', family: 'A', status: 'FAILED' }])
  t.deepEqual(page.task.dependents, [{ id: 'C_1', family: 'C', status: 'UPSTREAM_FAILED' }])
  const failed = (await app.inject({ method: 'GET', url: '/api/ui/tasks/A_1' })).body
  t.false(failed.includes('hunter2'))
  const graph = (await app.inject({ method: 'GET', url: '/api/ui/graph/B_1?depth=1' })).json()
  t.deepEqual(
    graph.nodes.map((node: { id: string; level: number }) => [node.id, node.level]).sort(),
    [
      ['A_1', -1],
      ['B_1', 0],
      ['C_1', 1],
    ],
  )
  t.deepEqual(graph.edges.length, 2)
  t.is((await app.inject({ method: 'GET', url: '/api/ui/tasks/nope' })).statusCode, 404)
})

test('server: actions need the configured token, and without one they are refused with how to set it', async (t) => {
  const open = await setup()
  const refused = await open.app.inject({ method: 'POST', url: '/api/actions/enable', payload: { taskId: 'A' } })
  t.is(refused.statusCode, 403)
  t.regex(refused.json().error.message, /ETL_SCHEDULER_TOKEN/)
  t.false((await open.app.inject({ method: 'GET', url: '/api/ui/summary' })).json().actionsEnabled)

  const { app, rpc, scheduler } = await setup({ token: 's3cret' })
  await rpc('addTasks', { workerId: 'w1', tasks: [record('A_1')] })
  await rpc('getWork', { workerId: 'w1' })
  await rpc('taskFinished', { workerId: 'w1', taskId: 'A_1', status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1 })
  const wrong = await app.inject({ method: 'POST', url: '/api/actions/forgive', payload: { taskId: 'A_1' }, headers: { authorization: 'Bearer nope' } })
  t.is(wrong.statusCode, 401)
  t.is(scheduler.task('A_1')!.status, 'FAILED')
  const forgiven = await app.inject({ method: 'POST', url: '/api/actions/forgive', payload: { taskId: 'A_1' }, headers: { authorization: 'Bearer s3cret' } })
  t.deepEqual(forgiven.json(), { result: { taskId: 'A_1', status: 'PENDING' } })
  const unknown = await app.inject({ method: 'POST', url: '/api/actions/enable', payload: { taskId: 'zzz' }, headers: { authorization: 'Bearer s3cret' } })
  t.is(unknown.statusCode, 404)
  const noSchedule = await app.inject({ method: 'POST', url: '/api/actions/trigger', payload: { schedule: 'nightly' }, headers: { authorization: 'Bearer s3cret' } })
  t.is(noSchedule.statusCode, 404)
})

test('server: the UI is served from local files with a strict content security policy', async (t) => {
  const { app } = await setup()
  const index = await app.inject({ method: 'GET', url: '/' })
  t.is(index.statusCode, 200)
  t.regex(index.headers['content-type'] as string, /text\/html/)
  t.regex(index.headers['content-security-policy'] as string, /script-src 'self'/)
  t.is(index.headers['x-content-type-options'], 'nosniff')
  t.notRegex(index.body, /https?:\/\//, 'nothing is fetched from another site')
  const script = await app.inject({ method: 'GET', url: '/static/js/app.js' })
  t.is(script.statusCode, 200)
  t.regex(script.headers['content-type'] as string, /javascript/)
  const again = await app.inject({ method: 'GET', url: '/static/js/app.js', headers: { 'if-none-match': script.headers.etag as string } })
  t.is(again.statusCode, 304)
  t.is((await app.inject({ method: 'GET', url: '/static/../package.json' })).statusCode, 404)
  t.is((await app.inject({ method: 'GET', url: '/static/%2e%2e/package.json' })).statusCode, 404)
})

test('server: /metrics reports tasks by status, durations and workers in Prometheus text format', async (t) => {
  const { app, rpc } = await setup()
  await rpc('addTasks', { workerId: 'w"1', tasks: [record('A_1'), record('B_1')] })
  await rpc('getWork', { workerId: 'w"1' })
  await rpc('taskFinished', { workerId: 'w"1', taskId: 'A_1', status: 'DONE', startedAt: 1000, endedAt: 1250, attempts: 1 })
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  t.regex(response.headers['content-type'] as string, /text\/plain; version=0\.0\.4/)
  const text = response.body
  t.regex(text, /^etl_tasks\{status="DONE"\} 1$/m)
  t.regex(text, /^etl_tasks\{status="PENDING"\} 1$/m)
  t.regex(text, /^etl_workers\{state="active"\} 1$/m)
  t.regex(text, /^etl_task_duration_seconds_bucket\{family="A",status="DONE",le="0\.5"\} 1$/m)
  t.regex(text, /^etl_task_duration_seconds_sum\{family="A",status="DONE"\} 0\.25$/m)
  t.regex(text, /^# TYPE etl_task_duration_seconds histogram$/m)
})
