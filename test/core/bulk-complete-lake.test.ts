import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'
import { LocalStorage, S3Storage, StorageTarget, Task, checkInBulk, param, type ListRange, type Storage, type TaskLike } from 'etl'
import { randomName } from '../helpers/databases.js'
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js'
import { useTempLayout } from '../helpers/sandbox.js'

await useTempLayout()

let s3: S3TestServer
test.before(async () => {
  s3 = await startS3Server()
})
test.after.always(async () => {
  await s3?.stop()
})

/** A real storage that counts how it was asked: one call per existence check, one per listing. */
class CountedStorage implements Storage {
  readonly #inner: Storage
  readonly calls = { exists: 0, list: 0 }
  /** The objects each listing answered with. */
  readonly listed: number[] = []
  constructor(inner: Storage) {
    this.#inner = inner
  }
  get location() {
    return this.#inner.location
  }
  get listingPays() {
    return this.#inner.listingPays
  }
  put(...args: Parameters<Storage['put']>) {
    return this.#inner.put(...args)
  }
  get(key: string) {
    return this.#inner.get(key)
  }
  exists(key: string) {
    this.calls.exists += 1
    return this.#inner.exists(key)
  }
  async list(prefix?: string, range?: ListRange) {
    this.calls.list += 1
    const objects = await this.#inner.list(prefix, range)
    this.listed.push(objects.length)
    return objects
  }
  delete(key: string) {
    return this.#inner.delete(key)
  }
  uri(key: string) {
    return this.#inner.uri(key)
  }
  close() {
    return this.#inner.close()
  }
}

const lakes = new Map<string, CountedStorage>()

/** A daily partition in the lake, as a Luigi task writing `landing/orders/date=…/part.csv` to S3 would have. */
class DailyPartition extends Task.with({ date: param.date(), lake: param.string() }) {
  override output() {
    return new StorageTarget(lakes.get(this.params.lake)!, `landing/orders/date=${this.params.date}/part-0000.csv`)
  }
}

/** A task whose lake object is at the lake's root: nothing to list it under but the whole lake. */
class AtRoot extends Task.with({ n: param.int(), lake: param.string() }) {
  override output() {
    return new StorageTarget(lakes.get(this.params.lake)!, `root-${this.params.n}.csv`)
  }
}

/** A daily partition of any table, and an object named by a test, for the grouping tests. */
class TablePartition extends Task.with({ table: param.string(), date: param.date(), lake: param.string() }) {
  override output() {
    return new StorageTarget(lakes.get(this.params.lake)!, `landing/${this.params.table}/date=${this.params.date}/part-0000.csv`)
  }
}
class NamedObject extends Task.with({ key: param.string(), lake: param.string() }) {
  override output() {
    return new StorageTarget(lakes.get(this.params.lake)!, this.params.key)
  }
}

const STORAGES: Record<string, () => Promise<{ storage: Storage; cleanup: () => Promise<void> }>> = {
  local: async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-lake-'))
    return { storage: new LocalStorage(root), cleanup: () => fs.rm(root, { recursive: true, force: true }) }
  },
  s3: async () => {
    const storage = new S3Storage({ ...(await s3.lake(randomName('bucket').replace(/_/g, '-'), 'etl/lake')) })
    return { storage, cleanup: () => storage.close() }
  },
}

function day(index: number): string {
  return new Date(Date.UTC(2024, 0, 1 + index)).toISOString().slice(0, 10)
}

async function perTask(tasks: readonly TaskLike[]): Promise<boolean[]> {
  return Promise.all(tasks.map((task) => task.complete()))
}

