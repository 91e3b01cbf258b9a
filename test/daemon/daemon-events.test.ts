import test from 'ava'
import { CentralScheduler, EventHub, ScheduleRunner, onRunEvent, type LaunchedRun, type RunEvent, type RunExit } from 'etl'
import { feedDaemonEvents } from '../../src/daemon/daemon-events.js'

const UI = (taskId?: string) => `http://127.0.0.1:8082/#/${taskId ? `task/${taskId}` : 'schedules'}`

function hub() {
  const events = new EventHub()
  const heard: RunEvent[] = []
  events.subscribe(onRunEvent('all', (event) => void heard.push(event)))
  return { events, heard }
}

function scheduleRunner(exit: Promise<RunExit>) {
  const clock = { time: Date.UTC(2024, 0, 31, 9, 30), now() { return this.time } }
  const runner = new ScheduleRunner({
    schedules: [{ name: 'nightly', cron: '0 2 * * *', task: 'RunJob', timezone: 'UTC' }],
    runCommand: ['node', 'bin/etl.js'],
    schedulerUrl: () => 'http://127.0.0.1:8082',
    record: () => {},
    clock,
    launcher: (): LaunchedRun => ({ pid: 1, exited: exit }),
  })
  return { runner, clock }
}

test('the daemon tells when it disables a task, with the last error and a link to the task’s page', async (t) => {
  const { events, heard } = hub()
  const scheduler = new CentralScheduler({ disableAfterFailures: 1 })
  feedDaemonEvents(events, scheduler, undefined, UI)
  await scheduler.addTasks({ workerId: 'w1', tasks: [{ id: 'Load_1', family: 'Load', params: { day: '2024-01-31' }, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} }] })
  await scheduler.getWork({ workerId: 'w1' })
  await scheduler.taskFinished({ workerId: 'w1', taskId: 'Load_1', lease: scheduler.task('Load_1')!.lease ?? '', status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1, error: { message: 'the source is down\nat line 2' } })
  await events.settle()
  t.is(heard.length, 1)
  t.like(heard[0], { event: 'disabled', task: { id: 'Load_1', label: 'Load(day=2024-01-31)', family: 'Load' }, link: 'http://127.0.0.1:8082/#/task/Load_1' })
  t.regex(heard[0]!.error!, /disabled after failing too often; enable it in the UI once fixed\. Last error: the source is down$/)
})

test('a task that fails without being disabled is no daemon event: its worker tells', async (t) => {
  const { events, heard } = hub()
  const scheduler = new CentralScheduler({ disableAfterFailures: 3 })
  feedDaemonEvents(events, scheduler, undefined, UI)
  await scheduler.addTasks({ workerId: 'w1', tasks: [{ id: 'A', family: 'A', params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} }] })
  await scheduler.getWork({ workerId: 'w1' })
  await scheduler.taskFinished({ workerId: 'w1', taskId: 'A', lease: scheduler.task('A')!.lease ?? '', status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1, error: { message: 'boom' } })
  await events.settle()
  t.deepEqual(heard, [])
})

test('each scheduled run missed while the daemon was down is a schedule_missed event', async (t) => {
  const { events, heard } = hub()
  const { runner } = scheduleRunner(new Promise(() => {}))
  feedDaemonEvents(events, new CentralScheduler(), runner, UI)
  runner.restore({ lastDue: { nightly: Date.UTC(2024, 0, 29, 2) }, running: [] })
  runner.check()
  await events.settle()
  t.deepEqual(
    heard.map((event) => [event.event, event.schedule, event.run, event.link]),
    [
      ['schedule_missed', 'nightly', 'nightly: RunJob', 'http://127.0.0.1:8082/#/schedules'],
      ['schedule_missed', 'nightly', 'nightly: RunJob', 'http://127.0.0.1:8082/#/schedules'],
    ],
  )
  t.regex(heard[0]!.error!, /due at 2024-01-30T02:00:00.000Z while the daemon was not running; not run/)
})

test('a scheduled run killed before its end is reported by the daemon, one that exits on its own is not', async (t) => {
  for (const [exit, expected] of [
    [{ code: null, signal: 'SIGKILL' as const, outputTail: '' }, 1],
    [{ code: 3, signal: null, outputTail: 'exit code 3' }, 0],
  ] as const) {
    const { events, heard } = hub()
    const { runner, clock } = scheduleRunner(Promise.resolve(exit))
    feedDaemonEvents(events, new CentralScheduler(), runner, UI)
    clock.time = Date.UTC(2024, 0, 31, 1, 59)
    runner.check()
    clock.time = Date.UTC(2024, 0, 31, 2, 0, 1)
    runner.check()
    await runner.idle()
    await new Promise((resolve) => setImmediate(resolve))
    await events.settle()
    t.is(heard.length, expected, JSON.stringify(exit))
    if (expected) t.like(heard[0], { event: 'run_finished', schedule: 'nightly', exitCode: 1 })
  }
})
