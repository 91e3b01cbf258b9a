import path from 'node:path'
import test from 'ava'
import { ExternalTask, LocalTarget, Task, UnrecoverableTaskError, WrapperTask, build, param, type TaskContext, type WorkerEvent } from 'etl'
import { exists, uniqueTag, useTempLayout } from '../helpers/sandbox.js'

let root = ''
test.before(async () => {
  ;({ root } = await useTempLayout())
})

/** What each test's tasks did, by tag: runs per task id, and how many ran at once. */
const runs = new Map<string, string[]>()
const failing = new Set<string>()
function ran(tag: string, id: string) {
  runs.set(tag, [...(runs.get(tag) ?? []), id])
}

/** extract → transform → load, and an independent report branch. */
const GRAPH: Record<string, string[]> = { load: ['transform'], transform: ['extract'] }

class Step extends Task.with({ tag: param.string(), name: param.string() }) {
  override requires() {
    return (GRAPH[this.params.name] ?? []).map((name) => new Step({ tag: this.params.tag, name }))
  }

  override output() {
    return [this.marker(), new LocalTarget(path.join(root, this.params.tag, `${this.params.name}.txt`))]
  }

  override async run() {
    ran(this.params.tag, this.params.name)
    await this.output()[1]!.write(this.params.name)
    if (failing.has(`${this.params.tag}/${this.params.name}`)) throw new Error(`${this.params.name} failed on purpose`)
    return { name: this.params.name }
  }
}

class Job extends WrapperTask.with({ tag: param.string() }) {
  override requires() {
    return ['load', 'report'].map((name) => new Step({ tag: this.params.tag, name }))
  }
}

test('build: a rerun after a failure runs only the failed and never-run tasks', async (t) => {
  const tag = uniqueTag()
  failing.add(`${tag}/transform`)
  const first = await build(new Job({ tag }), { workers: 2 })
  t.is(first.outcome, 'task-failed')
  t.false(first.complete)
  t.deepEqual(first.failed.map((line) => line.label), [`Step(tag=${tag}, name=transform)`])
  t.deepEqual(first.upstreamFailed.map((line) => line.family).sort(), ['Job', 'Step'])
  t.deepEqual(runs.get(tag)!.sort(), ['extract', 'report', 'transform'])

  failing.delete(`${tag}/transform`)
  runs.delete(tag)
  const second = await build(new Job({ tag }), { workers: 2 })
  t.is(second.outcome, 'ok')
  t.deepEqual(runs.get(tag), ['transform', 'load'])
  t.is(second.alreadyComplete.length, 2)
})

test('build: a failed task never has its output, not even a file it wrote before failing', async (t) => {
  const tag = uniqueTag()
  failing.add(`${tag}/report`)
  const step = new Step({ tag, name: 'report' })
  await build(step)
  t.false(await exists(step.marker().path))
  t.false(await exists(path.join(root, tag, 'report.txt')))
  t.false(await step.complete())
})

test('build: the all-complete rerun runs nothing and reports every task complete', async (t) => {
  const tag = uniqueTag()
  await build(new Job({ tag }))
  runs.delete(tag)
  const again = await build(new Job({ tag }))
  t.true(again.complete)
  t.is(again.ran.length, 0)
  t.is(runs.get(tag), undefined)
})

test('build: the output marker records the task, its parameters, timestamps and result', async (t) => {
  const tag = uniqueTag()
  const step = new Step({ tag, name: 'solo' })
  await build(step)
  const record = await step.marker().readRecord()
  t.is(record.taskId, step.id)
  t.is(record.family, 'Step')
  t.deepEqual(record.params, { tag, name: 'solo' })
  t.deepEqual(record.result, { name: 'solo' })
  t.true(Date.parse(record.endedAt) >= Date.parse(record.startedAt))
  t.is(record.durationMs, Date.parse(record.endedAt) - Date.parse(record.startedAt))
})

class Dynamic extends Task.with({ tag: param.string(), count: param.int() }) {
  override async run(ctx: TaskContext) {
    const names = Array.from({ length: this.params.count }, (_, i) => `dyn${i}`)
    const found = await ctx.require(names.map((name) => new Step({ tag: this.params.tag, name })))
    ran(this.params.tag, 'dynamic')
    return { required: found.length }
  }
}

