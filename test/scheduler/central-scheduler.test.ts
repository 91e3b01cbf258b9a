import test from 'ava'
import { CentralScheduler, type SchedulerEvent, type SchedulerOp, type TaskRecord } from 'etl'

class FakeClock {
  time = 1_000_000
  now = (): number => this.time
  advance(ms: number): void {
    this.time += ms
  }
}

function record(id: string, deps: string[] = [], extra: Partial<TaskRecord> = {}): TaskRecord {
  return { id, family: id.split('_')[0]!, params: {}, kind: 'task', deps, status: 'PENDING', priority: 0, resources: {}, ...extra }
}

/** The lease the running attempt of `taskId` was given, as its worker would present it. */
function leaseOf(scheduler: CentralScheduler, taskId: string): string {
  return scheduler.task(taskId)?.lease ?? ''
}

function setup(options: ConstructorParameters<typeof CentralScheduler>[0] = {}) {
  const clock = new FakeClock()
  const ops: SchedulerOp[] = []
  const events: SchedulerEvent[] = []
  const scheduler = new CentralScheduler({
    clock,
    journal: { append: (op) => ops.push(structuredClone(op)) },
    listener: (event) => events.push(event),
    workerTimeoutMs: 1000,
    retryDelayMs: 5000,
    ...options,
  })
  return { clock, ops, events, scheduler }
}

async function finish(scheduler: CentralScheduler, workerId: string, taskId: string, status: 'DONE' | 'FAILED' = 'DONE') {
  await scheduler.taskFinished({
    workerId,
    taskId,
    lease: leaseOf(scheduler, taskId),
    status,
    startedAt: 1,
    endedAt: 2,
    attempts: 1,
    ...(status === 'FAILED' ? { error: { message: 'boom', stack: 'Error: boom\n  at x' } } : {}),
  })
}

test('central-scheduler: a task two workers registered is handed out once', async (t) => {
  const { scheduler } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A')] })
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('A')] })
  t.like(await scheduler.getWork({ workerId: 'w1' }), { taskId: 'A', done: false })
  t.deepEqual(await scheduler.getWork({ workerId: 'w2' }), { taskId: null, done: false })
  await finish(scheduler, 'w1', 'A')
  t.deepEqual(await scheduler.getWork({ workerId: 'w2' }), { taskId: null, done: true })
})

test('central-scheduler: a worker that stops calling loses its task to another worker after the timeout', async (t) => {
  const { scheduler, clock, events } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A')] })
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('A')] })
  const first = await scheduler.getWork({ workerId: 'w1' })
  t.is(first.taskId, 'A')
  clock.advance(600)
  await scheduler.ping({ workerId: 'w2' })
  scheduler.maintain()
  t.is(scheduler.task('A')!.status, 'RUNNING')
  clock.advance(600)
  await scheduler.ping({ workerId: 'w2' })
  scheduler.maintain()
  t.is(scheduler.task('A')!.status, 'PENDING')
  t.is(scheduler.worker('w1')!.state, 'lost')
  t.is((await scheduler.getWork({ workerId: 'w2' })).taskId, 'A')
  const lost = events.find((event) => event.type === 'attempt' && event.attempt.status === 'LOST')
  t.truthy(lost)
  // The lost worker's late report, with the lease it was given, is refused and changes nothing.
  const late = { workerId: 'w1', taskId: 'A', lease: first.lease!, status: 'FAILED', startedAt: 1, endedAt: 2, attempts: 1 } as const
  await t.throwsAsync(scheduler.taskFinished(late), { code: 'ETL_ERR_DAEMON_LEASE_INVALID' })
  t.is(scheduler.task('A')!.status, 'RUNNING')
  t.is(scheduler.task('A')!.worker, 'w2')
})

