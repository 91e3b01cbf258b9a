import path from 'node:path'
import test from 'ava'
import { RemoteScheduler, resolveConfig, startSchedulerDaemon, type TaskRecord } from 'etl'
import { tempDir } from '../helpers/daemon-helpers.js'

const record = (id: string): TaskRecord => ({ id, family: 'A', params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} })

test('scheduler-daemon: binds 127.0.0.1 unless told otherwise and takes its token from the environment', async (t) => {
  const dir = await tempDir('daemon')
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false, env: { ETL_SCHEDULER_TOKEN: 'from-env-long-enough-token' } })
  t.teardown(() => daemon.close())
  t.is(daemon.host, '127.0.0.1')
  t.regex(daemon.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const summary = (await (await fetch(`${daemon.url}/api/ui/summary`)).json()) as { actionsEnabled: boolean }
  t.true(summary.actionsEnabled)
  t.false(JSON.stringify(summary).includes('from-env'), 'the token itself is never shown')
  const refused = await fetch(`${daemon.url}/api/actions/enable`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"taskId":"x"}' })
  t.is(refused.status, 401)
})

test('scheduler-daemon: its state survives a restart, and a second daemon on the same folder is refused', async (t) => {
  const dir = await tempDir('daemon')
  const config = resolveConfig({ scheduler: { stateDir: dir, workerTimeoutMs: 30_000 } })
  const first = await startSchedulerDaemon({ config, port: 0, history: false })
  const scheduler = new RemoteScheduler({ url: first.url, retryAttempts: 2, retryWaitMs: 10 })
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A_1'), record('A_2')] })
  t.is((await scheduler.getWork({ workerId: 'w1' })).taskId, 'A_1')
  const error = await t.throwsAsync(startSchedulerDaemon({ config, port: 0, history: false }))
  t.is((error as { code?: string }).code, 'ETL_ERR_DAEMON_STATE_LOCKED')
  await first.close()
  scheduler.close()

  const second = await startSchedulerDaemon({ config, port: 0, history: false })
  t.teardown(() => second.close())
  t.is(second.scheduler.task('A_1')!.status, 'RUNNING')
  t.is(second.scheduler.task('A_1')!.worker, 'w1')
  t.is(second.scheduler.task('A_2')!.status, 'PENDING')
  t.is(second.scheduler.options.workerTimeoutMs, 30_000, 'tuning comes from the config')
  t.is(path.resolve(second.stateDir), path.resolve(dir))
})

test('scheduler-daemon: a port in use is an error that says so', async (t) => {
  const dir = await tempDir('daemon')
  const first = await startSchedulerDaemon({ port: 0, stateDir: path.join(dir, 'a'), history: false })
  t.teardown(() => first.close())
  const error = await t.throwsAsync(startSchedulerDaemon({ port: first.port, stateDir: path.join(dir, 'b'), history: false }))
  t.is((error as { code?: string }).code, 'ETL_ERR_DAEMON_LISTEN_FAILED')
  t.regex(error!.message, new RegExp(`port ${first.port} is in use`))
})
