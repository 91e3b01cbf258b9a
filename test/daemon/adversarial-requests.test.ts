import { performance } from 'node:perf_hooks'
import test from 'ava'
import fc from 'fast-check'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { buildServer, CentralScheduler, RPC_METHODS, type SchedulerOp, type TaskRecord } from 'etl'

// The acceptance property of the daemon's input hardening: every RPC and UI route, driven with
// malformed, oversized and adversarial requests, answers a 4xx that names the problem, keeps answering
// pings within 100 ms, and changes nothing.

const ACTION_TOKEN = 'adversarial-token'
const PING_MS = 100
/** Small limits, so an oversized request costs the test little; each refusal must name its key. */
const LIMITS = { maxRequestBytes: 64 * 1024, maxTasksPerCall: 50, maxParamChars: 256, maxErrorChars: 512, maxResultBytes: 1024 }

type Method = (typeof RPC_METHODS)[number]
type Body = Record<string, unknown>

/**
 * Every request of these tests is built here, so the headers a daemon with worker authentication
 * wants go in one place: set ETL_TEST_WORKER_TOKEN (and give the daemon the same token in `setup`)
 * once workers authenticate.
 */
function request(kind: 'rpc' | 'ui' | 'action', method: 'GET' | 'POST', url: string, payload?: string, contentType = 'application/json'): InjectOptions {
  const auth: Record<string, string> =
    kind === 'action' ? { authorization: `Bearer ${ACTION_TOKEN}` } : kind === 'rpc' && process.env.ETL_TEST_WORKER_TOKEN ? { authorization: `Bearer ${process.env.ETL_TEST_WORKER_TOKEN}` } : {}
  return { method, url, headers: { ...auth, ...(payload !== undefined ? { 'content-type': contentType } : {}) }, ...(payload !== undefined ? { payload } : {}) }
}

function record(id: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { id, family: id.split('_')[0]!, params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {}, ...extra }
}

/** A daemon with something to lose: a running task, one waiting on it, a failed one, an active worker. The clock stands still. */
async function setup() {
  const ops: SchedulerOp[] = []
  const clock = { now: () => 1_700_000_000_000 }
  const scheduler = new CentralScheduler({ clock, journal: { append: (op) => ops.push(op) } })
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A_1'), record('B_1', { deps: ['A_1'] }), record('C_1')] })
  await scheduler.getWork({ workerId: 'w1' })
  await scheduler.getWork({ workerId: 'w1' })
  await scheduler.taskFinished({ workerId: 'w1', taskId: 'C_1', lease: scheduler.task('C_1')!.lease!, status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1, error: { message: 'no' } })
  const app = await buildServer({ scheduler, clock, token: ACTION_TOKEN, limits: LIMITS })
  // Every route once, refused, before anything is timed: a ping's wait is to measure a held event loop, not a first call's compiling.
  for (const name of RPC_METHODS) await app.inject(request('rpc', 'POST', `/api/${name}`, '{}'))
  for (const url of ['/api/ui/summary', '/api/ui/tasks', '/api/ui/tasks/A_1', '/api/ui/graph/A_1', '/api/ui/runs', '/api/ui/workers', '/api/ui/schedules']) await app.inject(request('ui', 'GET', url))
  for (const action of ['enable', 'forgive', 'rerun', 'trigger']) await app.inject(request('action', 'POST', `/api/actions/${action}`, '{}'))
  const state = () => JSON.stringify(scheduler.snapshot())
  return { app, scheduler, ops, state, before: state(), journaled: ops.length }
}

/** A lease of the right shape that is not the running attempt's: the calls that carry it change nothing. */
const GUESSED_LEASE = '00000000-0000-4000-8000-000000000000'

