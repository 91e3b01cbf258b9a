import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import test from 'ava'
import { CentralScheduler, startSchedulerDaemon, StateStore, type StatePart, type TaskRecord } from 'etl'
import { schedulerStatePart } from '../../src/daemon/scheduler-state-part.js'
import { sealJson } from '../../src/daemon/sealed-json.js'
import { tempDir } from '../helpers/daemon-helpers.js'

/** A part that keeps a list of the ops it saw; an op must be a string or an object with `i`. */
class ListPart implements StatePart {
  items: unknown[] = []
  snapshot() {
    return { items: this.items }
  }
  restore(data: unknown) {
    this.items = [...(data as { items: unknown[] }).items]
  }
  replay(op: unknown) {
    if (op === 'boom') throw new Error('cannot apply boom')
    this.items.push(op)
  }
  checkSnapshot(data: unknown) {
    return Array.isArray((data as { items?: unknown }).items) ? undefined : 'items: expected an array'
  }
  checkOp(op: unknown) {
    return typeof op === 'string' || (typeof op === 'object' && op !== null && 'i' in op) ? undefined : 'expected a string or { i }'
  }
}

function open(dir: string, options: { compactBytes?: number; recover?: boolean } = {}) {
  const part = new ListPart()
  const store = new StateStore({ dir, ...options })
  store.register('list', part)
  const recovery = store.open()
  return { part, store, recovery, append: (op: unknown) => (store.append('list', op), part.items.push(op)) }
}

const journalOf = (dir: string) => path.join(dir, 'journal.ndjson')
const snapshotOf = (dir: string) => path.join(dir, 'state.json')
const lines = async (file: string) => (await fsp.readFile(file, 'utf8')).split('\n').filter(Boolean)

/** A state folder with a snapshot of `a` and `b`, and `c`, `d` in the journal after it, left by a killed daemon. */
async function killedDaemonFolder(): Promise<string> {
  const dir = await tempDir('store')
  const first = open(dir)
  first.append('a')
  first.append('b')
  first.store.compact()
  first.append('c')
  first.append('d')
  first.store.abandon()
  return dir
}

test('state-store: every appended op survives a daemon that was killed without closing', async (t) => {
  const dir = await tempDir('store')
  const first = open(dir)
  t.deepEqual(first.recovery, { fromSnapshot: false, replayed: 0, lost: [], keptAside: [] })
  for (let i = 0; i < 5; i++) first.append({ i })
  first.store.abandon() // killed: no last snapshot, the lock file left behind
  const second = open(dir)
  t.deepEqual(second.recovery, { fromSnapshot: true, replayed: 5, lost: [], keptAside: [] })
  t.deepEqual(second.part.items, [0, 1, 2, 3, 4].map((i) => ({ i })))
  second.store.close()
})

test('state-store: a torn last journal line is dropped, and lines a crash left behind a newer snapshot are skipped', async (t) => {
  const dir = await killedDaemonFolder()
  await fsp.appendFile(journalOf(dir), '{"v":2,"seq":99,"part":"li')
  // A crash between writing the snapshot and emptying the journal leaves the old journal behind it.
  const before = await fsp.readFile(journalOf(dir), 'utf8')
  const second = open(dir)
  t.deepEqual(second.part.items, ['a', 'b', 'c', 'd'])
  second.store.compact()
  second.store.abandon()
  await fsp.writeFile(journalOf(dir), before)
  const third = open(dir)
  t.deepEqual(third.part.items, ['a', 'b', 'c', 'd'], 'nothing applied twice')
  t.deepEqual(third.recovery.lost, [])
  third.store.close()
})

test('state-store: the journal is compacted into the snapshot once it grows past the limit', async (t) => {
  const dir = await tempDir('store')
  const { store, append } = open(dir, { compactBytes: 1000 })
  for (let i = 0; i < 100; i++) append({ i, pad: 'x'.repeat(20) })
  store.maybeCompact()
  t.is((await lines(journalOf(dir))).length, 1, 'only the line that names the snapshot it follows')
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
  await fsp.mkdir(dir, { recursive: true })
  await fsp.writeFile(path.join(dir, 'daemon.lock'), String(process.ppid))
  const error = t.throws(() => open(dir))
  t.is((error as { code?: string }).code, 'ETL_ERR_DAEMON_STATE_LOCKED')
  t.regex(error!.message, /--state-dir/)
})

