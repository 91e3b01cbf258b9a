import fs from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { StateStore, type StatePart } from 'etl'
import { tempDir } from '../helpers/daemon-helpers.js'

/** A part that keeps a list of the ops it saw. */
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

function open(dir: string, options: { compactBytes?: number } = {}) {
  const part = new ListPart()
  const store = new StateStore({ dir, ...options })
  store.register('list', part)
  const recovery = store.open()
  return { part, store, recovery, append: (op: unknown) => (part.items.push(op), store.append('list', op)) }
}

test('state-store: every appended op survives a daemon that was killed without closing', async (t) => {
  const dir = await tempDir('store')
  const first = open(dir)
  t.deepEqual(first.recovery, { fromSnapshot: false, replayed: 0 })
  for (let i = 0; i < 5; i++) first.append({ i })
  first.store.abandon() // killed: no last snapshot, the lock file left behind
  const second = open(dir)
  t.deepEqual(second.recovery, { fromSnapshot: true, replayed: 5 })
  t.deepEqual(second.part.items, [0, 1, 2, 3, 4].map((i) => ({ i })))
  second.store.close()
})

test('state-store: a torn last journal line is dropped, a snapshot skips what it already holds', async (t) => {
  const dir = await tempDir('store')
  const first = open(dir)
  first.append('a')
  first.store.compact()
  first.append('b')
  first.store.abandon()
  await fs.appendFile(path.join(dir, 'journal.ndjson'), '{"seq":99,"part":"li')
  // A crash between writing the snapshot and emptying the journal leaves old lines behind.
  const journal = await fs.readFile(path.join(dir, 'journal.ndjson'), 'utf8')
  await fs.writeFile(path.join(dir, 'journal.ndjson'), `{"seq":1,"part":"list","op":"a"}\n${journal}`)
  const second = open(dir)
  t.deepEqual(second.part.items, ['a', 'b'])
  second.store.close()
})

test('state-store: the journal is compacted into the snapshot once it grows past the limit', async (t) => {
  const dir = await tempDir('store')
  const { store, append } = open(dir, { compactBytes: 1000 })
  for (let i = 0; i < 100; i++) append({ i, pad: 'x'.repeat(20) })
  store.maybeCompact()
  t.is((await fs.stat(path.join(dir, 'journal.ndjson'))).size, 0)
  store.close()
  const again = open(dir)
  t.is(again.part.items.length, 100)
  t.is(again.recovery.replayed, 0)
  again.store.close()
})

test('state-store: a second store on a folder in use is refused, in this process or another', async (t) => {
  const same = await tempDir('store')
  const first = open(same)
  t.is((t.throws(() => open(same)) as { code?: string }).code, 'ETL_ERR_DAEMON_STATE_LOCKED')
  first.store.close()
  open(same).store.close()

  const dir = await tempDir('store')
  await fs.mkdir(dir, { recursive: true })
  await fs.writeFile(path.join(dir, 'daemon.lock'), String(process.ppid))
  const error = t.throws(() => open(dir))
  t.is((error as { code?: string }).code, 'ETL_ERR_DAEMON_STATE_LOCKED')
  t.regex(error!.message, /--state-dir/)
})
