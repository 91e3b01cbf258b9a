import { execFileSync } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { buildServer, CentralScheduler, createLogger, RemoteScheduler, resolveConfig, startSchedulerDaemon, type TaskRecord } from 'etl'
import { tempDir } from '../helpers/daemon-helpers.js'

const WORKER_TOKEN = 'worker-token-0123456789abcdef'

function record(id: string): TaskRecord {
  return { id, family: id, params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} }
}

async function server(options: Parameters<typeof buildServer>[0] extends infer O ? Partial<O> : never = {}) {
  const scheduler = new CentralScheduler()
  const lines: string[] = []
  const logger = createLogger({ level: 'warn', format: 'json', write: (line) => lines.push(line) })
  const app = await buildServer({ scheduler, logger, ...options })
  const call = (method: string, body: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: `/api/${method}`, payload: body as object, headers })
  return { scheduler, app, call, lines }
}

test('daemon security: with a worker token, a call without it is refused and changes nothing; with it, it goes through', async (t) => {
  const { scheduler, call } = await server({ workerToken: WORKER_TOKEN })
  // The attacks of an unauthenticated client: register a known task as DONE, take work, stop a worker.
  const none = await call('addTasks', { workerId: 'w', tasks: [{ ...record('A'), status: 'DONE' }] })
  t.is(none.statusCode, 401)
  t.regex(none.json().error.message, /the worker token is missing: set ETL_WORKER_TOKEN/)
  t.is((await call('getWork', { workerId: 'w' }, { authorization: 'Bearer not-it' })).statusCode, 401)
  t.is([...scheduler.allTasks()].length, 0)

  const auth = { authorization: `Bearer ${WORKER_TOKEN}` }
  t.is((await call('addTasks', { workerId: 'w', tasks: [record('A')] }, auth)).statusCode, 200)
  t.is((await call('getWork', { workerId: 'w' }, auth)).json().result.taskId, 'A')
})

test('daemon security: a wrong token is logged with where it came from, and an address that keeps guessing is refused outright, right token or not', async (t) => {
  const { call, lines } = await server({ workerToken: WORKER_TOKEN })
  const started = Date.now()
  for (let guess = 0; guess < 10; guess++) t.is((await call('ping', { workerId: 'w' }, { authorization: `Bearer guess-${guess}` })).statusCode, 401)
  t.true(Date.now() - started >= 10 * 200, 'each wrong guess is held back')
  const locked = await call('ping', { workerId: 'w' }, { authorization: `Bearer ${WORKER_TOKEN}` })
  t.is(locked.statusCode, 429)
  t.regex(locked.json().error.message, /10 wrong tokens from 127\.0\.0\.1 in the last 60 s/)
  t.true(lines.some((line) => /refused a worker call \(POST \/api\/ping\) from 127\.0\.0\.1: a wrong token/.test(line)))
  t.false(lines.some((line) => line.includes('guess-')), 'the guesses themselves are not logged')
})

test('daemon security: a Host name that is not the daemon\'s is refused (DNS rebinding); addresses, localhost and allowedHosts are answered', async (t) => {
  const { app } = await server({ allowedHosts: ['etl.example', '.corp.example'] })
  const get = (host: string) => app.inject({ method: 'GET', url: '/api/ui/summary', headers: { host } })
  const rebound = await get('attacker.example:8082')
  t.is(rebound.statusCode, 403)
  t.regex(rebound.json().error.message, /does not answer to the host name in "attacker\.example:8082" .* add it to scheduler\.allowedHosts/)
  for (const host of ['127.0.0.1:8082', '[::1]:8082', 'localhost:8082', 'etl.example', 'box.corp.example:8082', '10.1.2.3']) t.is((await get(host)).statusCode, 200, host)
})

test('daemon security: a non-loopback address without a token, or a short token, stops the start with what to do', async (t) => {
  const dir = await tempDir('security')
  await t.throwsAsync(startSchedulerDaemon({ host: '0.0.0.0', port: 0, stateDir: path.join(dir, 'a'), history: false, env: {} }), {
    code: 'ETL_ERR_DAEMON_INSECURE',
    message: /refusing to listen on 0\.0\.0\.0 without a token: .* or pass --insecure/,
  })
  await t.throwsAsync(startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'b'), history: false, env: { ETL_SCHEDULER_TOKEN: 'ab' } }), {
    code: 'ETL_ERR_CONFIG_INVALID',
    message: /the token in ETL_SCHEDULER_TOKEN is 2 characters; use at least 16/,
  })
  const insecure = await startSchedulerDaemon({ host: '0.0.0.0', port: 0, stateDir: path.join(dir, 'c'), history: false, env: {}, insecure: true })
  t.teardown(() => insecure.close())
  t.truthy(insecure.port)
})

test('daemon security: with scheduler.tls the daemon serves HTTPS, and a worker that trusts its certificate works through it', async (t) => {
  const dir = await tempDir('tls')
  const key = path.join(dir, 'key.pem')
  const cert = path.join(dir, 'cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
  const config = resolveConfig({ scheduler: { tls: { key, cert }, workerToken: WORKER_TOKEN } })
  const daemon = await startSchedulerDaemon({ config, port: 0, stateDir: path.join(dir, 'state'), history: false, env: {} })
  t.teardown(() => daemon.close())
  t.regex(daemon.url, /^https:\/\/127\.0\.0\.1:\d+$/)
  // A client that does not know the certificate is refused by TLS itself.
  await t.throwsAsync(fetch(`${daemon.url}/api/ui/summary`))
  const scheduler = new RemoteScheduler({ url: daemon.url, workerToken: WORKER_TOKEN, retryAttempts: 1, ca: await fs.readFile(cert, 'utf8') })
  t.teardown(() => scheduler.close())
  await scheduler.addTasks({ workerId: 'w', tasks: [record('A')] })
  t.is((await scheduler.getWork({ workerId: 'w' })).taskId, 'A')
})