test('central-scheduler: a failed task is retried after the delay, then disabled when it fails too often', async (t) => {
  const { scheduler, clock } = setup({ disableAfterFailures: 3, disableWindowMs: 60_000 })
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('B', ['A']), record('A')] })
  for (let failure = 1; failure <= 2; failure++) {
    t.is((await scheduler.getWork({ workerId: 'w1' })).taskId, 'A')
    await finish(scheduler, 'w1', 'A', 'FAILED')
    t.is(scheduler.task('A')!.status, 'FAILED')
    t.is(scheduler.task('B')!.status, 'UPSTREAM_FAILED')
    clock.advance(4000)
    await scheduler.ping({ workerId: 'w1' })
    scheduler.maintain()
    t.is(scheduler.task('A')!.status, 'FAILED', 'not before the retry delay')
    clock.advance(1001)
    await scheduler.ping({ workerId: 'w1' })
    scheduler.maintain()
    t.is(scheduler.task('A')!.status, 'PENDING')
    t.is(scheduler.task('B')!.status, 'PENDING', 'its dependent is unblocked with it')
  }
  t.is((await scheduler.getWork({ workerId: 'w1' })).taskId, 'A')
  await finish(scheduler, 'w1', 'A', 'FAILED')
  t.is(scheduler.task('A')!.status, 'DISABLED')
  clock.advance(10_000)
  await scheduler.ping({ workerId: 'w1' })
  scheduler.maintain()
  t.is(scheduler.task('A')!.status, 'DISABLED', 'a disabled task waits for a person')
  t.is(scheduler.act('enable', 'A'), 'PENDING')
  t.is(scheduler.task('B')!.status, 'PENDING')
  t.is((await scheduler.getWork({ workerId: 'w1' })).taskId, 'A')
  await finish(scheduler, 'w1', 'A')
  t.is((await scheduler.getWork({ workerId: 'w1' })).taskId, 'B')
})

test('central-scheduler: forgive retries a failed task at once', async (t) => {
  const { scheduler } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A')] })
  await scheduler.getWork({ workerId: 'w1' })
  await finish(scheduler, 'w1', 'A', 'FAILED')
  t.is(scheduler.act('enable', 'A'), 'FAILED', 'enable only applies to disabled tasks')
  t.is(scheduler.act('forgive', 'A'), 'PENDING')
  t.is(scheduler.act('forgive', 'nope'), undefined)
})

test('central-scheduler: a new run re-registering a failed dependency reopens the whole branch', async (t) => {
  const { scheduler } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('Root', ['Mid']), record('Mid', ['Leaf']), record('Leaf')] })
  await scheduler.getWork({ workerId: 'w1' })
  await finish(scheduler, 'w1', 'Leaf', 'FAILED')
  await scheduler.workerStopped({ workerId: 'w1' })
  t.is(scheduler.task('Root')!.status, 'UPSTREAM_FAILED')
  // Discovery order puts the root first: it must not stay blocked once the leaf reopens.
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('Root', ['Mid']), record('Mid', ['Leaf']), record('Leaf')] })
  t.is(scheduler.task('Root')!.status, 'PENDING')
  t.is(scheduler.task('Mid')!.status, 'PENDING')
  for (const id of ['Leaf', 'Mid', 'Root']) {
    t.is((await scheduler.getWork({ workerId: 'w2' })).taskId, id)
    await finish(scheduler, 'w2', id)
  }
  t.true((await scheduler.getWork({ workerId: 'w2' })).done)
})

test('central-scheduler: a retried getWork with the same request id gets the same task again', async (t) => {
  const { scheduler } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A'), record('B')] })
  const first = await scheduler.getWork({ workerId: 'w1', requestId: 'r1' })
  const again = await scheduler.getWork({ workerId: 'w1', requestId: 'r1' })
  t.deepEqual(again, first)
  const next = await scheduler.getWork({ workerId: 'w1', requestId: 'r2' })
  t.not(next.taskId, first.taskId)
})

