import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test, { type ExecutionContext } from 'ava'
import { createLogger, startSchedulerDaemon, type SchedulerDaemon } from 'etl'
import { runCli, type CliResult } from '../helpers/cli.js'
import { tempDir, waitFor } from '../helpers/daemon-helpers.js'

const MODULE = fileURLToPath(new URL('../fixtures/tasks/secret-tasks.ts', import.meta.url))
const TOKEN = 'secret-test-action-token'

/** What the environment holds: letters and digits only, so an id's summary would show them as they are. */
const SECRETS = { SOURCE_PASSWORD: 'Zq81xPassw0rdK7mRv', API_TOKEN: 'Tk93yT0kenW4nQpLs', PROBE_KEY: 'Pb27zPr0beKeyJ5hXc' }
/** Each secret, and its first eight characters: enough to catch a truncated copy (an id's summary, a search hit). */
const NEEDLES = Object.values(SECRETS).flatMap((secret) => [secret, secret.slice(0, 8)])

const CONFIG = {
  lockDir: 'locks',
  tasks: {
    Extract: { password: '${SOURCE_PASSWORD}' },
    Login: { token: '${API_TOKEN}' },
    Probe: { apiKey: '${PROBE_KEY}' },
  },
}

/** A project folder with the config, as a data engineer writes it: secrets as `${ENV}` references. */
async function project(name: string): Promise<string> {
  const cwd = path.join(await tempDir('secrets'), name)
  await fs.mkdir(cwd)
  await fs.writeFile(path.join(cwd, 'etl.config.json'), JSON.stringify(CONFIG, null, 2))
  return cwd
}

/** Every file below `dir`, with its bytes: markers, item markers, the lake, locks, a daemon's journal and history. */
async function filesBelow(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const found: { file: string; bytes: Buffer }[] = []
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    found.push({ file, bytes: await fs.readFile(file) })
    found.push({ file: `the name of ${file}`, bytes: Buffer.from(file) })
  }
  return found
}

/** The places, by name, where some secret (or the start of one) shows. */
function leaks(places: Iterable<[string, string | Buffer]>): string[] {
  const found: string[] = []
  for (const [where, content] of places) {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content
    for (const needle of NEEDLES) if (bytes.includes(needle)) found.push(`${where} holds ${JSON.stringify(needle)}`)
  }
  return found
}

async function get(daemon: SchedulerDaemon, url: string): Promise<[string, string]> {
  const response = await fetch(`${daemon.url}${url}`)
  return [`GET ${url} (${response.status})`, await response.text()]
}

/** Every answer of the daemon's UI API a browser could ask for about these runs, searches included. */
async function apiAnswers(daemon: SchedulerDaemon): Promise<[string, string][]> {
  const answers: [string, string][] = []
  for (const url of ['/api/ui/summary', '/api/ui/tasks?limit=1000', '/api/ui/workers', '/api/ui/runs?limit=500', '/api/ui/schedules', '/metrics']) {
    answers.push(await get(daemon, url))
  }
  const ids = [...daemon.scheduler.allTasks()].map((state) => state.id)
  for (const id of ids) {
    answers.push(await get(daemon, `/api/ui/tasks/${encodeURIComponent(id)}`))
    answers.push(await get(daemon, `/api/ui/graph/${encodeURIComponent(id)}?depth=6`))
  }
  const runs = JSON.parse(answers[3]![1]) as { runs: { id: string }[] }
  for (const run of runs.runs) answers.push(await get(daemon, `/api/ui/runs/${encodeURIComponent(run.id)}`))
  return answers
}