test('build: dependencies added while running are run first, even with a single worker slot', async (t) => {
  const tag = uniqueTag()
  const summary = await build(new Dynamic({ tag, count: 3 }), { workers: 1 })
  t.true(summary.complete)
  t.deepEqual(runs.get(tag), ['dyn0', 'dyn1', 'dyn2', 'dynamic'])
  t.is(summary.ran.length, 4)
})

test('build: a dependency added while running that fails fails the task that asked for it', async (t) => {
  const tag = uniqueTag()
  failing.add(`${tag}/dyn1`)
  const summary = await build(new Dynamic({ tag, count: 2 }))
  t.is(summary.outcome, 'task-failed')
  t.regex(summary.failed.find((line) => line.family === 'Dynamic')!.error!, /a task required while running failed: Step\(.*dyn1/)
})

class Flaky extends Task.with({ tag: param.string(), failures: param.int() }) {
  override retry = { count: 3, delayMs: 5, backoff: 2 }
  override async run(ctx: TaskContext) {
    ran(this.params.tag, `attempt${ctx.attempt}`)
    if (ctx.attempt <= this.params.failures) throw new Error(`transient failure ${ctx.attempt}`)
  }
}

test('build: retries follow the policy with exponential backoff and succeed within the run', async (t) => {
  const tag = uniqueTag()
  const events: WorkerEvent[] = []
  const summary = await build(new Flaky({ tag, failures: 2 }), { onEvent: (event) => events.push(event) })
  t.true(summary.complete)
  t.deepEqual(runs.get(tag), ['attempt1', 'attempt2', 'attempt3'])
  t.deepEqual(events.flatMap((event) => (event.type === 'task-retry' ? [event.delayMs] : [])), [5, 10])
  t.is(summary.ran[0]!.attempts, 3)
})

test('build: a task that keeps failing stops after count retries, and an unrecoverable error is not retried', async (t) => {
  const tag = uniqueTag()
  const summary = await build(new Flaky({ tag, failures: 10 }))
  t.is(summary.failed[0]!.attempts, 4)
  t.is(summary.failed[0]!.error, 'transient failure 4')

  class Fatal extends Task.with({ tag: param.string() }) {
    override retry = { count: 5, delayMs: 1 }
    override async run() {
      ran(this.params.tag, 'fatal')
      throw new UnrecoverableTaskError('bad input: no retry can fix it')
    }
  }
  const fatalTag = uniqueTag()
  await build(new Fatal({ tag: fatalTag }))
  t.deepEqual(runs.get(fatalTag), ['fatal'])
})

class Slow extends Task.with({ tag: param.string(), listen: param.bool() }) {
  override timeoutMs = 50
  override async run(ctx: TaskContext) {
    if (this.params.listen) {
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)))
    }
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}

test('build: a task past its timeout is aborted through its signal and fails with a timeout error', async (t) => {
  for (const listen of [true, false]) {
    const task = new Slow({ tag: uniqueTag(), listen })
    const summary = await build(task)
    t.is(summary.failed[0]!.error, `${task} timed out after 50ms (its timeoutMs)`)
    t.false(await task.complete())
  }
})

class Capped extends Task.with({ tag: param.string(), n: param.int() }) {
  static active = 0
  static peak = 0
  override resources = { warehouse: 1 }
  override async run() {
    Capped.peak = Math.max(Capped.peak, ++Capped.active)
    await new Promise((resolve) => setTimeout(resolve, 20))
    Capped.active--
  }
}

class Free extends Task.with({ tag: param.string(), n: param.int() }) {
  static active = 0
  static peak = 0
  override async run() {
    Free.peak = Math.max(Free.peak, ++Free.active)
    await new Promise((resolve) => setTimeout(resolve, 20))
    Free.active--
  }
}

test('build: a named resource caps how many tasks holding it run at once, while workers run others in parallel', async (t) => {
  const tag = uniqueTag()
  const tasks = Array.from({ length: 6 }, (_, n) => [new Capped({ tag, n }), new Free({ tag, n })]).flat()
  const summary = await build(tasks, { workers: 4, resources: { warehouse: 2 } })
  t.true(summary.complete)
  t.is(Capped.peak, 2)
  t.true(Free.peak > 1)
})