test('central-scheduler: replaying the journal over a snapshot rebuilds the same state', async (t) => {
  const { scheduler, ops, clock } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('C', ['A', 'B']), record('A'), record('B')] })
  const snapshot = structuredClone(scheduler.snapshot())
  const journalStart = ops.length
  await scheduler.getWork({ workerId: 'w1', requestId: 'x1' })
  await finish(scheduler, 'w1', 'A')
  const second = await scheduler.getWork({ workerId: 'w1', requestId: 'x2' })
  await finish(scheduler, 'w1', 'B', 'FAILED')
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('D', ['C'])] })
  clock.advance(100)

  const copy = new CentralScheduler({ clock, workerTimeoutMs: 1000, retryDelayMs: 5000 })
  copy.restore(snapshot)
  for (const op of ops.slice(journalStart)) copy.replay(op)
  for (const id of ['A', 'B', 'C', 'D']) {
    t.is(copy.task(id)!.status, scheduler.task(id)!.status, id)
    t.is(copy.task(id)!.updatedAt, scheduler.task(id)!.updatedAt, id)
  }
  t.is(copy.task('B')!.retryAt, scheduler.task('B')!.retryAt)
  t.deepEqual(await copy.getWork({ workerId: 'w1', requestId: 'x2' }), { taskId: 'B', done: false, lease: second.lease })
  t.is(copy.task('B')!.lease, scheduler.task('B')!.lease, 'the lease comes back with the replay')
  t.deepEqual(copy.snapshot().runs, scheduler.snapshot().runs)
})

test('central-scheduler: finished work no live worker needs is forgotten after the remove delay', async (t) => {
  const { scheduler, clock } = setup({ removeDelayMs: 10_000 })
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('B', ['A']), record('A')] })
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('X')] })
  await scheduler.getWork({ workerId: 'w1' })
  await finish(scheduler, 'w1', 'A', 'FAILED')
  await scheduler.workerStopped({ workerId: 'w1' })
  clock.advance(9000)
  await scheduler.ping({ workerId: 'w2' })
  scheduler.maintain()
  t.truthy(scheduler.task('A'))
  clock.advance(1001)
  await scheduler.ping({ workerId: 'w2' })
  scheduler.maintain()
  t.is(scheduler.task('A'), undefined)
  t.is(scheduler.task('B'), undefined)
  t.truthy(scheduler.task('X'), 'a task a live worker registered stays')
  t.is(scheduler.worker('w1'), undefined, 'so does the stopped worker')
  t.truthy(scheduler.worker('w2'))
})

test('central-scheduler: the log tail keeps the last lines and arrives with the end of the task', async (t) => {
  const { scheduler, events } = setup({ logTailLines: 3 })
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A')] })
  await scheduler.getWork({ workerId: 'w1' })
  await scheduler.taskLog({ workerId: 'w1', taskId: 'A', lease: leaseOf(scheduler, 'A'), lines: [1, 2, 3].map((n) => ({ at: n, level: 'info', message: `line ${n}` })) })
  await scheduler.taskFinished({ workerId: 'w1', taskId: 'A', lease: leaseOf(scheduler, 'A'), status: 'DONE', startedAt: 1, endedAt: 2, attempts: 1, log: [{ at: 4, level: 'info', message: 'line 4' }] })
  t.deepEqual(scheduler.task('A')!.log!.map((line) => line.message), ['line 2', 'line 3', 'line 4'])
  const ended = events.filter((event) => event.type === 'attempt' && event.attempt.status === 'DONE')
  t.is(ended.length, 1)
})