for (const [kind, open] of Object.entries(STORAGES)) {
  test(`bulk-complete: ${kind} lake: 30 daily partitions, 10 written, are answered as each task would answer, from one listing on S3`, async (t) => {
    const { storage, cleanup } = await open()
    t.teardown(cleanup)
    const lake = randomName('lake')
    const counted = new CountedStorage(storage)
    lakes.set(lake, counted)
    const tasks = Array.from({ length: 30 }, (_, i) => new DailyPartition({ date: day(i), lake }))
    for (const [i, task] of tasks.entries()) if (i % 3 === 0) await storage.put((task.output() as StorageTarget).key, 'id\n1\n')
    // Another table's partitions and a half-named neighbour under the same folders are not taken for them.
    await storage.put('landing/customers/date=2024-01-02/part-0000.csv', 'id\n')
    await storage.put('landing/orders/date=2024-01-02/part-0000.csv.bak', 'id\n')

    const bulk = await checkInBulk(tasks)
    // S3 is listed once; a local lake answers a check per key faster than a walk, and is asked so.
    t.deepEqual(counted.calls, kind === 's3' ? { exists: 0, list: 1 } : { exists: 30, list: 0 })
    const expected = await perTask(tasks)
    t.deepEqual(
      bulk.map((check) => check.complete),
      expected,
    )
    t.is(expected.filter(Boolean).length, 10)
  })

  test(`bulk-complete: ${kind} lake: two tables' partitions are listed apart on S3, and a key at the root is never answered from a folder's listing`, async (t) => {
    const { storage, cleanup } = await open()
    t.teardown(cleanup)
    const lake = randomName('lake')
    const counted = new CountedStorage(storage)
    lakes.set(lake, counted)
    const orders = Array.from({ length: 10 }, (_, i) => new TablePartition({ table: 'orders', date: day(i), lake }))
    const customers = Array.from({ length: 9 }, (_, i) => new TablePartition({ table: 'customers', date: day(i), lake }))
    // Its name is the first folder's and one letter more: a prefix match would take it for one of that folder's.
    const rooted = new NamedObject({ key: 'landingX', lake })
    for (const task of [orders[0]!, customers[8]!, rooted]) await storage.put((task.output() as StorageTarget).key, 'x\n')
    // A table between the two, which neither listing may read.
    for (let i = 0; i < 20; i++) await storage.put(`landing/events/date=${day(i)}/part-0000.csv`, 'x\n')
    const bulk = await checkInBulk([...orders, ...customers, rooted])
    t.deepEqual(counted.calls, kind === 's3' ? { exists: 1, list: 2 } : { exists: 20, list: 0 })
    t.true(counted.listed.every((objects) => objects <= 10), `listed ${counted.listed.join(', ')} objects`)
    t.deepEqual(
      bulk.map((check) => check.complete),
      await perTask([...orders, ...customers, rooted]),
    )
    t.true(bulk.at(-1)!.complete)
  })

  test(`bulk-complete: ${kind} lake: objects at the lake's root, or too few to list for, are asked one by one`, async (t) => {
    const { storage, cleanup } = await open()
    t.teardown(cleanup)
    const lake = randomName('lake')
    const counted = new CountedStorage(storage)
    lakes.set(lake, counted)
    const rooted = Array.from({ length: 10 }, (_, n) => new AtRoot({ n, lake }))
    const few = [0, 1, 2].map((i) => new DailyPartition({ date: day(i), lake }))
    await storage.put('root-3.csv', 'x\n')
    await storage.put((few[1]!.output() as StorageTarget).key, 'x\n')
    const bulk = await checkInBulk([...rooted, ...few])
    t.deepEqual(counted.calls, { exists: 13, list: 0 })
    t.deepEqual(
      bulk.map((check) => check.complete),
      [false, false, false, true, false, false, false, false, false, false, false, true, false],
    )
  })
}

test('bulk-complete: s3 lake: ten days checked among years of partitions list only from the first day to the last', async (t) => {
  const storage = new S3Storage(await s3.lake(randomName('bucket').replace(/_/g, '-'), 'etl/lake'))
  t.teardown(() => storage.close())
  const lake = randomName('lake')
  const counted = new CountedStorage(storage)
  lakes.set(lake, counted)
  // 600 days written: the listing under landing/orders/ would answer 600 objects.
  for (let i = 0; i < 600; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => storage.put(`landing/orders/date=${day(i + j)}/part-0000.csv`, 'id\n')))
  const week = Array.from({ length: 10 }, (_, i) => new DailyPartition({ date: day(300 + i), lake }))
  const bulk = await checkInBulk(week)
  t.deepEqual(counted.calls, { exists: 0, list: 1 })
  t.true(counted.listed[0]! <= 10, `listed ${counted.listed[0]} objects for 10 wanted`)
  t.true(bulk.every((check) => check.complete))
  const beyond = [new DailyPartition({ date: day(700), lake }), ...Array.from({ length: 9 }, (_, i) => new DailyPartition({ date: day(590 + i), lake }))]
  t.deepEqual(
    (await checkInBulk(beyond)).map((check) => check.complete),
    [false, true, true, true, true, true, true, true, true, true],
  )
})