class Upload extends ExternalTask.with({ tag: param.string() }) {
  override pollTimeoutMs = 60
  override pollIntervalMs = 20
  override output() {
    return new LocalTarget(path.join(root, this.params.tag, 'upload.csv'))
  }
}

class UsesUpload extends Task.with({ tag: param.string() }) {
  override requires() {
    return new Upload({ tag: this.params.tag })
  }
}

test('build: missing external data fails as missing data after polling, and what needs it cannot run', async (t) => {
  const tag = uniqueTag()
  const summary = await build(new UsesUpload({ tag }))
  t.is(summary.outcome, 'missing-data')
  t.regex(summary.failed[0]!.error!, /external data for Upload\(.*\) is missing after waiting 60ms \(\d+ looks\): .*upload\.csv/)
  t.deepEqual(summary.upstreamFailed.map((line) => line.family), ['UsesUpload'])
})

/** Upload with a window long enough that a loaded machine still writes the file inside it. */
class LateUpload extends Upload {
  override pollTimeoutMs = 10_000
}

class UsesLateUpload extends Task.with({ tag: param.string() }) {
  override requires() {
    return new LateUpload({ tag: this.params.tag })
  }
}

test('build: external data that appears while polling lets the run go on', async (t) => {
  const tag = uniqueTag()
  // Written after the first look has found nothing: the run goes on at the next poll.
  setTimeout(() => void new LateUpload({ tag }).output().write('ok'), 50)
  const summary = await build(new UsesLateUpload({ tag }))
  t.true(summary.complete)
})

class Forgetful extends Task.with({ tag: param.string() }) {
  override output() {
    return new LocalTarget(path.join(root, this.params.tag, 'never-written.csv'))
  }
}

test('build: a task whose run does not write its output fails and names the missing output', async (t) => {
  const summary = await build(new Forgetful({ tag: uniqueTag() }))
  t.regex(summary.failed[0]!.error!, /finished but is not complete: missing .*never-written\.csv/)
})

class BrokenCheck extends Task.with({ tag: param.string() }) {
  override async complete(): Promise<boolean> {
    throw new Error('warehouse unreachable')
  }
}

class NeedsBroken extends Task.with({ tag: param.string() }) {
  override requires() {
    return new BrokenCheck({ tag: this.params.tag })
  }
}

test('build: an error while checking completeness fails that task and blocks what needs it, without running it', async (t) => {
  const summary = await build(new NeedsBroken({ tag: uniqueTag() }))
  t.is(summary.outcome, 'task-failed')
  t.regex(summary.failed[0]!.error!, /checking whether BrokenCheck\(.*\) is complete failed: warehouse unreachable/)
  t.is(summary.ran.length, 0)
})

class HoldsDb extends Task.with({ tag: param.string() }) {
  override resources = { db: 1 }
  override async run(ctx: TaskContext) {
    await ctx.require(new AlsoDb({ tag: this.params.tag }))
  }
}

class AlsoDb extends Task.with({ tag: param.string() }) {
  override resources = { db: 1 }
}

test('build: asking while running for a task that needs a resource the asker holds fails at once instead of waiting forever', async (t) => {
  const summary = await build(new HoldsDb({ tag: uniqueTag() }), { workers: 2 })
  t.is(summary.outcome, 'task-failed')
  t.regex(summary.failed[0]!.error!, /holds resource 'db' and asked, while running, for AlsoDb_.*which needs it too/)
})

class Fractional extends Task.with({ tag: param.string() }) {
  override resources = { warehouse: 0.1 }
}

test('build: a fraction of a resource is refused before anything runs, since fractions would not add back up to 0', async (t) => {
  const error = await t.throwsAsync(build(new Fractional({ tag: uniqueTag() })), { code: 'ETL_ERR_TASK_BAD_RESOURCES' })
  t.regex(error!.message, /holds 0\.1 units of resource 'warehouse': a task holds a whole number of units/)
})