test('central-scheduler: a named resource caps concurrency across all workers', async (t) => {
  const { scheduler } = setup({ resources: { db: 2 } })
  const tasks = ['A', 'B', 'C'].map((id) => record(id, [], { resources: { db: 1 } }))
  for (const workerId of ['w1', 'w2', 'w3']) await scheduler.addTasks({ workerId, tasks })
  t.truthy((await scheduler.getWork({ workerId: 'w1' })).taskId)
  t.truthy((await scheduler.getWork({ workerId: 'w2' })).taskId)
  t.deepEqual(await scheduler.getWork({ workerId: 'w3' }), { taskId: null, done: false }, 'both units of db are held')
  t.deepEqual(scheduler.resourceUsage(), { db: { used: 2, capacity: 2 } })
  const held = [...scheduler.allTasks()].find((state) => state.worker === 'w1')!
  await finish(scheduler, 'w1', held.id)
  t.truthy((await scheduler.getWork({ workerId: 'w3' })).taskId)
})

const HERE = { module: '/srv/etl/tasks/index.ts', cwd: '/srv/etl' }
const ELSEWHERE = { module: '/home/me/copy/tasks/index.ts', cwd: '/home/me/copy', config: '/home/me/copy/dev.json' }

test('central-scheduler: the first worker to say where a task comes from wins, and the origin survives a snapshot and the journal', async (t) => {
  const { scheduler, ops } = setup()
  await scheduler.addTasks({ workerId: 'w0', tasks: [record('A')] })
  t.is(scheduler.task('A')!.origin, undefined, 'a worker that does not say leaves it unknown')
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A'), record('B')], origin: HERE })
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('B'), record('C')], origin: ELSEWHERE })
  t.deepEqual(scheduler.task('A')!.origin, HERE)
  t.deepEqual(scheduler.task('B')!.origin, HERE, 'a later registration from elsewhere does not move it')
  t.deepEqual(scheduler.task('C')!.origin, ELSEWHERE)

  const snapshot = structuredClone(scheduler.snapshot())
  t.is(snapshot.origins!.length, 2, 'each origin is written once, whatever the number of tasks')
  const restored = new CentralScheduler()
  restored.restore(snapshot)
  t.deepEqual(restored.task('B')!.origin, HERE)
  t.deepEqual(restored.task('C')!.origin, ELSEWHERE)
  const replayed = new CentralScheduler()
  for (const op of ops) replayed.replay(op)
  t.deepEqual(replayed.task('A')!.origin, HERE)
})

test('central-scheduler: a snapshot from before origins and launches were kept still loads', (t) => {
  const scheduler = new CentralScheduler()
  const old = {
    version: 1 as const,
    tasks: [
      {
        id: 'A', family: 'A', params: {}, kind: 'task' as const, priority: 0, resources: {}, deps: [], status: 'DONE' as const, known: true, workers: ['w1'],
        worker: undefined, seq: 0, addedAt: 1, updatedAt: 2, startedAt: 1, endedAt: 2, attempts: 1, progress: undefined, result: null, error: undefined, failures: [], retryAt: undefined,
      },
    ],
    workers: [],
    runs: [],
    lastGetWork: [],
  }
  scheduler.restore(JSON.parse(JSON.stringify(old)))
  t.like(scheduler.task('A'), { status: 'DONE', origin: undefined, launch: undefined })
  t.is(scheduler.rerun('A'), 'PENDING')
})

test('central-scheduler: a rerun of a DONE task puts it back to PENDING, and what requires it waits for it again', async (t) => {
  const { scheduler, ops } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('B', ['A']), record('C', ['A']), record('A')] })
  for (const id of ['A', 'B']) {
    t.is((await scheduler.getWork({ workerId: 'w1' })).taskId, id)
    await finish(scheduler, 'w1', id)
  }
  await scheduler.workerStopped({ workerId: 'w1' })
  t.is(scheduler.task('C')!.status, 'PENDING')
  t.is(scheduler.rerun('A'), 'PENDING')
  t.is(scheduler.task('B')!.status, 'DONE', 'what depends on it is not invalidated with it')
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('C', ['A']), record('A')] })
  t.is((await scheduler.getWork({ workerId: 'w2' })).taskId, 'A', 'C waits for A to run again')
  t.is((await scheduler.getWork({ workerId: 'w2' })).taskId, null)
  await finish(scheduler, 'w2', 'A')
  t.is((await scheduler.getWork({ workerId: 'w2' })).taskId, 'C')

  const replayed = new CentralScheduler()
  for (const op of ops) replayed.replay(op)
  t.is(replayed.task('A')!.status, 'DONE')
  t.is(replayed.task('C')!.status, 'RUNNING')
  t.is(scheduler.rerun('nope'), undefined)
})

