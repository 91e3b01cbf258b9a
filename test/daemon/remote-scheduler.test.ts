import http from 'node:http'
import path from 'node:path'
import test from 'ava'
import { build, createLogger, isSchedulingError, RemoteScheduler, RpcError, setLayout, startSchedulerDaemon } from 'etl'
import { describeRpcFailure } from '../../src/scheduler/rpc-failure-cause.js'
import { safeUrl } from '../../src/util/redact.js'
import { Node } from '../fixtures/daemon/dag.js'
import { freePort, tempDir } from '../helpers/daemon-helpers.js'

test('remote-scheduler: a worker builds a graph through the daemon exactly as in process', async (t) => {
  const dir = await tempDir('remote')
  setLayout({ outputDir: path.join(dir, 'output') })
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'state'), history: false })
  t.teardown(() => daemon.close())
  const summary = await build(new Node({ i: 0, size: 31 }), { scheduler: new RemoteScheduler({ url: daemon.url }), workers: 3, heartbeatMs: 100, pollIntervalMs: 20 })
  t.true(summary.complete)
  t.is(summary.ran.length, 31)
  t.is([...daemon.scheduler.allTasks()].filter((state) => state.status === 'DONE').length, 31)
  const log = daemon.scheduler.task(new Node({ i: 5, size: 31 }).id)!.log!.map((line) => line.message)
  t.true(log.includes('node 5 working'), 'the task log reached the daemon')
})

test('remote-scheduler: an unreachable daemon fails with an RpcError naming the URL and the attempts', async (t) => {
  const port = await freePort()
  const scheduler = new RemoteScheduler({ url: `http://127.0.0.1:${port}/`, retryAttempts: 3, retryWaitMs: 10 })
  const error = await t.throwsAsync(scheduler.addTasks({ workerId: 'w', tasks: [] }))
  t.true(error instanceof RpcError)
  const rpc = error as RpcError
  t.is(rpc.code, 'ETL_ERR_SCHEDULER_UNREACHABLE')
  t.is(rpc.attempts, 3)
  t.is(rpc.url, `http://127.0.0.1:${port}/api/addTasks`)
  t.regex(rpc.message, new RegExp(`http://127\\.0\\.0\\.1:${port}/api/addTasks after 3 attempts`))
})

