import test from 'ava'
import { ScheduleRunner, type LaunchedRun, type RunSpec, type ScheduleRunRecord } from 'etl'
import { runArguments } from '../../src/daemon/schedules/run-arguments.js'

const T0 = Date.UTC(2024, 0, 31, 1, 59, 0)

function setup(schedules: ConstructorParameters<typeof ScheduleRunner>[0]['schedules']) {
  const clock = { time: T0, now() { return this.time } }
  const records: ScheduleRunRecord[] = []
  const launched: RunSpec[] = []
  const exits: ((code: number) => void)[] = []
  const runner = new ScheduleRunner({
    schedules,
    runCommand: ['node', 'bin/etl.js'],
    schedulerUrl: () => 'http://127.0.0.1:8082',
    record: (record) => records.push(record),
    clock,
    launcher: (spec): LaunchedRun => {
      launched.push(spec)
      return { pid: 123, exited: new Promise((resolve) => exits.push((code) => resolve({ code, signal: null, outputTail: `ran ${spec.task}` }))) }
    },
  })
  return { clock, records, launched, exits, runner }
}

test('schedule-runner: a due run starts a worker with the task, its parameters and the daemon url', async (t) => {
  const { clock, records, launched, exits, runner } = setup([{ name: 'nightly', cron: '0 2 * * *', task: 'RunJob', params: { date: '2024-01-31', full: true }, timezone: 'UTC' }])
  t.is(runner.check(), Date.UTC(2024, 0, 31, 2, 0, 0), 'the first check only starts counting')
  t.is(launched.length, 0)
  clock.time = Date.UTC(2024, 0, 31, 2, 0, 1)
  runner.check()
  t.is(launched.length, 1)
  t.like(launched[0], { task: 'RunJob', params: { date: '2024-01-31', full: true }, schedulerUrl: 'http://127.0.0.1:8082', command: ['node', 'bin/etl.js'] })
  t.like(records[0], { schedule: 'nightly', status: 'running', dueAt: Date.UTC(2024, 0, 31, 2) })
  exits[0]!(0)
  await runner.idle()
  await new Promise((resolve) => setImmediate(resolve))
  t.like(records[1], { schedule: 'nightly', status: 'succeeded', exitCode: 0, outputTail: 'ran RunJob' })
})

test('schedule-runner: a run whose previous one is still going is skipped and recorded', async (t) => {
  const { clock, records, launched, exits, runner } = setup([{ name: 'hourly', cron: '0 * * * *', task: 'Sync', timezone: 'UTC' }])
  runner.check()
  clock.time = Date.UTC(2024, 0, 31, 2, 0, 0)
  runner.check()
  clock.time = Date.UTC(2024, 0, 31, 3, 0, 0)
  runner.check()
  t.is(launched.length, 1)
  t.like(records.at(-1), { status: 'skipped', dueAt: Date.UTC(2024, 0, 31, 3) })
  t.regex(records.at(-1)!.message!, /previous run hourly@\d+ .* was still going/)
  exits[0]!(1)
  await runner.idle()
  await new Promise((resolve) => setImmediate(resolve))
  t.like(records.at(-1), { status: 'failed', exitCode: 1 })
  clock.time = Date.UTC(2024, 0, 31, 4, 0, 0)
  runner.check()
  t.is(launched.length, 2, 'the next one runs again')
})

test('schedule-runner: runs due while the daemon was down are reported as missed, not run', async (t) => {
  const { clock, records, launched, runner } = setup([{ name: 'nightly', cron: '0 2 * * *', task: 'RunJob', timezone: 'UTC' }])
  runner.restore({ lastDue: { nightly: Date.UTC(2024, 0, 28, 2) }, running: [] })
  clock.time = Date.UTC(2024, 0, 31, 9, 30)
  runner.check()
  t.is(launched.length, 0)
  t.deepEqual(
    records.map((record) => [record.status, new Date(record.dueAt).toISOString()]),
    [
      ['missed', '2024-01-29T02:00:00.000Z'],
      ['missed', '2024-01-30T02:00:00.000Z'],
      ['missed', '2024-01-31T02:00:00.000Z'],
    ],
  )
  t.is(runner.list()[0]!.nextRunAt, Date.UTC(2024, 1, 1, 2))
  // A run due a moment before the daemon came back still runs.
  clock.time = Date.UTC(2024, 1, 1, 2, 0, 30)
  runner.check()
  t.is(launched.length, 1)
})