test('central-scheduler: a rerun re-enables a DISABLED task and forgives a FAILED one', async (t) => {
  const { scheduler } = setup({ disableAfterFailures: 1 })
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A')] })
  await scheduler.getWork({ workerId: 'w1' })
  await finish(scheduler, 'w1', 'A', 'FAILED')
  t.is(scheduler.task('A')!.status, 'DISABLED')
  t.is(scheduler.rerun('A'), 'PENDING')
  t.deepEqual(scheduler.task('A')!.failures, [])
})

test('central-scheduler: a launch that fails before its worker registers fails the task, unless a live worker holds it', async (t) => {
  const { scheduler, ops } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A'), record('B')], origin: HERE })
  await scheduler.workerStopped({ workerId: 'w1' })
  const failed = { id: 'rerun:A@1', runId: 'rerun-A-1', status: 'failed' as const, invalidateFirst: false, startedAt: 1, endedAt: 2, exitCode: 5, message: 'the run step exited with code 5' }
  scheduler.recordLaunch('A', failed)
  t.like(scheduler.task('A'), { status: 'FAILED', launch: failed, error: { code: 'ETL_ERR_DAEMON_LAUNCH_FAILED' } })
  t.regex(scheduler.task('A')!.error!.message, /ended before its worker registered: the run step exited with code 5/)

  // B's rerun got as far as its worker, which then failed: that worker's own report is what counts.
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('B')] })
  await scheduler.workerStopped({ workerId: 'w2' })
  scheduler.touchWorker('w3', { runId: 'rerun-B-1' })
  await scheduler.workerStopped({ workerId: 'w3' })
  scheduler.recordLaunch('B', { ...failed, id: 'rerun:B@1', runId: 'rerun-B-1', exitCode: 3 })
  t.is(scheduler.task('B')!.status, 'PENDING')

  await scheduler.addTasks({ workerId: 'w4', tasks: [record('C')] })
  scheduler.recordLaunch('C', { ...failed, id: 'rerun:C@1', runId: 'rerun-C-1' })
  t.is(scheduler.task('C')!.status, 'PENDING', 'a live worker will still run it')

  const replayed = new CentralScheduler()
  for (const op of ops) replayed.replay(op)
  t.like(replayed.task('A'), { status: 'FAILED', launch: failed })
  t.is(replayed.task('B')!.status, 'PENDING')
})

test('central-scheduler: only an attempt\'s lease ends it; a retried report is a repeat, any other is refused', async (t) => {
  const { scheduler } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A'), record('B')] })
  const taken = await scheduler.getWork({ workerId: 'w1' })
  const report = { workerId: 'w1', taskId: taken.taskId!, status: 'DONE', startedAt: 1, endedAt: 2, attempts: 1 } as const
  // Knowing the worker id (the UI shows it) is not enough.
  await t.throwsAsync(scheduler.taskFinished({ ...report, lease: 'guessed' }), { code: 'ETL_ERR_DAEMON_LEASE_INVALID' })
  await t.throwsAsync(scheduler.taskFinished({ ...report, workerId: 'w2', lease: taken.lease! }), { code: 'ETL_ERR_DAEMON_LEASE_INVALID' })
  t.is(scheduler.task(taken.taskId!)!.status, 'RUNNING')
  await scheduler.taskFinished({ ...report, lease: taken.lease! })
  await scheduler.taskFinished({ ...report, lease: taken.lease! })
  t.is(scheduler.task(taken.taskId!)!.status, 'DONE')
  t.is(scheduler.task(taken.taskId!)!.attempts, 1, 'the repeat changed nothing')
})

