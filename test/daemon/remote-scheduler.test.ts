import http from 'node:http'
import path from 'node:path'
import test from 'ava'
import { build, RemoteScheduler, RpcError, setLayout, startSchedulerDaemon } from 'etl'
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
  t.is(calls, 1)
})

test('remote-scheduler: calls are retried until a restarting daemon answers, with the same getWork request id', async (t) => {
  const port = await freePort()
  const seen: string[] = []
  let failures = 0
  const server = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      seen.push(JSON.parse(body).requestId)
      // The first answer is a 503, as a closing daemon gives.
      if (failures++ === 0) return response.writeHead(503).end('{}')
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: { taskId: null, done: true } }))
    })
  })
  // Nothing listens for the first tries.
  setTimeout(() => server.listen(port, '127.0.0.1'), 300)
  t.teardown(() => server.close())
  const scheduler = new RemoteScheduler({ url: `http://127.0.0.1:${port}`, retryAttempts: 50, retryWaitMs: 50 })
  t.deepEqual(await scheduler.getWork({ workerId: 'w' }), { taskId: null, done: true })
  t.is(seen.length, 2)
  t.is(seen[0], seen[1])
})