/** Searches that would tell, by finding a task or not, what a secret starts with. */
async function searchHits(daemon: SchedulerDaemon): Promise<string[]> {
  const queries = [
    ...NEEDLES,
    `password=${SECRETS.SOURCE_PASSWORD.slice(0, 1)}`,
    `password=${SECRETS.SOURCE_PASSWORD.slice(0, 4)}`,
    `token=${SECRETS.API_TOKEN.slice(0, 3)}`,
    `apiKey=${SECRETS.PROBE_KEY.slice(0, 3)}`,
  ]
  const hits: string[] = []
  for (const q of queries) {
    const [, body] = await get(daemon, `/api/ui/tasks?q=${encodeURIComponent(q)}`)
    const total = (JSON.parse(body) as { total: number }).total
    if (total > 0) hits.push(`?q=${q} finds ${total} task${total === 1 ? '' : 's'}`)
  }
  return hits
}

/** The run history's own rows, as the daemon stores them (not only as the UI shows them). */
async function historyRows(daemon: SchedulerDaemon): Promise<[string, string][]> {
  const history = daemon.history!
  await history.flush()
  const { runs } = await history.runs({ offset: 0, limit: 500 })
  const rows: [string, string][] = [['history runs', JSON.stringify(runs)]]
  for (const run of runs) rows.push([`history attempts of run ${run.id}`, JSON.stringify(await history.attemptsOfRun(run.id, 5000))])
  for (const state of daemon.scheduler.allTasks()) rows.push([`history attempts of ${state.id}`, JSON.stringify(await history.attemptsOfTask(state.id, 100))])
  rows.push(['history schedule runs', JSON.stringify(await history.scheduleRuns({ limit: 100 }))])
  rows.push(['the scheduler’s task states', JSON.stringify([...daemon.scheduler.allTasks()])])
  return rows
}

/** `etl run All` with everything logged, the secrets in the environment only. */
function runAll(cwd: string, tag: string, format: 'text' | 'json', scheduler: string[]): Promise<CliResult> {
  return runCli(['run', 'All', '--tag', tag, '--module', MODULE, '--log-level', 'debug', '--log-format', format, ...scheduler], cwd, { ...SECRETS, ETL_WORKER_TOKEN: TOKEN })
}