/** A well-formed call of each method, which the mutations below break in one place. */
const VALID: Record<Method, () => Body> = {
  addTasks: () => ({ workerId: 'w1', tasks: [record('D_1', { params: { day: '2024-01-31' }, deps: ['A_1'], resources: { db: 1 } })], origin: { module: '/p/tasks.ts', cwd: '/p' } }),
  getWork: () => ({ workerId: 'w1', requestId: 'q1' }),
  taskProgress: () => ({ workerId: 'w1', taskId: 'A_1', lease: GUESSED_LEASE, message: 'half way' }),
  taskFinished: () => ({ workerId: 'w1', taskId: 'A_1', lease: GUESSED_LEASE, status: 'DONE', startedAt: 1, endedAt: 2, attempts: 1, result: { rows: 3 }, error: { message: 'x', stack: 'y' }, log: [{ at: 1, level: 'info', message: 'hi' }] }),
  ping: () => ({ workerId: 'w1' }),
  workerStopped: () => ({ workerId: 'w1' }),
  taskStatuses: () => ({ taskIds: ['A_1'] }),
  taskLog: () => ({ workerId: 'w1', taskId: 'A_1', lease: GUESSED_LEASE, lines: [{ at: 1, level: 'info', message: 'hi' }] }),
}

/** Fields a call may leave out; every other field is required. */
const OPTIONAL = new Set(['requestId', 'origin', 'origin.config', 'result', 'error', 'error.stack', 'error.code', 'log', 'tasks.0.error'])

/** Every field of a valid body with its JSON type, down to what the schema reads (a result's inside is free). */
function fieldsOf(value: unknown, prefix: string[] = []): { path: string[]; type: string }[] {
  const fields: { path: string[]; type: string }[] = []
  if (value === null || typeof value !== 'object' || prefix.at(-1) === 'result') return fields
  for (const [key, item] of Object.entries(value)) {
    const path = [...prefix, key]
    fields.push({ path, type: Array.isArray(item) ? 'array' : item === null ? 'null' : typeof item })
    fields.push(...fieldsOf(item, path))
  }
  return fields
}

const WRONG: Record<string, unknown[]> = {
  string: [0, true, null, [], {}],
  number: ['1', true, null, [], {}],
  boolean: ['yes', 0, null, [], {}],
  array: ['x', 1, null, {}],
  object: ['x', 1, [], true],
}

function setAt(body: Body, path: readonly string[], value: unknown): Body {
  const copy = structuredClone(body)
  let at = copy as Record<string, unknown>
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>
  if (value === undefined) delete at[path.at(-1)!]
  else at[path.at(-1)!] = value
  return copy
}