test('state-store: a deleted state.json stops the start, naming the file and --recover, which keeps what the journal has and says what is lost', async (t) => {
  const dir = await killedDaemonFolder()
  await fsp.rm(snapshotOf(dir))
  const error = t.throws(() => open(dir), { code: 'ETL_ERR_DAEMON_STATE_DAMAGED' })
  t.regex(error.message, /state\.json is missing, but .*journal\.ndjson is there, following a snapshot of change 2/)
  t.regex(error.message, /Nothing was changed\. .*`etl scheduler --recover`/)
  t.false(fs.existsSync(snapshotOf(dir)), 'nothing was written')

  const recovered = open(dir, { recover: true })
  t.deepEqual(recovered.part.items, ['c', 'd'])
  t.deepEqual(recovered.recovery.lost, ['the snapshot ' + snapshotOf(dir) + ': every change up to 2'])
  t.is(recovered.recovery.keptAside.length, 1)
  t.regex(recovered.recovery.keptAside[0]!, /journal\.ndjson\.damaged-/)
  recovered.store.close()
  t.deepEqual(open(dir).part.items, ['c', 'd'], 'the rebuilt state starts without --recover from then on')
})

test('state-store: a journal line changed by hand stops the start by its checksum, and --recover leaves it out whole', async (t) => {
  const dir = await killedDaemonFolder()
  const journal = await fsp.readFile(journalOf(dir), 'utf8')
  await fsp.writeFile(journalOf(dir), journal.replace('"op":"c"', '"op":"C"'))
  const error = t.throws(() => open(dir), { code: 'ETL_ERR_DAEMON_STATE_DAMAGED' })
  t.regex(error.message, /line 2 of .*journal\.ndjson \(change 3\) does not match its checksum/)
  const recovered = open(dir, { recover: true })
  t.deepEqual(recovered.part.items, ['a', 'b', 'd'])
  t.deepEqual(recovered.recovery.lost, ['line 2 of the journal (change 3)'])
  recovered.store.close()
})

test('state-store: a malformed journal entry is refused before any of it is applied, and the task list still answers', async (t) => {
  const dir = await tempDir('store-scheduler')
  const record = (id: string): TaskRecord => ({ id, family: 'A', params: {}, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} })
  const first = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  await first.scheduler.addTasks({ workerId: 'w1', tasks: [record('A_1')] })
  await first.close()
  // Sealed, so only its shape is wrong: a task without parameters, dependencies or status.
  const header = (await lines(journalOf(dir)))[0]!
  const after = (JSON.parse(header) as { after: number }).after
  await fsp.writeFile(journalOf(dir), `${header}\n${sealJson(JSON.stringify({ v: 2, seq: after + 1, part: 'scheduler', op: { op: 'add', at: 1, workerId: 'w1', tasks: [{ id: 'A_2', family: 'A' }] } }), 'sum').text}\n`)
  const error = await t.throwsAsync(startSchedulerDaemon({ port: 0, stateDir: dir, history: false }), { code: 'ETL_ERR_DAEMON_STATE_DAMAGED' })
  t.regex(error.message, /line 2 of .*journal\.ndjson \(change \d+\) has the wrong shape \(tasks\.0\.params: /)
  const recovered = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false, recover: true })
  t.teardown(() => recovered.close())
  t.is(recovered.scheduler.task('A_2'), undefined, 'nothing of it was applied')
  t.is(recovered.scheduler.task('A_1')!.status, 'PENDING')
  t.is((await fetch(`${recovered.url}/api/ui/tasks`)).status, 200)
})

