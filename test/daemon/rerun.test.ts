import fs from 'node:fs/promises'
import path from 'node:path'
import test, { type ExecutionContext } from 'ava'
import { RemoteScheduler, startSchedulerDaemon, type SchedulerDaemon, type TaskRecord } from 'etl'
import { runCli } from '../helpers/cli.js'
import { FIXTURES, tempDir, waitFor } from '../helpers/daemon-helpers.js'

const TOKEN = 'rerun-token-long-enough'
const MODULE = path.join(FIXTURES, 'rerun-tasks.ts')

async function startDaemon(t: ExecutionContext, stateDir: string): Promise<SchedulerDaemon> {
  const daemon = await startSchedulerDaemon({ port: 0, stateDir, history: false, token: TOKEN, scheduler: { workerTimeoutMs: 5000 } })
  t.teardown(() => daemon.close())
  return daemon
}

async function rerun(daemon: SchedulerDaemon, taskId: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${daemon.url}/api/actions/rerun`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ taskId }),
  })
  return { status: response.status, body: await response.json() }
}

async function detail(daemon: SchedulerDaemon, taskId: string): Promise<any> {
  return ((await (await fetch(`${daemon.url}/api/ui/tasks/${encodeURIComponent(taskId)}`)).json()) as { task: unknown }).task
}

/** Waits until the task's last rerun has ended, and returns the task as its page gets it. */
async function launchEnded(daemon: SchedulerDaemon, taskId: string): Promise<any> {
  return waitFor(
    async () => {
      const task = await detail(daemon, taskId)
      return task.launch && task.launch.status !== 'starting' && task.launch.status !== 'running' && task
    },
    90_000,
    () => `the rerun of ${taskId} did not end within 90 s`,
  )
}

/** `etl run Touch` from `cwd` with the fixture module, against the daemon, as a person starts it. */
async function runTouch(daemon: SchedulerDaemon, cwd: string, label: string) {
  return runCli(['run', 'Touch', '--label', label, '--module', MODULE, '--scheduler-url', daemon.url], cwd, { ETL_WORKER_TOKEN: TOKEN })
}

async function touches(cwd: string): Promise<string[]> {
  return (await fs.readFile(path.join(cwd, 'touched.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean)
}

/** Registers one task the way a worker of `origin` would, then leaves, so no live worker holds it. */
async function register(daemon: SchedulerDaemon, task: Partial<TaskRecord> & { id: string }, origin?: { module: string; cwd: string }): Promise<void> {
  const scheduler = new RemoteScheduler({ url: daemon.url, retryAttempts: 3, retryWaitMs: 50, workerToken: TOKEN })
  const record: TaskRecord = { family: task.id.split('_')[0]!, params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {}, ...task }
  await scheduler.addTasks({ workerId: `w-${task.id}`, tasks: [record], ...(origin ? { origin } : {}) })
  await scheduler.workerStopped({ workerId: `w-${task.id}` })
  scheduler.close()
}

function touchId(label: string): string {
  return `Touch_${label}`
}

test('rerun: a task registered from another folder with its own module is rerun in that folder with that module', async (t) => {
  const dir = await tempDir('rerun')
  const project = path.join(dir, 'project')
  await fs.mkdir(project)
  const daemon = await startDaemon(t, path.join(dir, 'state'))
  await fs.writeFile(path.join(project, 'broken'), '')
  const first = await runTouch(daemon, project, 'a')
  t.is(first.code, 3, first.stdout + first.stderr)
  const [task] = [...daemon.scheduler.allTasks()].filter((state) => state.family === 'Touch')
  t.like(task, { status: 'FAILED', origin: { module: MODULE, cwd: project } })
  const page = await detail(daemon, task!.id)
  t.deepEqual(page.origin, { module: MODULE, cwd: project, config: null }, 'the task page says where it came from')

  await fs.rm(path.join(project, 'broken'))
  const answer = await rerun(daemon, task!.id)
  t.is(answer.status, 200, JSON.stringify(answer.body))
  t.like(answer.body.result, { taskId: task!.id, status: 'PENDING', launch: { status: 'starting', invalidateFirst: false } })
  const ended = await launchEnded(daemon, task!.id)
  t.like(ended, { status: 'DONE', launch: { status: 'succeeded', exitCode: 0, registered: true } }, JSON.stringify(ended.launch))
  const lines = await touches(project)
  t.is(lines.length, 2, 'the rerun ran the task, in the folder it was registered from')
  t.not(lines[0]!.split(' ')[1], lines[1]!.split(' ')[1], 'in a new process')
  await t.throwsAsync(fs.access(path.join(process.cwd(), 'touched.log')), undefined, 'nothing ran in the daemon’s folder')
})

test('rerun: a DONE task is invalidated first and runs again, and its status goes back to PENDING meanwhile', async (t) => {
  const dir = await tempDir('rerun')
  const daemon = await startDaemon(t, path.join(dir, 'state'))
  const first = await runTouch(daemon, dir, 'b')
  t.is(first.code, 0, first.stdout + first.stderr)
  const id = [...daemon.scheduler.allTasks()].find((state) => state.family === 'Touch')!.id
  t.is(daemon.scheduler.task(id)!.status, 'DONE')

  const answer = await rerun(daemon, id)
  t.is(answer.status, 200, JSON.stringify(answer.body))
  t.like(answer.body.result, { status: 'PENDING', launch: { invalidateFirst: true } }, 'the UI no longer shows it DONE')
  const ended = await launchEnded(daemon, id)
  t.like(ended, { status: 'DONE', launch: { status: 'succeeded', invalidateFirst: true } }, JSON.stringify(ended.launch))
  t.regex(ended.launch.outputTail, /invalidated Touch\(label=b\)/)
  t.is((await touches(dir)).length, 2, 'it ran again rather than being found complete')
})

test('rerun: a launch that fails shows its exit code and output on the task, secrets masked, and survives a restart', async (t) => {
  const dir = await tempDir('rerun')
  const stateDir = path.join(dir, 'state')
  const daemon = await startDaemon(t, stateDir)
  const missing = path.join(dir, 'password=hunter2', 'missing.ts')
  await register(daemon, { id: 'Touch_gone', params: { label: 'gone' } }, { module: missing, cwd: dir })

  const answer = await rerun(daemon, 'Touch_gone')
  t.is(answer.status, 200, 'the process started; its failure comes after')
  t.is(answer.body.result.launch.status, 'starting', 'not "running": its worker has not registered')
  const ended = await launchEnded(daemon, 'Touch_gone')
  t.like(ended.launch, { status: 'failed', exitCode: 5, registered: false })
  t.regex(ended.launch.message, /the run step exited with code 5/)
  t.regex(ended.launch.outputTail, /task module .*password=\*\*\* does not exist; check the --module path/)
  t.false(JSON.stringify(ended).includes('hunter2'), 'secrets in the output are masked')
  t.is(ended.status, 'FAILED', 'nobody will run it, so it is not left PENDING')
  t.like(ended.error, { code: 'ETL_ERR_DAEMON_LAUNCH_FAILED' })
  t.regex(ended.error.message, /ended before its worker registered: the run step exited with code 5/)

  await daemon.close()
  const again = await startDaemon(t, stateDir)
  const restored = await detail(again, 'Touch_gone')
  t.like(restored, { status: 'FAILED', origin: { module: path.join(dir, 'password=***'), cwd: dir }, launch: { status: 'failed', exitCode: 5 } })
  t.regex(restored.launch.outputTail, /does not exist/)
  t.like(again.scheduler.task('Touch_gone')!.origin, { module: missing }, 'the origin itself is kept; only the page masks it')
})

test('rerun: a folder that is gone fails the action with what to do, and the task shows it', async (t) => {
  const dir = await tempDir('rerun')
  const daemon = await startDaemon(t, path.join(dir, 'state'))
  const gone = path.join(dir, 'moved-away')
  await register(daemon, { id: 'Touch_moved', params: { label: 'moved' } }, { module: MODULE, cwd: gone })
  const answer = await rerun(daemon, 'Touch_moved')
  t.is(answer.status, 500)
  t.is(answer.body.error.code, 'ETL_ERR_DAEMON_LAUNCH_FAILED')
  t.regex(answer.body.error.message, /could not start the rerun of Touch_moved in .*moved-away: .*does not exist .*start the task with etl run by hand/)
  const task = await detail(daemon, 'Touch_moved')
  t.like(task, { status: 'FAILED', launch: { status: 'failed', registered: false } })
})

test('rerun: parameters named like etl’s own options are refused, and so is a task whose worker did not say where it came from', async (t) => {
  const dir = await tempDir('rerun')
  const daemon = await startDaemon(t, path.join(dir, 'state'))
  await register(daemon, { id: 'Evil_1', status: 'FAILED', params: { module: path.join(dir, 'evil.ts') } }, { module: MODULE, cwd: dir })
  const refused = await rerun(daemon, 'Evil_1')
  t.is(refused.status, 400)
  t.regex(refused.body.error.message, /Evil has a parameter named "module", the name of one of etl's own options/)
  t.like(await detail(daemon, 'Evil_1'), { status: 'FAILED', launch: null }, 'nothing was changed or started')

  await register(daemon, { id: 'Shouty_1', params: { LogLevel: 'x' } }, { module: MODULE, cwd: dir })
  t.regex((await rerun(daemon, 'Shouty_1')).body.error.message, /parameter named "LogLevel"/, 'whatever its case')

  await register(daemon, { id: 'Old_1' })
  const unknown = await rerun(daemon, 'Old_1')
  t.is(unknown.status, 400)
  t.regex(unknown.body.error.message, /Old_1 cannot be rerun from here: no worker that registered it said which module and folder/)
})