/** An attack: the request's text, and what the refusal must say. */
interface Attack {
  method: Method
  text: string
  status: number
  says: RegExp
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const method = fc.constantFrom(...RPC_METHODS)

/** A field of the right method given a value of another type, or a required one left out. */
const wrongShape: fc.Arbitrary<Attack> = method.chain((name) => {
  const fields = fieldsOf(VALID[name]())
  // Not array items, nor the entries of a record (a parameter, a resource): leaving those out is fine.
  const required = fields.filter(({ path }) => !OPTIONAL.has(path.join('.')) && !/^\d+$/.test(path.at(-1)!) && !['params', 'resources'].includes(path.at(-2)!))
  const swapped = fc.constantFrom(...fields).chain(({ path, type }) =>
    fc.constantFrom(...(WRONG[type] ?? [0]).filter((value) => !(path.join('.') === 'result' && value === null))).map((value) => ({ path, value })),
  )
  const missing = fc.constantFrom(...required).map(({ path }) => ({ path, value: undefined as unknown }))
  return fc.oneof(swapped, missing).map(({ path, value }) => ({
    method: name,
    text: JSON.stringify(setAt(VALID[name](), path, value)),
    status: 400,
    says: new RegExp(`^${name}: the request is malformed: .*${escape(path.join('.'))}: `),
  }))
})

/** Text that is not JSON, an empty body, or JSON that is not an object. */
const notJson: fc.Arbitrary<Attack> = fc.tuple(
  method,
  fc.oneof(
    fc.string({ maxLength: 200 }).filter((text) => text.length > 0 && !isJson(text)).map((text) => ({ text, says: /the request body is not valid JSON \(.+\); send a JSON object/ })),
    fc.constant({ text: '', says: /the request body is empty; send a JSON object/ }),
    fc.constantFrom('[]', '"x"', '1', 'null', 'true').map((text) => ({ text, says: /the request is malformed: \(body\): / })),
  ),
).map(([name, { text, says }]) => ({ method: name, text, status: 400, says }))

/** One part over its limit: a parameter, an error, a result, a count, the body. */
const oversized: fc.Arbitrary<Attack> = fc.oneof(
  fc.integer({ min: LIMITS.maxParamChars + 1, max: LIMITS.maxParamChars * 8 }).map((chars) => ({
    method: 'addTasks' as const,
    text: JSON.stringify({ workerId: 'w1', tasks: [record('D_1', { params: { p: 'x'.repeat(chars) } })] }),
    status: 413,
    says: /tasks\.0\.params\.p is \d+ characters long, over the 256 characters the daemon takes \(scheduler\.maxParamChars\)/,
  })),
  fc.tuple(fc.constantFrom('message', 'stack'), fc.integer({ min: LIMITS.maxErrorChars + 1, max: LIMITS.maxErrorChars * 8 })).map(([part, chars]) => ({
    method: 'taskFinished' as const,
    text: JSON.stringify({ ...VALID.taskFinished(), status: 'FAILED', error: { message: 'm', [part]: 'e'.repeat(chars) } }),
    status: 413,
    says: new RegExp(`error\\.${part} is \\d+ characters long, .*\\(scheduler\\.maxErrorChars\\)`),
  })),
  fc.integer({ min: LIMITS.maxResultBytes, max: LIMITS.maxResultBytes * 8 }).map((chars) => ({
    method: 'taskFinished' as const,
    text: JSON.stringify({ ...VALID.taskFinished(), result: { s: 'r'.repeat(chars) } }),
    status: 413,
    says: /result is \d+ bytes of JSON, .*\(scheduler\.maxResultBytes\)/,
  })),
  fc.integer({ min: LIMITS.maxTasksPerCall + 1, max: LIMITS.maxTasksPerCall * 4 }).chain((count) =>
    fc.constantFrom(
      { method: 'addTasks' as const, text: JSON.stringify({ workerId: 'w1', tasks: Array.from({ length: count }, (_, i) => record(`E_${i}`)) }) },
      { method: 'addTasks' as const, text: JSON.stringify({ workerId: 'w1', tasks: [record('E_0', { deps: Array.from({ length: count }, (_, i) => `F_${i}`) })] }) },
      { method: 'taskStatuses' as const, text: JSON.stringify({ taskIds: Array.from({ length: count }, (_, i) => `F_${i}`) }) },
    ).map((attack) => ({ ...attack, status: 413, says: /over the 50 the daemon takes \(scheduler\.maxTasksPerCall\)/ })),
  ),
  fc.tuple(method, fc.integer({ min: LIMITS.maxRequestBytes, max: LIMITS.maxRequestBytes * 2 })).map(([name, chars]) => ({
    method: name,
    text: JSON.stringify({ ...VALID[name](), pad: 'p'.repeat(chars) }),
    status: 413,
    says: /the request body is \d+ bytes, over the 65536 bytes the daemon takes \(scheduler\.maxRequestBytes\)/,
  })),
)

/** Nesting past what the daemon reads, `__proto__` and `constructor.prototype` keys, ids and times out of range. */
const adversarial: fc.Arbitrary<Attack> = fc.oneof(
  fc.tuple(method, fc.integer({ min: 65, max: 5000 })).map(([name, levels]) => ({
    method: name,
    text: JSON.stringify({ ...VALID[name](), deep: 0 }).replace('"deep":0', `"deep":${'['.repeat(levels)}${']'.repeat(levels)}`),
    status: 400,
    says: /the request body is nested more than 64 levels deep \(at deep/,
  })),
  method.chain((name) => {
    const objects = [[], ...fieldsOf(VALID[name]()).filter(({ type }) => type === 'object').map(({ path }) => path)]
    return fc.tuple(fc.constantFrom(...objects), fc.constantFrom('__proto__', 'constructor')).map(([path, key]) => {
      const marked = path.length === 0 ? { PLANTED: { prototype: { polluted: true } }, ...VALID[name]() } : setAt(VALID[name](), [...path, 'PLANTED'], { prototype: { polluted: true } })
      return {
        method: name,
        text: JSON.stringify(marked).replace('"PLANTED"', JSON.stringify(key)),
        status: 400,
        says: new RegExp(`a key named "${key === '__proto__' ? key : 'constructor\\.prototype'}" at ${path.length ? escape(path.join('.')) : 'the top level'}, which the daemon refuses`),
      }
    })
  }),
  fc.tuple(fc.constantFrom<Method>('ping', 'getWork', 'taskLog'), fc.integer({ min: 2001, max: 6000 })).map(([name, chars]) => ({
    method: name,
    text: JSON.stringify({ ...VALID[name](), workerId: 'w'.repeat(chars) }),
    status: 400,
    says: /the request is malformed: workerId: /,
  })),
  fc.tuple(fc.constantFrom('startedAt', 'endedAt'), fc.constantFrom(-1, 1.5, 1e17, 1e300)).map(([field, value]) => ({
    method: 'taskFinished' as const,
    text: JSON.stringify({ ...VALID.taskFinished(), [field]: value }),
    status: 400,
    says: new RegExp(`the request is malformed: ${field}: `),
  })),
)

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/**
 * Sends the attack and, while it is in hand, a ping; the ping's wait says whether the attack held the
 * event loop. A wait over the bound is measured again, twice at most, keeping the shortest: on a busy
 * 2-core machine other processes take the CPU now and then, while an attack that holds the loop holds
 * it every time (refused attacks change nothing, so sending one again is harmless).
 */
async function withPing(app: FastifyInstance, attack: InjectOptions) {
  let best: { response: Awaited<ReturnType<FastifyInstance['inject']>>; ping: Awaited<ReturnType<FastifyInstance['inject']>>; waited: number } | undefined
  for (let tries = 0; tries < 3 && (best === undefined || best.waited >= PING_MS); tries++) {
    const answer = app.inject(attack)
    const started = performance.now()
    const ping = await app.inject(request('rpc', 'POST', '/api/ping', '{"workerId":"w1"}'))
    const waited = performance.now() - started
    const response = await answer
    if (best === undefined || waited < best.waited) best = { response, ping, waited }
  }
  return best!
}

test('adversarial requests: every RPC refuses malformed, oversized and hostile calls with a 4xx naming the problem, keeps answering, and changes nothing', async (t) => {
  const daemon = await setup()
  t.teardown(() => daemon.app.close())
  const run = await fc.check(
    fc.asyncProperty(fc.oneof(wrongShape, notJson, oversized, adversarial), async (attack) => {
      const { response, ping, waited } = await withPing(daemon.app, request('rpc', 'POST', `/api/${attack.method}`, attack.text))
      const error = (response.json() as { error?: { code?: string; message?: string } }).error
      const problems = [
        response.statusCode !== attack.status && `answered ${response.statusCode}, not ${attack.status}`,
        !attack.says.test(error?.message ?? '') && `said ${JSON.stringify(error?.message?.slice(0, 300))}, not ${attack.says}`,
        !/^ETL_ERR_DAEMON_/.test(error?.code ?? '') && `code ${error?.code}`,
        ping.statusCode !== 200 && `the ping answered ${ping.statusCode}`,
        waited >= PING_MS && `the ping waited ${waited.toFixed(0)} ms`,
        daemon.state() !== daemon.before && 'the state changed',
        daemon.ops.length !== daemon.journaled && 'something was journaled',
      ].filter(Boolean)
      if (problems.length > 0) throw new Error(`${attack.method} ${attack.text.slice(0, 160)}: ${problems.join('; ')}`)
    }),
    { numRuns: 400 },
  )
  t.false(run.failed, run.failed ? `${(run.errorInstance as Error).message} (after ${run.numRuns} runs, seed ${run.seed})` : '')
  t.is(({} as { polluted?: boolean }).polluted, undefined, 'no prototype was touched')
})

/** Queries and ids for the UI's routes: junk, too long, badly escaped, or each field out of its range. */
const uiRequest: fc.Arbitrary<{ url: string; invalid?: RegExp }> = fc.oneof(
  fc.constantFrom(
    ...Object.entries({ status: ['BOGUS', 'DONE,NOPE'], sort: ['BOGUS', 'x'.repeat(300)], desc: ['2', 'yes'], offset: ['-1', '1.5', 'abc'], limit: ['0', '-1', '1.5', '100000'] }).flatMap(([field, values]) =>
      values.map((value) => [field, value] as const),
    ),
  ).map(([field, value]) => ({
    url: `/api/ui/tasks?${field}=${encodeURIComponent(value)}`,
    invalid: new RegExp(`bad query: ${field}(\\.\\d+)?: `),
  })),
  fc.constantFrom(['offset', '-5'], ['offset', 'abc'], ['offset', '1.5'], ['limit', '0'], ['limit', 'abc'], ['limit', '1e9']).map(([field, value]) => ({ url: `/api/ui/runs?${field}=${value}`, invalid: new RegExp(`bad query: ${field}: `) })),
  fc.tuple(fc.constantFrom('tasks', 'graph', 'runs'), fc.string({ maxLength: 300 })).map(([page, id]) => ({ url: `/api/ui/${page}/${encodeURIComponent(id || 'x')}?depth=${encodeURIComponent(id)}` })),
  fc.tuple(fc.constantFrom('tasks', 'graph', 'runs'), fc.integer({ min: 8200, max: 20_000 })).map(([page, chars]) => ({ url: `/api/ui/${page}/${'i'.repeat(chars)}`, invalid: /is longer than 8192 characters/ })),
  fc.tuple(fc.constantFrom('tasks', 'graph', 'runs'), fc.constantFrom('%', '%E0%A4%A', '%zz', 'a%')).map(([page, id]) => ({ url: `/api/ui/${page}/${id}`, invalid: /this address does not decode/ })),
  fc.string({ maxLength: 200 }).map((query) => ({ url: `/api/ui/tasks?q=${encodeURIComponent(query)}&family=${encodeURIComponent(query)}&__proto__=${encodeURIComponent(query)}` })),
  fc.tuple(fc.constantFrom('/api/ui/summary', '/api/ui/workers', '/api/ui/schedules', '/metrics', '/', '/static/js/app.js', '/static/../package.json'), fc.string({ maxLength: 100 })).map(([route, query]) => ({
    url: `${route}?${encodeURIComponent(query)}=${encodeURIComponent(query)}`,
  })),
)

test('adversarial requests: the UI’s routes answer junk with a 4xx naming it (or an answer), never fail, and change nothing', async (t) => {
  const daemon = await setup()
  t.teardown(() => daemon.app.close())
  const run = await fc.check(
    fc.asyncProperty(uiRequest, async ({ url, invalid }) => {
      const { response, ping, waited } = await withPing(daemon.app, request('ui', 'GET', url))
      // The UI's files are not JSON; everything under /api/ is.
      const json = /json/.test(String(response.headers['content-type']))
      const body = (json ? response.json() : {}) as { error?: { message?: string } }
      const problems = [
        response.statusCode >= 500 && `answered ${response.statusCode}`,
        invalid && !(response.statusCode >= 400 && response.statusCode < 500 && invalid.test(body.error?.message ?? '')) && `answered ${response.statusCode} ${JSON.stringify(body.error?.message)}, not ${invalid}`,
        url.startsWith('/api/') && !json && `answered ${response.headers['content-type']}, not JSON`,
        url.startsWith('/api/') && response.statusCode >= 400 && !body.error?.message && 'a refusal without a message',
        waited >= PING_MS && `the ping waited ${waited.toFixed(0)} ms`,
        ping.statusCode !== 200 && `the ping answered ${ping.statusCode}`,
        daemon.state() !== daemon.before && 'the state changed',
      ].filter(Boolean)
      if (problems.length > 0) throw new Error(`${url.slice(0, 160)}: ${problems.join('; ')}`)
    }),
    { numRuns: 300 },
  )
  t.false(run.failed, run.failed ? `${(run.errorInstance as Error).message} (after ${run.numRuns} runs, seed ${run.seed})` : '')
})

/** Action bodies that are not what an action takes: junk, the wrong shape, too deep, a __proto__, over the 1 MiB the UI's routes take. */
const actionAttack: fc.Arbitrary<{ action: string; text: string; says: RegExp; status: number }> = fc.tuple(
  fc.constantFrom('enable', 'forgive', 'rerun', 'trigger'),
  fc.oneof(
    fc.string({ maxLength: 100 }).filter((text) => text.length > 0 && !isJson(text)).map((text) => ({ text, says: /not valid JSON/, status: 400 })),
    fc.constantFrom('{}', '[]', '{"taskId":1}', '{"taskId":""}', '{"schedule":null}', '{"taskId":["C_1"]}').map((text) => ({ text, says: /^(enable|forgive|rerun|trigger): /, status: 400 })),
    fc.integer({ min: 65, max: 3000 }).map((levels) => ({ text: `{"taskId":${'['.repeat(levels)}${']'.repeat(levels)}}`, says: /nested more than 64 levels/, status: 400 })),
    fc.constant({ text: '{"__proto__":{"taskId":"C_1"}}', says: /a key named "__proto__"/, status: 400 }),
    fc.constant({ text: JSON.stringify({ taskId: 'C_1', pad: 'p'.repeat(1024 * 1024) }), says: /over the 1048576 bytes the daemon takes \(a fixed limit/, status: 413 }),
  ),
).map(([action, attack]) => ({ action, ...attack }))

test('adversarial requests: the token-guarded actions refuse malformed bodies with a 4xx naming the problem, and change nothing', async (t) => {
  const daemon = await setup()
  t.teardown(() => daemon.app.close())
  const run = await fc.check(
    fc.asyncProperty(actionAttack, async ({ action, text, says, status }) => {
      const { response, ping, waited } = await withPing(daemon.app, request('action', 'POST', `/api/actions/${action}`, text))
      const message = (response.json() as { error?: { message?: string } }).error?.message ?? ''
      const problems = [
        response.statusCode !== status && `answered ${response.statusCode}, not ${status}`,
        !says.test(message) && `said ${JSON.stringify(message.slice(0, 200))}, not ${says}`,
        waited >= PING_MS && `the ping waited ${waited.toFixed(0)} ms`,
        ping.statusCode !== 200 && `the ping answered ${ping.statusCode}`,
        daemon.state() !== daemon.before && 'the state changed',
      ].filter(Boolean)
      if (problems.length > 0) throw new Error(`${action} ${text.slice(0, 120)}: ${problems.join('; ')}`)
    }),
    { numRuns: 150 },
  )
  t.false(run.failed, run.failed ? `${(run.errorInstance as Error).message} (after ${run.numRuns} runs, seed ${run.seed})` : '')
})
