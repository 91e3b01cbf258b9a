import test from 'ava'
import { LocalScheduler, type TaskRecord } from 'etl'

function record(id: string, deps: string[] = [], extra: Partial<TaskRecord> = {}): TaskRecord {
  return { id, family: id, params: {}, kind: 'task', deps, status: 'PENDING', priority: 0, resources: {}, ...extra }
}

async function finish(scheduler: LocalScheduler, workerId: string, taskId: string, status: 'DONE' | 'FAILED' = 'DONE') {
  await scheduler.taskFinished({ workerId, taskId, lease: scheduler.task(taskId)?.lease ?? '', status, startedAt: 0, endedAt: 1, attempts: 1, ...(status === 'FAILED' ? { error: { message: 'boom' } } : {}) })
}

/** What `getWork` answers, without the lease (a random value). */
async function work(scheduler: LocalScheduler, workerId: string): Promise<{ taskId: string | null; done: boolean }> {
  const { taskId, done } = await scheduler.getWork({ workerId })
  return { taskId, done }
}

test('local-scheduler: getWork hands out B only after A is DONE', async (t) => {
  const s = new LocalScheduler()
  await s.addTasks({ workerId: 'w', tasks: [record('B', ['A']), record('A')] })
  t.deepEqual(await work(s, 'w'), { taskId: 'A', done: false })
  t.deepEqual(await work(s, 'w'), { taskId: null, done: false })
  await finish(s, 'w', 'A')
  t.deepEqual(await work(s, 'w'), { taskId: 'B', done: false })
  await finish(s, 'w', 'B')
  t.deepEqual(await work(s, 'w'), { taskId: null, done: true })
})

test('local-scheduler: ready tasks go out by priority, then first come first served', async (t) => {
  const s = new LocalScheduler()
  await s.addTasks({ workerId: 'w', tasks: [record('low'), record('high', [], { priority: 10 }), record('low2')] })
  const order = []
  for (let i = 0; i < 3; i++) order.push((await s.getWork({ workerId: 'w' })).taskId)
  t.deepEqual(order, ['high', 'low', 'low2'])
})

test('local-scheduler: a failure marks everything downstream UPSTREAM_FAILED and independent tasks still run', async (t) => {
  const s = new LocalScheduler()
  await s.addTasks({ workerId: 'w', tasks: [record('root', ['left', 'right']), record('left', ['leaf']), record('leaf', [], { priority: 1 }), record('right')] })
  t.is((await s.getWork({ workerId: 'w' })).taskId, 'leaf')
  await finish(s, 'w', 'leaf', 'FAILED')
  t.deepEqual(await s.taskStatuses({ taskIds: ['leaf', 'left', 'root', 'right'] }), {
    leaf: 'FAILED',
    left: 'UPSTREAM_FAILED',
    root: 'UPSTREAM_FAILED',
    right: 'PENDING',
  })
  t.is((await s.getWork({ workerId: 'w' })).taskId, 'right')
  await finish(s, 'w', 'right')
  t.deepEqual(await s.getWork({ workerId: 'w' }), { taskId: null, done: true })
})

test('local-scheduler: a resource cap holds back tasks that need it while others run', async (t) => {
  const s = new LocalScheduler({ resources: { db: 1 } })
  await s.addTasks({ workerId: 'w', tasks: [record('a', [], { resources: { db: 1 } }), record('b', [], { resources: { db: 1 } }), record('c')] })
  t.is((await s.getWork({ workerId: 'w' })).taskId, 'a')
  t.is((await s.getWork({ workerId: 'w' })).taskId, 'c')
  t.deepEqual(await s.getWork({ workerId: 'w' }), { taskId: null, done: false })
  await finish(s, 'w', 'a')
  t.is((await s.getWork({ workerId: 'w' })).taskId, 'b')
})

test('local-scheduler: a task needing more of a resource than exists fails with the fix', async (t) => {
  const s = new LocalScheduler({ resources: { db: 2 } })
  await s.addTasks({ workerId: 'w', tasks: [record('greedy', [], { resources: { db: 3 } })] })
  t.deepEqual(await s.getWork({ workerId: 'w' }), { taskId: null, done: true })
  t.regex(s.task('greedy')!.error!.message, /needs 3 units of resource 'db' but only 2 exist: raise resources\.db/)
})

test('local-scheduler: a task registered by two workers is handed to one of them only', async (t) => {
  const s = new LocalScheduler()
  await s.addTasks({ workerId: 'w1', tasks: [record('shared')] })
  await s.addTasks({ workerId: 'w2', tasks: [record('shared')] })
  t.is((await s.getWork({ workerId: 'w2' })).taskId, 'shared')
  t.deepEqual(await s.getWork({ workerId: 'w1' }), { taskId: null, done: false })
  await finish(s, 'w2', 'shared')
  t.deepEqual(await s.getWork({ workerId: 'w1' }), { taskId: null, done: true })
})

test('local-scheduler: tasks already complete count as DONE for their dependents', async (t) => {
  const s = new LocalScheduler()
  await s.addTasks({ workerId: 'w', tasks: [record('top', ['base']), record('base', [], { status: 'DONE' })] })
  t.is((await s.getWork({ workerId: 'w' })).taskId, 'top')
})

test('local-scheduler: a stopped worker gives its running tasks back', async (t) => {
  const s = new LocalScheduler()
  await s.addTasks({ workerId: 'w1', tasks: [record('x')] })
  await s.addTasks({ workerId: 'w2', tasks: [record('x')] })
  const taken = await s.getWork({ workerId: 'w1' })
  t.is(taken.taskId, 'x')
  await s.workerStopped({ workerId: 'w1', leases: [taken.lease!] })
  t.is((await s.getWork({ workerId: 'w2' })).taskId, 'x')
})

test('local-scheduler: only the lease an attempt was given can end it, so no one else can finish or give back a task', async (t) => {
  const s = new LocalScheduler()
  await s.addTasks({ workerId: 'w1', tasks: [record('x')] })
  await s.addTasks({ workerId: 'w2', tasks: [record('x')] })
  const taken = await s.getWork({ workerId: 'w1' })
  t.truthy(taken.lease)
  await s.taskFinished({ workerId: 'w1', taskId: 'x', lease: 'guessed', status: 'DONE', startedAt: 0, endedAt: 1, attempts: 1 })
  await s.workerStopped({ workerId: 'w1', leases: ['guessed'] })
  t.is(s.task('x')!.status, 'RUNNING', 'neither a made-up lease nor a stop without the real one moves it')
  await s.taskFinished({ workerId: 'w1', taskId: 'x', lease: taken.lease!, status: 'DONE', startedAt: 0, endedAt: 1, attempts: 1 })
  t.is(s.task('x')!.status, 'DONE')
})
