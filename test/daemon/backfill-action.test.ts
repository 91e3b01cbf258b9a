import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test, { type ExecutionContext } from 'ava'
import { RemoteScheduler, startSchedulerDaemon, type SchedulerDaemon, type TaskRecord } from 'etl'
import { runCli } from '../helpers/cli.js'
import { tempDir, waitFor } from '../helpers/daemon-helpers.js'

const TOKEN = 'backfill-token-long-enough'
const MODULE = fileURLToPath(new URL('../fixtures/tasks/backfill-tasks.ts', import.meta.url))

async function startDaemon(t: ExecutionContext, stateDir: string): Promise<SchedulerDaemon> {
  const daemon = await startSchedulerDaemon({ port: 0, stateDir, history: false, token: TOKEN, scheduler: { workerTimeoutMs: 5000 } })
  t.teardown(() => daemon.close())
  return daemon
}

async function backfill(daemon: SchedulerDaemon, body: unknown, token: string | null = TOKEN): Promise<{ status: number; body: any }> {
  const response = await fetch(`${daemon.url}/api/actions/backfill`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

async function runs(cwd: string): Promise<string[]> {
  return (await fs.readFile(path.join(cwd, 'runs.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean)
}

test('backfill action: starts etl backfill where the family was registered from, behind the token, and refuses bad input with its message', async (t) => {
  const dir = await tempDir('backfill')
  const project = path.join(dir, 'project')
  await fs.mkdir(project)
  const daemon = await startDaemon(t, path.join(dir, 'state'))
  const first = await runCli(['run', 'LoadDay', '--date', '2024-01-01', '--region', 'us', '--module', MODULE, '--scheduler-url', daemon.url], project, { ETL_WORKER_TOKEN: TOKEN })
  t.is(first.code, 0, first.stdout + first.stderr)

  const body = { family: 'LoadDay', interval: '2024-01-01/2024-01-04', params: { region: 'us' } }
  const refusals: [unknown, string | null, number, RegExp][] = [
    [body, null, 401, /the action token is missing/],
    [body, 'wrong-token-of-some-length', 401, /the action token is wrong/],
    [{ ...body, family: 'LoadDya' }, TOKEN, 404, /no task of the family "LoadDya" \(did you mean LoadDay\?\)/],
    [{ ...body, param: 'region' }, TOKEN, 400, /LoadDay has no date or datetime parameter 'region'; its parameters: date, region/],
    [{ ...body, interval: '2024-01-04/2024-01-01' }, TOKEN, 400, /the interval "2024-01-04\/2024-01-01" for --date of LoadDay ends before it starts/],
    [{ ...body, interval: 'last week' }, TOKEN, 400, /invalid interval "last week" for --date of LoadDay: expected a date interval/],
    [{ ...body, every: '1h' }, TOKEN, 400, /--every 1h does not fit --date, a date/],
    [{ ...body, params: { regoin: 'us' } }, TOKEN, 400, /LoadDay has no parameter 'regoin'; its parameters: date, region/],
    [{ ...body, params: { date: '2024-01-01' } }, TOKEN, 400, /params sets 'date', the parameter the backfill steps through/],
    [{ ...body, order: 'latest' }, TOKEN, 400, /order/],
  ]
  for (const [request, token, status, message] of refusals) {
    const answer = await backfill(daemon, request, token)
    t.is(answer.status, status, JSON.stringify(answer.body))
    t.regex(answer.body.error.message, message)
  }
  t.deepEqual(await runs(project), ['2024-01-01 us'], 'nothing was started by a refused request')

  const started = await backfill(daemon, { ...body, order: 'newest' })
  t.is(started.status, 200, JSON.stringify(started.body))
  t.like(started.body.result, { family: 'LoadDay', param: 'date', record: { status: 'running', schedule: 'backfill:LoadDay' } })
  await waitFor(async () => (await runs(project)).length === 3, 90_000, () => 'the backfill did not run its two missing days within 90 s')
  t.deepEqual(await runs(project), ['2024-01-01 us', '2024-01-03 us', '2024-01-02 us'], 'the complete day is skipped, the newest missing runs first, in the project folder')
  await daemon.schedules.idle()
})

test('backfill action: a secret the group shows masked is left off the command line, and the backfill takes it from its config', async (t) => {
  const dir = await tempDir('backfill-secret')
  const project = path.join(dir, 'project')
  await fs.mkdir(project)
  await fs.writeFile(path.join(project, 'etl.config.json'), JSON.stringify({ tasks: { LoadKeyedDay: { token: '${FIXTURE_API_TOKEN}', account: '${FIXTURE_ACCOUNT}' } } }))
  // The daemon's launches inherit its environment, as a rerun's do.
  Object.assign(process.env, { FIXTURE_API_TOKEN: 'api-token-from-the-environment', FIXTURE_ACCOUNT: 'account-from-the-environment' })
  t.teardown(() => {
    delete process.env.FIXTURE_API_TOKEN
    delete process.env.FIXTURE_ACCOUNT
  })
  const daemon = await startDaemon(t, path.join(dir, 'state'))
  for (const date of ['2024-01-01', '2024-01-02']) {
    const run = await runCli(['run', 'LoadKeyedDay', '--date', date, '--module', MODULE, '--scheduler-url', daemon.url], project, {
      ETL_WORKER_TOKEN: TOKEN,
      FIXTURE_API_TOKEN: process.env.FIXTURE_API_TOKEN!,
      FIXTURE_ACCOUNT: process.env.FIXTURE_ACCOUNT!,
    })
    t.is(run.code, 0, run.stdout + run.stderr)
  }
  const groups = (await (await fetch(`${daemon.url}/api/ui/groups`)).json()) as { groups: { family: string; others: Record<string, string> }[] }
  const group = groups.groups.find((found) => found.family === 'LoadKeyedDay')!
  // The worker sends a declared secret as ••••; the daemon masks a secret-named one as *** besides.
  t.deepEqual(group.others, { token: '***', account: '••••' })

  const started = await backfill(daemon, { family: 'LoadKeyedDay', interval: '2024-01-01/2024-01-04', params: group.others })
  t.is(started.status, 200, JSON.stringify(started.body))
  t.deepEqual(started.body.result.maskedParams, ['token', 'account'])
  t.false(JSON.stringify(started.body).includes('from-the-environment'))
  await waitFor(async () => (await runs(project)).length === 3, 90_000, () => 'the backfill did not run its missing day within 90 s')
  t.deepEqual(await runs(project), ['2024-01-01 secrets from config', '2024-01-02 secrets from config', '2024-01-03 secrets from config'])
  await daemon.schedules.idle()
})

test('ui groups: instances of a family that differ only by their date come as one group with counts per status, in date order', async (t) => {
  const dir = await tempDir('groups')
  const daemon = await startDaemon(t, path.join(dir, 'state'))
  const scheduler = new RemoteScheduler({ url: daemon.url, retryAttempts: 3, retryWaitMs: 50, workerToken: TOKEN })
  const days = Array.from({ length: 12 }, (_, i) => `2024-01-${String(12 - i).padStart(2, '0')}`)
  const record = (date: string, region: string, status: 'DONE' | 'PENDING'): TaskRecord => ({ id: `LoadDay_${date}_${region}`, family: 'LoadDay', params: { date, region }, kind: 'task', deps: [], status, priority: 0, resources: {} })
  await scheduler.addTasks({
    workerId: 'w-groups',
    tasks: [...days.map((date, i) => record(date, 'eu', i < 3 ? 'PENDING' : 'DONE')), record('2024-01-01', 'us', 'DONE'), { ...record('x', 'us', 'DONE'), id: 'Other', family: 'Other', params: { name: 'x' } }],
  })
  await scheduler.workerStopped({ workerId: 'w-groups' })
  scheduler.close()
  const answer = (await (await fetch(`${daemon.url}/api/ui/groups`)).json()) as { groups: any[]; actionsEnabled: boolean }
  t.true(answer.actionsEnabled)
  t.is(answer.groups.length, 1, 'a lone instance is no group, nor is a task without a date')
  t.like(answer.groups[0], { family: 'LoadDay', param: 'date', others: { region: 'eu' }, total: 12, counts: { DONE: 9, PENDING: 3 }, first: '2024-01-01', last: '2024-01-12' })
  t.deepEqual(answer.groups[0].instances.map((instance: { value: string }) => instance.value), [...days].reverse())
  const filtered = (await (await fetch(`${daemon.url}/api/ui/groups?family=Other`)).json()) as { groups: unknown[] }
  t.deepEqual(filtered.groups, [])
})