test('remote-scheduler: a request the daemon refuses is not retried', async (t) => {
  let calls = 0
  const server = http.createServer((_request, response) => {
    calls += 1
    response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'ETL_ERR_DAEMON_BAD_REQUEST', message: 'nope' } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const { port } = server.address() as { port: number }
  const scheduler = new RemoteScheduler({ url: `http://127.0.0.1:${port}`, retryAttempts: 5, retryWaitMs: 10 })
  const error = (await t.throwsAsync(scheduler.ping({ workerId: 'w' }))) as RpcError
  t.is(error.code, 'ETL_ERR_DAEMON_RPC_REJECTED')
  t.is(error.status, 400)
  t.regex(error.message, /the scheduler daemon at .* refused ping: nope/)
  t.is(calls, 1)
})

test('remote-scheduler: a web server at the URL that is not the daemon is named as such, at once, as a scheduling error', async (t) => {
  let calls = 0
  const server = await listen(0, (_body, response) => {
    calls += 1
    response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>')
  })
  t.teardown(() => close(server))
  const { port } = server.address() as { port: number }
  const scheduler = new RemoteScheduler({ url: `http://127.0.0.1:${port}`, retryAttempts: 5, retryWaitMs: 10 })
  const error = (await t.throwsAsync(scheduler.addTasks({ workerId: 'w', tasks: [] }))) as RpcError
  t.is(error.code, 'ETL_ERR_DAEMON_RPC_REJECTED')
  t.true(isSchedulingError(error), 'etl run exits 5, not with an unexpected-error stack')
  t.regex(error.message, new RegExp(`what answers at http://127\\.0\\.0\\.1:${port}/api/addTasks is not an etl scheduler daemon \\(HTTP 404, not an etl answer\\); check --scheduler-url or scheduler\\.url`))
  t.is(calls, 1)
})

test('remote-scheduler: once the daemon has answered, calls ride out its restart on the long budget, with the same getWork request id, and say so', async (t) => {
  const port = await freePort()
  const lines: string[] = []
  // connectAttempts 1: had the restart been judged by the first-contact budget, getWork would fail at once.
  const scheduler = new RemoteScheduler({ url: `http://127.0.0.1:${port}`, retryAttempts: 50, retryWaitMs: 50, connectAttempts: 1, logger: capture(lines) })
  t.teardown(() => scheduler.close())
  const first = await listen(port, (_body, response) => answer(response, {}))
  t.deepEqual(await scheduler.taskStatuses({ taskIds: [] }), {})
  t.true(scheduler.contacted)
  await close(first)

  const seen: string[] = []
  let failures = 0
  let second: http.Server | undefined
  // Nothing listens for the first tries; then the first answer is a 503, as a closing daemon gives.
  setTimeout(async () => {
    second = await listen(port, (body, response) => {
      seen.push(JSON.parse(body).requestId)
      if (failures++ === 0) return response.writeHead(503).end('{}')
      answer(response, { taskId: null, done: true })
    })
  }, 300)
  t.teardown(() => second && close(second))
  t.deepEqual(await scheduler.getWork({ workerId: 'w' }), { taskId: null, done: true })
  t.is(seen.length, 2)
  t.is(seen[0], seen[1])
  t.regex(lines[0]!, new RegExp(`lost the scheduler daemon at http://127\\.0\\.0\\.1:${port}: connection (refused|reset) \\(ECONN(REFUSED|RESET)\\)\\. Trying 49 more times, 50ms apart`))
  t.true(lines.some((line) => /still no answer from .* \(try \d+ of 50, next in 50ms\)/.test(line)), lines.join('\n'))
  t.regex(lines.at(-1)!, /answers again, after \d/)
})

test('remote-scheduler: before the daemon has ever answered, a call gets the short first-contact budget and says so at its first try', async (t) => {
  const port = await freePort()
  const lines: string[] = []
  const scheduler = new RemoteScheduler({ url: `http://127.0.0.1:${port}`, retryAttempts: 20, retryWaitMs: 500, connectAttempts: 3, connectRetryWaitMs: 20, logger: capture(lines) })
  const error = (await t.throwsAsync(scheduler.addTasks({ workerId: 'w', tasks: [] }))) as RpcError
  t.is(error.code, 'ETL_ERR_SCHEDULER_UNREACHABLE')
  t.is(error.attempts, 3, 'the first-contact budget, not the 20 tries that ride out a restart')
  t.false(scheduler.contacted)
  t.regex(error.message, /after 3 attempts over [\d.]+m?s: connection refused \(ECONNREFUSED\)\. It never answered this run: start it with `etl scheduler`, check --scheduler-url or scheduler\.url, or run with --local-scheduler; scheduler\.rpcConnectAttempts/)
  t.is(lines.length, 2, lines.join('\n'))
  t.regex(lines[0]!, new RegExp(`^WARN the scheduler daemon is not answering at http://127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\)\\. Trying 2 more times, 20ms apart, then giving up; start it with \`etl scheduler\``))
  t.regex(lines[1]!, new RegExp(`^WARN still no answer from http://127\\.0\\.0\\.1:${port} \\(try 2 of 3, next in 20ms\\)$`))
})

test('remote-scheduler: calls waiting on the daemon at the same time share one line per retry, not one each', async (t) => {
  const port = await freePort()
  const lines: string[] = []
  const scheduler = new RemoteScheduler({ url: `http://127.0.0.1:${port}`, connectAttempts: 4, connectRetryWaitMs: 100, logger: capture(lines) })
  const calls = [1, 2, 3].map((i) => scheduler.addTasks({ workerId: `w${i}`, tasks: [] }))
  const errors = await Promise.allSettled(calls)
  t.true(errors.every((outcome) => outcome.status === 'rejected'))
  t.is(lines.filter((line) => line.includes('is not answering')).length, 1, lines.join('\n'))
  t.true(lines.filter((line) => line.includes('still no answer')).length <= 3, lines.join('\n'))
})

test('remote-scheduler: credentials in the daemon URL appear in no line and no error it gives', async (t) => {
  const port = await freePort()
  const lines: string[] = []
  const scheduler = new RemoteScheduler({ url: `http://etl:s3cret-token@127.0.0.1:${port}`, connectAttempts: 2, connectRetryWaitMs: 10, logger: capture(lines, 'json') })
  const error = (await t.throwsAsync(scheduler.getWork({ workerId: 'w' }))) as RpcError
  t.is(error.url, `http://***@127.0.0.1:${port}/api/getWork`)
  const said = [...lines, error.message, JSON.stringify({ ...error })].join('\n')
  t.regex(said, /http:\/\/\*\*\*@127\.0\.0\.1/)
  t.false(said.includes('s3cret-token'))
  t.false(said.includes('etl:'))
})

test('remote-scheduler: the cause of an unanswered try is said in words, with the errno to search for', (t) => {
  t.is(describeRpcFailure(Object.assign(new Error(''), { code: 'ECONNREFUSED' })), 'connection refused (ECONNREFUSED)')
  t.is(describeRpcFailure(Object.assign(new Error('getaddrinfo ENOTFOUND etl-hots'), { code: 'ENOTFOUND' })), 'host not found in DNS (ENOTFOUND)')
  t.is(describeRpcFailure(new Error('closing'), 503), 'HTTP 503: closing')
  t.is(describeRpcFailure(new Error('HTTP 502'), 502), 'HTTP 502')
  t.is(describeRpcFailure(new Error('no answer within 30000ms')), 'no answer within 30000ms')
})

test('remote-scheduler: a URL is shown with its credentials and secret query values masked', (t) => {
  t.is(safeUrl('http://127.0.0.1:8082'), 'http://127.0.0.1:8082')
  t.is(safeUrl('https://etl:s3cret@sched.example:8443/etl/'), 'https://***@sched.example:8443/etl/')
  t.is(safeUrl('https://TOKEN123@sched.example/'), 'https://***@sched.example/')
  t.is(safeUrl('http://sched.example/?token=abc&api_key=def&team=data'), 'http://sched.example/?token=***&api_key=***&team=data')
})

/** A logger whose lines land in `lines` as `LEVEL message` (text) or as JSON. */
function capture(lines: string[], format: 'text' | 'json' = 'text') {
  return createLogger({
    format,
    write: (line) => lines.push(format === 'json' ? line.trim() : line.trim().replace(/^\S+ (\S+)\s+/, '$1 ')),
  })
}

function answer(response: http.ServerResponse, result: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result }))
}

async function listen(port: number, handle: (body: string, response: http.ServerResponse) => void): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => handle(body, response))
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return server
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