function output(name: string, result: CliResult): [string, string][] {
  return [
    [`${name}: stdout`, result.stdout],
    [`${name}: stderr`, result.stderr],
  ]
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

async function startDaemon(t: ExecutionContext, stateDir: string, log: string[]): Promise<SchedulerDaemon> {
  const logger = createLogger({ level: 'debug', format: 'json', write: (line) => log.push(line) })
  const daemon = await startSchedulerDaemon({ port: 0, stateDir, history: { type: 'embedded' }, token: TOKEN, logger, scheduler: { workerTimeoutMs: 5000 } })
  t.teardown(() => daemon.close())
  return daemon
}

test.serial('secrets from ${ENV} in the config reach no file, log line, daemon state, history row or API answer, locally and through the daemon', async (t) => {
  // The daemon starts reruns with its own environment, as it does in production.
  Object.assign(process.env, SECRETS)
  const places: [string, string | Buffer][] = []
  const folders: string[] = []

  // The attack: tasks that echo their secrets everywhere, run in-process and through a real daemon,
  // with text and JSON logs at debug level.
  for (const format of ['text', 'json'] as const) {
    const cwd = await project(`local-${format}`)
    folders.push(cwd)
    const result = await runAll(cwd, format, format, ['--local-scheduler'])
    t.is(result.code, 3, result.stdout + result.stderr)
    places.push(...output(`etl run --local-scheduler --log-format ${format}`, result))
  }
  // The other commands that build the tasks, and show them or a failed check's error.
  const local = folders[0]!
  for (const args of [['deps', 'All', '--tag', 'text'], ['invalidate', 'Extract', '--tag', 'text', '--downstream', '--dry-run'], ['list']]) {
    const result = await runCli([...args, '--module', MODULE], local, SECRETS)
    t.is(result.code, 0, result.stdout + result.stderr)
    places.push(...output(`etl ${args[0]}`, result))
  }

  const stateDir = path.join(await tempDir('secrets-daemon'), 'state')
  const daemonLog: string[] = []
  const daemon = await startDaemon(t, stateDir, daemonLog)
  const daemonProjects: Record<string, string> = {}
  for (const format of ['text', 'json'] as const) {
    const cwd = await project(`daemon-${format}`)
    folders.push(cwd)
    daemonProjects[format] = cwd
    const result = await runAll(cwd, `d${format}`, format, ['--scheduler-url', daemon.url])
    t.is(result.code, 3, result.stdout + result.stderr)
    places.push(...output(`etl run --scheduler-url --log-format ${format}`, result))
  }

  // A rerun from the UI cannot pass the token (the daemon never had it): the run it starts resolves
  // it again from the config and the environment, like any run.
  const login = [...daemon.scheduler.allTasks()].find((state) => state.family === 'Login' && state.params.tag === 'dtext')!
  const response = await fetch(`${daemon.url}/api/actions/rerun`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ taskId: login.id }),
  })
  t.is(response.status, 200, await response.clone().text())
  const ended = await waitFor(
    async () => {
      const [, body] = await get(daemon, `/api/ui/tasks/${encodeURIComponent(login.id)}`)
      const launch = (JSON.parse(body) as { task: { launch: { status: string } | null } }).task.launch
      return launch && launch.status !== 'starting' && launch.status !== 'running' && launch
    },
    90_000,
    () => 'the rerun did not end within 90 s',
  )
  t.like(ended, { status: 'failed', exitCode: 3 }, 'Login fails by design, and its rerun with it')
  const seen = (await fs.readFile(path.join(daemonProjects.text!, 'tokens.log'), 'utf8')).trim().split('\n')
  t.is(seen.length, 4, 'two attempts in the first run, two in the rerun')
  t.true(seen.every((digest) => digest === sha256(SECRETS.API_TOKEN)), 'every attempt, the rerun’s too, got the real token from the environment')

  places.push(...(await apiAnswers(daemon)))
  places.push(...(await historyRows(daemon)))
  const searches = await searchHits(daemon)
  await daemon.close()
  places.push(['the daemon’s log', daemonLog.join('')])
  for (const folder of [...folders, stateDir]) for (const { file, bytes } of await filesBelow(folder)) places.push([file, bytes])

  // What must hold: no secret anywhere, and no search that tells one apart.
  t.deepEqual(leaks(places), [])
  t.deepEqual(searches, [])

  // And the runs did do what the secrets are for, with the parameters shown masked.
  const [, summary] = places.find(([where]) => where === 'etl run --local-scheduler --log-format text: stdout')!
  t.regex(String(summary), /✓ Extract\(tag=text, password=••••\) .* rows=1 note=extracted with ••••/)
  t.regex(String(summary), /✗ Login\(tag=text, token=••••\)[^\n]*\n +login refused for token ••••/)
  t.regex(String(summary), /✗ Probe\(tag=text, apiKey=••••\)\n +checking whether Probe\(tag=text, apiKey=••••\) is complete failed: probe with key •••• was refused/)
  const said = (command: string) => String(places.find(([where]) => where === `etl ${command}: stdout`)![1])
  t.regex(said('deps'), /Probe\(tag=text, apiKey=••••\) {2}\[ERROR checking: probe with key •••• was refused\]/)
  t.regex(said('invalidate'), /would invalidate Extract\(tag=text, password=••••\)/)
  t.regex(said('list'), /--token <secret> \(required\) \[secret/)
  const files = places.filter(([where]) => where.includes(`${path.sep}output${path.sep}`) || where.includes(`${path.sep}completed${path.sep}`) || where.includes(`${path.sep}lake${path.sep}`))
  t.true(files.some(([where]) => where.includes(`${path.sep}lake${path.sep}extract${path.sep}`)), 'the lake was written')
  t.true(files.some(([where]) => where.includes(`${path.sep}completed${path.sep}Login${path.sep}`)), 'Login’s item marker stayed, its task having failed')
  t.true(places.some(([where]) => where.includes(`${path.sep}state${path.sep}`)), 'the daemon’s state and history were written')
})
