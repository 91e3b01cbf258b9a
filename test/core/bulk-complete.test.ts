import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { EtlError, LocalTarget, Task, checkInBulk, param, type CompletionContext, type TaskLike } from 'etl'
import { useTempLayout, uniqueTag } from '../helpers/sandbox.js'

const layout = await useTempLayout()

/** Default completeness: its output marker. */
class Daily extends Task.with({ date: param.date(), tag: param.string() }) {}

/** Default completeness over two local files, one of them in a folder of its own. */
class TwoFiles extends Task.with({ n: param.int(), tag: param.string() }) {
  override output() {
    return [new LocalTarget(path.join(layout.root, this.params.tag, 'a', `${this.params.n}.csv`)), new LocalTarget(path.join(layout.root, this.params.tag, 'b', `${this.params.n}.csv`))]
  }
}

/** Its own complete(): the listing must not answer for it. */
class EvenOnly extends Task.with({ n: param.int(), tag: param.string() }) {
  override async complete() {
    return this.params.n % 2 === 0
  }
}

/** Its own bulk check, which counts its calls. */
class Counted extends Task.with({ n: param.int(), tag: param.string() }) {
  static calls = 0
  static async bulkComplete(tasks: readonly Counted[], _ctx?: CompletionContext) {
    Counted.calls += 1
    return tasks.map((task) => task.params.n < 3)
  }
  override async complete() {
    return this.params.n < 3
  }
}

/** A bulk check that answers the wrong number of values. */
class Miscounted extends Task.with({ n: param.int(), tag: param.string() }) {
  static async bulkComplete() {
    return [true]
  }
}

function day(index: number): string {
  return new Date(Date.UTC(2020, 0, 1 + index)).toISOString().slice(0, 10)
}

async function perTask(tasks: readonly TaskLike[]): Promise<boolean[]> {
  return Promise.all(tasks.map((task) => task.complete()))
}

test('bulk-complete: a year of daily markers, some written, agrees with asking each task', async (t) => {
  const tag = uniqueTag()
  const tasks = Array.from({ length: 365 }, (_, i) => new Daily({ date: day(i), tag }))
  for (const [i, task] of tasks.entries()) if (i % 3 === 0) await task.marker().write('{}')
  const bulk = await checkInBulk(tasks)
  t.deepEqual(bulk.map((check) => check.complete), await perTask(tasks))
  t.is(bulk.filter((check) => check.complete).length, 122)
})

test('bulk-complete: several outputs, missing folders, dangling links and own complete() all agree with per-task checks', async (t) => {
  const tag = uniqueTag()
  const files = Array.from({ length: 40 }, (_, n) => new TwoFiles({ n, tag }))
  await fs.mkdir(path.join(layout.root, tag, 'a'), { recursive: true })
  await fs.mkdir(path.join(layout.root, tag, 'b'), { recursive: true })
  for (const task of files.slice(0, 30)) await (task.output()[0] as LocalTarget).write('x')
  for (const task of files.slice(10, 20)) await (task.output()[1] as LocalTarget).write('x')
  // A link to a file that is there counts, one to nothing does not, as existsSync says.
  await fs.symlink((files[0]!.output()[0] as LocalTarget).path, (files[20]!.output()[1] as LocalTarget).path)
  await fs.symlink(path.join(layout.root, 'nowhere'), (files[21]!.output()[1] as LocalTarget).path)
  const nowhere = Array.from({ length: 10 }, (_, i) => new Daily({ date: day(i), tag: `${tag}-never` }))
  const own = Array.from({ length: 10 }, (_, n) => new EvenOnly({ n, tag }))
  const mixed = [...files, ...nowhere, ...own]
  const bulk = await checkInBulk(mixed)
  t.deepEqual(bulk.map((check) => check.complete), await perTask(mixed))
  t.true(bulk[20]!.complete)
  t.false(bulk[21]!.complete)
})

test('bulk-complete: a class with its own bulkComplete is asked once for all its tasks', async (t) => {
  const tag = uniqueTag()
  const before = Counted.calls
  const tasks = Array.from({ length: 6 }, (_, n) => new Counted({ n, tag }))
  const bulk = await checkInBulk(tasks)
  t.is(Counted.calls - before, 1)
  t.deepEqual(bulk.map((check) => check.complete), [true, true, true, false, false, false])
})

test('bulk-complete: a bulkComplete that answers the wrong number of values fails its tasks with a message saying so', async (t) => {
  const tag = uniqueTag()
  const bulk = await checkInBulk([new Miscounted({ n: 1, tag }), new Miscounted({ n: 2, tag })])
  const error = bulk[0]!.error as EtlError
  t.is(error.code, 'ETL_ERR_TASK_BAD_BULK_COMPLETE')
  t.regex(error.message, /Miscounted\.bulkComplete\(\) was given 2 tasks and answered 1 values; it must return one boolean per task/)
  t.is(bulk[1]!.error, error)
})
