import { spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import test from 'ava'
import { LocalStorage } from '../../src/lake/local-storage.js'
import { tempDir } from '../helpers/sandbox.js'

async function lake(t: { teardown(fn: () => Promise<void>): void }): Promise<{ root: string; storage: LocalStorage }> {
  const root = await tempDir('etl-lake-')
  t.teardown(() => fs.rm(root, { recursive: true, force: true }))
  return { root, storage: new LocalStorage(root) }
}

test('local-storage: a lake file still being written is never listed, only once it is whole', async (t) => {
  const { root, storage } = await lake(t)
  await storage.put('orders/done.csv', 'id\n1\n')
  const body = new Readable({ read() {} })
  body.push('id\n')
  const writing = storage.put('orders/half.csv', body)
  // The write is under way once its temp file is there.
  for (let waited = 0; (await fs.readdir(path.join(root, 'orders'))).length < 2 && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10))
  t.deepEqual((await storage.list('orders/')).map((object) => object.key), ['orders/done.csv'])
  body.push(null)
  await writing
  t.deepEqual((await storage.list('orders/')).map((object) => object.key), ['orders/done.csv', 'orders/half.csv'])
})

test('local-storage: temp files a killed writer left, in this or an older etl\'s naming, are never listed', async (t) => {
  const { root, storage } = await lake(t)
  await storage.put('orders/done.csv', 'id\n1\n')
  const dead = spawnSync('true').pid!
  for (const name of [`.done.csv.tmp-${dead}-0`, `.done.csv.tmp-${dead}-0badc0de`, `.done.csv.tmp-${dead}-0badc0de-7`]) {
    await fs.writeFile(path.join(root, 'orders', name), 'id\n')
  }
  t.deepEqual((await storage.list('orders/')).map((object) => object.key), ['orders/done.csv'])
})
