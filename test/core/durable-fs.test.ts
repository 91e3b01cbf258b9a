import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import test from 'ava'
import { CompletionMarkers, LocalStorage, LocalTarget, OutputMarker, StateStore, Task, build, param, type StatePart } from 'etl'
import { watchDurableSteps, type DurableStep } from '../../src/core/durable-fs.js'
import { tempDir, uniqueTag, useTempLayout } from '../helpers/sandbox.js'

// The probe is process-wide: every test here runs alone.

type Step = [DurableStep, string]

/** Runs `fn` while recording every durable step taken, in order. */
async function stepsOf(fn: () => Promise<unknown> | unknown): Promise<Step[]> {
  const steps: Step[] = []
  watchDurableSteps((step, file) => void steps.push([step, file]))
  try {
    await fn()
  } finally {
    watchDurableSteps(undefined)
  }
  return steps
}

/** What a durable write of `file` must do: sync its bytes, rename it into place, then sync its folder. */
const durableWrite = (file: string): Step[] => [
  ['fsync-file', file],
  ['rename', file],
  ['fsync-folder', path.dirname(file)],
]

/** Files left in `dir`, hidden temp files included. */
const listing = async (dir: string) => (await fs.readdir(dir).catch(() => [])).sort()

let layout: { outputDir: string; completedDir: string; root: string }
test.before(async () => {
  layout = await useTempLayout()
})

class Durable extends Task.with({ tag: param.string() }) {
  override async run() {
    return { rows: 1 }
  }
}

test.serial('durable-fs: a run syncs each output marker to the disk before renaming it into place, and its folder after', async (t) => {
  const task = new Durable({ tag: uniqueTag() })
  const steps = await stepsOf(() => build([task], { workers: 1 }))
  const marker = task.marker().path
  t.deepEqual(
    steps.filter(([, file]) => file === marker || file === path.dirname(marker)),
    durableWrite(marker),
  )
  t.true((await fs.stat(marker)).isFile())
})

test.serial('durable-fs: an output marker, a completion marker and a report are each synced, renamed, then their folder synced', async (t) => {
  const marker = new OutputMarker('Durable', `m-${uniqueTag()}`)
  const markerSteps = await stepsOf(() =>
    marker.writeRecord({ taskId: marker.taskId, family: 'Durable', params: {}, startedAt: '', endedAt: '', durationMs: 0, attempts: 1, result: null, host: 'h', pid: 1 }),
  )
  t.deepEqual(markerSteps, durableWrite(marker.path))

  const items = new CompletionMarkers('Durable', `c-${uniqueTag()}`)
  t.deepEqual(await stepsOf(() => items.mark('table_a')), durableWrite(path.join(items.dir, 'table_a.json')))

  const report = new LocalTarget(path.join(layout.root, 'reports', `${uniqueTag()}.csv`))
  t.deepEqual(await stepsOf(() => report.write(Readable.from(['a,b\r\n', '1,2\r\n']))), durableWrite(report.path), 'a streamed write too')
  t.is(await report.read(), 'a,b\r\n1,2\r\n')
})

test.serial('durable-fs: a local lake put is synced, renamed, then its folder synced, for bytes and streams alike', async (t) => {
  const root = await tempDir()
  t.teardown(() => fs.rm(root, { recursive: true, force: true }))
  const lake = new LocalStorage(root)
  t.deepEqual(await stepsOf(() => lake.put('raw/2026/a.csv', 'a\n')), durableWrite(path.join(root, 'raw/2026/a.csv')))
  t.deepEqual(await stepsOf(() => lake.put('raw/2026/b.csv', Readable.from([Buffer.from('b\n')]))), durableWrite(path.join(root, 'raw/2026/b.csv')))
})

class ListPart implements StatePart {
  items: unknown[] = []
  snapshot() {
    return { items: this.items }
  }
  restore(data: unknown) {
    this.items = [...(data as { items: unknown[] }).items]
  }
  replay(op: unknown) {
    this.items.push(op)
  }
}

test.serial("durable-fs: the daemon's snapshot is synced, renamed, then its folder synced, and each journal append is synced before it returns", async (t) => {
  const dir = await tempDir()
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const store = new StateStore({ dir })
  store.register('list', new ListPart())
  store.open()
  const journal = path.join(dir, 'journal.ndjson')
  t.deepEqual(await stepsOf(() => store.append('list', 'a')), [['fsync-file', journal]])
  const compact = await stepsOf(() => store.compact())
  t.deepEqual(compact, [...durableWrite(path.join(dir, 'state.json')), ['fsync-file', journal]], 'the snapshot, then the journal restarted after it')
  store.close()
})

/** A probe that fails the first sync of a file, as a disk reporting an I/O error would. */
function failFirstFileSync(): void {
  watchDurableSteps((step) => {
    if (step !== 'fsync-file') return
    watchDurableSteps(undefined)
    throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })
  })
}

test.serial('durable-fs: a marker whose sync fails is never there, and neither is its temp file', async (t) => {
  const marker = new OutputMarker('Durable', `f-${uniqueTag()}`)
  failFirstFileSync()
  await t.throwsAsync(() => marker.write('{}\n'), { message: /EIO/ })
  t.false(await marker.exists())
  t.deepEqual((await listing(path.dirname(marker.path))).filter((name) => name.includes(marker.taskId)), [], 'no temp file either')

  const items = new CompletionMarkers('Durable', `f-${uniqueTag()}`)
  failFirstFileSync()
  await t.throwsAsync(() => items.mark('table_a'), { message: /EIO/ })
  t.false(await items.has('table_a'))
  t.deepEqual(await listing(items.dir), [])
})

test.serial('durable-fs: a task whose marker cannot be synced fails, leaves no marker, and runs again next time', async (t) => {
  const task = new Durable({ tag: uniqueTag() })
  failFirstFileSync()
  const failed = await build([task], { workers: 1 })
  watchDurableSteps(undefined)
  t.false(failed.complete)
  t.false(await task.marker().exists())
  const rerun = await build([task], { workers: 1 })
  t.true(rerun.complete)
  t.true(await task.marker().exists())
})

test.serial('durable-fs: a journal append whose sync fails is refused and cut back off the journal', async (t) => {
  const dir = await tempDir()
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const store = new StateStore({ dir })
  store.register('list', new ListPart())
  store.open()
  const journal = path.join(dir, 'journal.ndjson')
  const before = await fs.readFile(journal, 'utf8')
  failFirstFileSync()
  t.throws(() => store.append('list', 'lost'), { code: 'ETL_ERR_DAEMON_STATE_WRITE_FAILED' })
  t.is(await fs.readFile(journal, 'utf8'), before)
  store.append('list', 'kept')
  store.abandon()
  const reopened = new StateStore({ dir })
  const part = new ListPart()
  reopened.register('list', part)
  reopened.open()
  t.deepEqual(part.items, ['kept'])
  reopened.close()
})