test('schedule-runner: triggering an unknown schedule names the known ones', (t) => {
  const { runner } = setup([{ name: 'nightly', cron: '0 2 * * *', task: 'RunJob' }])
  const error = t.throws(() => runner.trigger('nighty'))
  t.is((error as { code?: string }).code, 'ETL_ERR_DAEMON_SCHEDULE_UNKNOWN')
  t.regex(error!.message, /known: nightly/)
})

const ORIGIN = { module: '/srv/project/etl/tasks.ts', cwd: '/srv/project', config: '/srv/project/prod.json' }

test('schedule-runner: a rerun of a DONE task runs etl invalidate, then etl run, in its folder with its module and config', async (t) => {
  const { records, launched, exits, runner } = setup([])
  const { record, launched: child } = runner.runTask({ taskId: 'Load_x', family: 'Load', params: { date: '2024-01-31' }, origin: ORIGIN, invalidateFirst: true })
  t.truthy(child)
  t.like(record, { status: 'running', taskId: 'Load_x', invalidateFirst: true, schedule: 'rerun:Load_x' })
  t.like(launched[0], { step: 'invalidate', task: 'Load', params: { date: '2024-01-31' }, cwd: ORIGIN.cwd, module: ORIGIN.module, config: ORIGIN.config })
  t.truthy(runner.runningTask('Load_x'), 'a second rerun of it can see this one going')
  exits[0]!(0)
  await waitUntil(() => launched.length === 2)
  t.like(launched[1], { step: 'run', cwd: ORIGIN.cwd, module: ORIGIN.module, runId: launched[0]!.runId })
  exits[1]!(0)
  await runner.idle()
  await new Promise((resolve) => setImmediate(resolve))
  t.like(records.at(-1), { status: 'succeeded', taskId: 'Load_x', outputTail: 'ran Loadran Load' })
  t.is(runner.runningTask('Load_x'), undefined)
})

test('schedule-runner: a rerun whose invalidate step fails does not run the task, and says which step failed', async (t) => {
  const { records, launched, exits, runner } = setup([])
  runner.runTask({ taskId: 'Load_x', family: 'Load', params: {}, origin: ORIGIN, invalidateFirst: true })
  exits[0]!(5)
  await runner.idle()
  await new Promise((resolve) => setImmediate(resolve))
  t.is(launched.length, 1)
  t.like(records.at(-1), { status: 'failed', exitCode: 5, message: 'the invalidate step exited with code 5', taskId: 'Load_x' })
})

test('schedule-runner: a rerun that cannot start is recorded as failed, for its task', (t) => {
  const runner = new ScheduleRunner({
    schedules: [],
    runCommand: ['node'],
    schedulerUrl: () => 'http://127.0.0.1:8082',
    launcher: () => {
      throw new Error('no such folder')
    },
  })
  const records: ScheduleRunRecord[] = []
  runner.onRecord((record) => records.push(record))
  const { record, launched } = runner.runTask({ taskId: 'Load_x', family: 'Load', params: {}, origin: ORIGIN, invalidateFirst: false })
  t.is(launched, undefined)
  t.like(record, { status: 'failed', taskId: 'Load_x', message: 'could not start the run: no such folder' })
  t.deepEqual(records, [record])
})

test('schedule-runner: parameters are passed as --name=value, so no value can become an option, and no name can be one', (t) => {
  const spec: RunSpec = { command: ['etl'], task: 'Load', params: { date: '--module', note: 'a=b c' }, schedulerUrl: 'http://d', runId: 'r', runLabel: 'l', module: '/m.ts' }
  t.deepEqual(runArguments(spec), ['run', 'Load', '--date=--module', '--note=a=b c', '--module=/m.ts', '--scheduler-url', 'http://d'])
  t.deepEqual(runArguments({ ...spec, step: 'invalidate', config: '/c.json' }), ['invalidate', 'Load', '--date=--module', '--note=a=b c', '--module=/m.ts', '--config=/c.json'])
  for (const name of ['module', 'config', 'schedulerUrl', 'Workers', 'h', 'help']) {
    const error = t.throws(() => runArguments({ ...spec, params: { [name]: 'x' } }), undefined, name)
    t.regex(error!.message, new RegExp(`parameter named "${name}", the name of one of etl's own options`))
  }
  for (const name of ['module=/evil.ts', 'no-lock', 'a.b', '_']) {
    t.regex(t.throws(() => runArguments({ ...spec, params: { [name]: 'x' } }))!.message, /is not a plain name/, name)
  }
})

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve))
}