test('state-store: a snapshot of the wrong shape is refused naming its part, not with a TypeError', async (t) => {
  const dir = await tempDir('store-shape')
  const body = JSON.stringify({ version: 2, seq: 0, savedAt: 'now', parts: { scheduler: { version: 1, tasks: 'not a list', workers: [], runs: [], lastGetWork: [] } } })
  await fsp.writeFile(snapshotOf(dir), sealJson(body, 'sha256').text)
  await fsp.writeFile(journalOf(dir), '')
  const store = new StateStore({ dir })
  store.register('scheduler', schedulerStatePart(new CentralScheduler()))
  const error = t.throws(() => store.open(), { code: 'ETL_ERR_DAEMON_STATE_DAMAGED' })
  t.regex(error.message, /the "scheduler" part of .*state\.json has the wrong shape \(tasks: /)
})

test('state-store: a state.json cut short stops the start; --recover rebuilds from the journal and keeps the damaged file aside', async (t) => {
  const dir = await killedDaemonFolder()
  const text = await fsp.readFile(snapshotOf(dir), 'utf8')
  await fsp.writeFile(snapshotOf(dir), text.slice(0, text.length / 2))
  const error = t.throws(() => open(dir), { code: 'ETL_ERR_DAEMON_STATE_DAMAGED' })
  t.regex(error.message, /state\.json is not JSON .*: it was cut short or overwritten/)
  const recovered = open(dir, { recover: true })
  t.deepEqual(recovered.part.items, ['c', 'd'])
  t.true(recovered.recovery.keptAside.some((file) => /state\.json\.damaged-/.test(file)))
  t.is(fs.readFileSync(recovered.recovery.keptAside.find((file) => /state\.json/.test(file))!, 'utf8'), text.slice(0, text.length / 2), 'the damaged file is kept as it was')
  recovered.store.close()
})

test('state-store: an older copy of state.json put back, or a missing journal, is noticed rather than started on', async (t) => {
  const dir = await tempDir('store')
  const first = open(dir)
  first.append('a')
  first.store.compact()
  const older = await fsp.readFile(snapshotOf(dir))
  first.append('b')
  first.store.compact()
  first.append('c')
  first.store.abandon()
  await fsp.writeFile(snapshotOf(dir), older)
  const error = t.throws(() => open(dir), { code: 'ETL_ERR_DAEMON_STATE_DAMAGED' })
  t.regex(error.message, /state\.json \(up to change 1\) is older than the snapshot .*journal\.ndjson follows \(up to change 2\)/)
  const recovered = open(dir, { recover: true })
  t.deepEqual(recovered.part.items, ['a', 'c'])
  t.true(recovered.recovery.lost.includes('changes 2 to 2'))
  recovered.store.abandon()

  await fsp.rm(journalOf(dir))
  const missing = t.throws(() => open(dir), { code: 'ETL_ERR_DAEMON_STATE_DAMAGED' })
  t.regex(missing.message, /journal\.ndjson is missing: the changes made since .*state\.json was saved \(.*\) are gone/)
})

test('state-store: an op that fails to apply stops the start; --recover rebuilds without it rather than keep half of it', async (t) => {
  const dir = await tempDir('store')
  const first = open(dir)
  first.append('a')
  first.store.append('list', 'boom')
  first.append('b')
  first.store.abandon()
  const error = t.throws(() => open(dir), { code: 'ETL_ERR_DAEMON_STATE_DAMAGED' })
  t.regex(error.message, /line 3 of .*journal\.ndjson \(change 2\) could not be applied: cannot apply boom/)
  const recovered = open(dir, { recover: true })
  t.deepEqual(recovered.part.items, ['a', 'b'])
  t.deepEqual(recovered.recovery.lost, ['line 3 of the journal (change 2), which could not be applied'])
  recovered.store.close()
})

test('state-store: a write the disk refuses leaves no torn line and is reported, and the next one goes through', async (t) => {
  const dir = await tempDir('store')
  const first = open(dir)
  first.append('a')
  const size = fs.statSync(journalOf(dir)).size
  const writeSync = fs.writeSync
  // A disk that fills up half way through the line.
  ;(fs as { writeSync: unknown }).writeSync = (fd: number, buffer: Buffer, offset = 0, length = buffer.length) => {
    writeSync(fd, buffer, offset, Math.floor(length / 2))
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  }
  try {
    const error = t.throws(() => first.store.append('list', 'b'), { code: 'ETL_ERR_DAEMON_STATE_WRITE_FAILED' })
    t.regex(error.message, /could not write the change to its journal .*journal\.ndjson \(ENOSPC: no space left on device, write\); it was not made: free space/)
  } finally {
    ;(fs as { writeSync: unknown }).writeSync = writeSync
  }
  t.is(fs.statSync(journalOf(dir)).size, size, 'the half line was cut back off')
  first.append('c')
  first.store.abandon()
  t.deepEqual(open(dir).part.items, ['a', 'c'])
})

test('state-store: the state an older daemon left (no checksums) is read, its secrets masked, and rewritten with checksums', async (t) => {
  const dir = await tempDir('store-legacy')
  const task = { id: 'A_1', family: 'A', params: { password: 'hunter2' }, kind: 'task', priority: 0, resources: {}, deps: [], status: 'FAILED', known: true, workers: ['w1'], seq: 0, addedAt: 1, updatedAt: 1, attempts: 1, failures: [1], error: { message: 'connect postgres://etl:hunter2@db/x refused' } }
  await fsp.writeFile(snapshotOf(dir), JSON.stringify({ version: 1, seq: 3, savedAt: 'then', parts: { scheduler: { version: 1, tasks: [task], workers: [], runs: [], lastGetWork: [] } } }))
  const add = { op: 'add', at: 2, workerId: 'w2', tasks: [{ id: 'B_1', family: 'B', params: { token: 'hunter2' }, kind: 'task', deps: [], status: 'PENDING', priority: 0, resources: {} }] }
  await fsp.writeFile(journalOf(dir), `${JSON.stringify({ seq: 2, part: 'scheduler', op: { op: 'retry', at: 1, taskId: 'A_1' } })}\n${JSON.stringify({ seq: 4, part: 'scheduler', op: add })}\n`)
  const daemon = await startSchedulerDaemon({ port: 0, stateDir: dir, history: false })
  t.is(daemon.scheduler.task('A_1')!.error!.message, 'connect postgres://etl:***@db/x refused')
  t.deepEqual(daemon.scheduler.task('B_1')!.params, { token: '***' })
  await daemon.close()
  const state = await fsp.readFile(snapshotOf(dir), 'utf8')
  t.false(state.includes('hunter2'))
  t.regex(state, /^\{"version":2,.*"sha256":"[0-9a-f]{64}"\}$/)
})