test('central-scheduler: a stopping worker gives back only the tasks whose leases it presents', async (t) => {
  const { scheduler } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A'), record('B')] })
  const a = await scheduler.getWork({ workerId: 'w1' })
  const b = await scheduler.getWork({ workerId: 'w1' })
  await scheduler.workerStopped({ workerId: 'w1', leases: ['made-up'] })
  t.is(scheduler.task(a.taskId!)!.status, 'RUNNING')
  await scheduler.touchWorker('w1')
  await scheduler.workerStopped({ workerId: 'w1', leases: [b.lease!] })
  t.is(scheduler.task(b.taskId!)!.status, 'PENDING')
  t.is(scheduler.task(a.taskId!)!.status, 'RUNNING', 'the task whose lease it kept stays until the worker is lost')
})

test('central-scheduler: a registration never moves a DISABLED task: a DONE claim is ignored until someone re-enables it', async (t) => {
  const { scheduler } = setup({ disableAfterFailures: 1 })
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('B', ['A']), record('A')] })
  await scheduler.getWork({ workerId: 'w1' })
  await finish(scheduler, 'w1', 'A', 'FAILED')
  t.is(scheduler.task('A')!.status, 'DISABLED')
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('A', [], { status: 'DONE' }), record('B', ['A'])] })
  t.is(scheduler.task('A')!.status, 'DISABLED')
  t.is(scheduler.task('B')!.status, 'UPSTREAM_FAILED', 'what needs it still waits for it')
  scheduler.act('enable', 'A')
  t.is(scheduler.task('A')!.status, 'PENDING')
})

test('central-scheduler: a task defined differently while another worker uses it is refused with both definitions; once nobody does, the new one takes over', async (t) => {
  const { scheduler, clock } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('R', ['A']), record('A')] })
  // Someone registers the same id with made-up requirements while w1 is alive.
  const error = await t.throwsAsync(scheduler.addTasks({ workerId: 'intruder', tasks: [record('R', ['Never'])] }), { code: 'ETL_ERR_DAEMON_REGISTRATION_CONFLICT' })
  t.regex(error!.message, /R is registered by live worker w1 as R requiring A; this worker's code makes it R requiring Never/)
  t.deepEqual(scheduler.task('R')!.deps, ['A'], 'nothing of the refused call was applied')
  t.is(scheduler.task('Never'), undefined)

  // The code changed and the old worker is gone: the new definition is taken.
  await scheduler.workerStopped({ workerId: 'w1', leases: [] })
  clock.advance(10)
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('R', ['B']), record('B')] })
  t.deepEqual(scheduler.task('R')!.deps, ['B'])
  t.is((await scheduler.getWork({ workerId: 'w2' })).taskId, 'B')
  await finish(scheduler, 'w2', 'B')
  t.is((await scheduler.getWork({ workerId: 'w2' })).taskId, 'R', 'R waits on B alone now')
})

test('central-scheduler: a task whose worker was lost is handed out with recheck, so the next worker looks before running it again', async (t) => {
  const { scheduler, clock } = setup()
  await scheduler.addTasks({ workerId: 'w1', tasks: [record('A')] })
  await scheduler.addTasks({ workerId: 'w2', tasks: [record('A')] })
  const first = await scheduler.getWork({ workerId: 'w1' })
  t.falsy(first.recheck)
  clock.advance(1200)
  await scheduler.ping({ workerId: 'w2' })
  scheduler.maintain()
  const again = await scheduler.getWork({ workerId: 'w2' })
  t.like(again, { taskId: 'A', recheck: true })
  t.not(again.lease, first.lease)
})
