import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import test from 'ava'
import { LocalStorage } from '../../src/lake/local-storage.js'
import { S3Storage } from '../../src/lake/s3-storage.js'
import { S3Target } from '../../src/lake/s3-target.js'
import type { Storage } from '../../src/lake/storage.js'
import { StorageTarget } from '../../src/lake/storage-target.js'
import { randomName } from '../helpers/databases.js'
import { startS3Server, type S3TestServer } from '../helpers/s3-server.js'

let s3: S3TestServer
test.before(async () => {
  s3 = await startS3Server()
})
test.after.always(async () => {
  await s3?.stop()
})


const STORAGES: Record<string, () => Promise<{ storage: Storage; cleanup: () => Promise<void> }>> = {
  local: async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-lake-'))
    return { storage: new LocalStorage(root), cleanup: () => fs.rm(root, { recursive: true, force: true }) }
  },
  s3: async () => {
    const storage = new S3Storage({ ...(await s3.lake(randomName('bucket').replace(/_/g, '-'), 'etl/lake')), partSizeMb: 5 })
    return { storage, cleanup: () => storage.close() }
  },
}

for (const [kind, open] of Object.entries(STORAGES)) {
  const withStorage = (run: (storage: Storage) => Promise<void>) => async () => {
    const { storage, cleanup } = await open()
    try {
      await run(storage)
    } finally {
      await cleanup()
    }
  }

  test(`lake ${kind}: put streams an object that get reads back byte for byte`, async (t) => {
    await withStorage(async (lake) => {
      const body = 'id,name\n1,Zürich 東京\n2,"a,""b"""\n'
      const put = await lake.put('landing/orders/seq=1/orders.csv', Readable.from([body.slice(0, 5), body.slice(5)]))
      t.is(put.size, Buffer.byteLength(body))
      t.is(await text(await lake.get('landing/orders/seq=1/orders.csv')), body)
      await lake.put('landing/orders/seq=1/orders.csv', 'replaced')
      t.is(await text(await lake.get('landing/orders/seq=1/orders.csv')), 'replaced')
    })()
  })

  test(`lake ${kind}: a listing given a range holds every key in it, in key order (on S3 no others)`, async (t) => {
    await withStorage(async (lake) => {
      const keys = ['d/2024-01-01.csv', 'd/2024-01-02.csv', 'd/2024-01-03.csv', 'd/2024-01-04.csv', 'd/2024-01-05.csv']
      for (const key of keys) await lake.put(key, key)
      // Folders below the prefix before and after the range, and neighbours of the prefix.
      for (const key of ['c/2024-01-03.csv', 'e/2024-01-03.csv', 'd/2024-01-01/part.csv', 'd/2024-01-09/part.csv']) await lake.put(key, key)
      const listed = (await lake.list('d/', { startAfter: 'd/2024-01-02.cs', endAt: 'd/2024-01-04.csv' })).map((object) => object.key)
      // A range is a hint a store may list more than (the local lake does): what is in it must be there, in order.
      t.deepEqual(
        listed.filter((key) => key >= 'd/2024-01-02.csv' && key <= 'd/2024-01-04.csv'),
        ['d/2024-01-02.csv', 'd/2024-01-03.csv', 'd/2024-01-04.csv'],
      )
      t.deepEqual(listed, [...listed].sort())
      if (kind === 's3') t.deepEqual(listed, ['d/2024-01-02.csv', 'd/2024-01-03.csv', 'd/2024-01-04.csv'], 'S3 starts and stops at the range')
    })()
  })

  test(`lake ${kind}: list finds objects by prefix in key order, exists and delete work on keys`, async (t) => {
    await withStorage(async (lake) => {
      for (const key of ['b/2.csv', 'a/1.csv', 'a/sub/3.csv', 'ab.csv']) await lake.put(key, key)
      t.deepEqual((await lake.list('a/')).map((object) => object.key), ['a/1.csv', 'a/sub/3.csv'])
      t.deepEqual((await lake.list('a')).map((object) => object.key), ['a/1.csv', 'a/sub/3.csv', 'ab.csv'])
      t.is((await lake.list()).length, 4)
      t.is((await lake.list('a/1'))[0]?.size, 7)
      t.true(await lake.exists('b/2.csv'))
      await lake.delete('b/2.csv')
      await lake.delete('b/2.csv')
      t.false(await lake.exists('b/2.csv'))
      t.false(await lake.exists('a'))
    })()
  })

  test(`lake ${kind}: a missing object and a bad key are clear errors`, async (t) => {
    await withStorage(async (lake) => {
      const missing = await t.throwsAsync(lake.get('nope/x.csv'))
      t.is((missing as { code?: string }).code, 'ETL_ERR_LAKE_NOT_FOUND')
      t.regex(missing.message, /"nope\/x\.csv"/)
      for (const bad of ['../etc/passwd', '/abs', 'a//b', '']) {
        const error = await t.throwsAsync(lake.put(bad, 'x'))
        t.is((error as { code?: string }).code, 'ETL_ERR_LAKE_KEY_INVALID')
      }
    })()
  })

  test(`lake ${kind}: a put whose stream fails leaves no object behind`, async (t) => {
    await withStorage(async (lake) => {
      async function* failing() {
        yield Buffer.alloc(6 * 1024 * 1024, 'x')
        throw new Error('source died')
      }
      await t.throwsAsync(lake.put('partial.csv', failing()))
      t.false(await lake.exists('partial.csv'))
      t.deepEqual(await lake.list(), [])
    })()
  })

  test(`lake ${kind}: a StorageTarget exists once its object is written and is removed with it`, async (t) => {
    await withStorage(async (lake) => {
      const target = new StorageTarget(lake, 'out/report.csv')
      t.false(await target.exists())
      await lake.put('out/report.csv', 'x')
      t.true(await target.exists())
      await target.remove()
      t.false(await target.exists())
    })()
  })
}

test('lake s3: a large object goes up as a multipart upload and reads back whole', async (t) => {
  const storage = new S3Storage({ ...(await s3.lake('multipart-bucket')), partSizeMb: 5 })
  const part = Buffer.alloc(1024 * 1024, 'abcdefgh')
  async function* twelveMb() {
    for (let i = 0; i < 12; i++) yield part
  }
  t.is((await storage.put('big/file.bin', twelveMb())).size, 12 * 1024 * 1024)
  let size = 0
  for await (const chunk of await storage.get('big/file.bin')) size += (chunk as Buffer).length
  t.is(size, 12 * 1024 * 1024)
  const target = new S3Target(storage, 'big/file.bin')
  t.is(target.toString(), 's3://multipart-bucket/big/file.bin')
  t.true(await target.exists())
  await storage.close()
})

test('lake s3: a missing bucket and an unreachable endpoint are errors naming the fix', async (t) => {
  const config = await s3.lake('some-bucket')
  const noBucket = new S3Storage({ ...config, bucket: 'no-such-bucket' })
  const error = await t.throwsAsync(noBucket.put('x.csv', 'x'))
  t.is((error as { code?: string }).code, 'ETL_ERR_LAKE_NOT_FOUND')
  t.regex(error.message, /bucket "no-such-bucket" does not exist; create it/)
  const unreachable = new S3Storage({ ...config, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 })
  const down = await t.throwsAsync(unreachable.exists('x.csv'))
  t.is((down as { code?: string }).code, 'ETL_ERR_LAKE_UNREACHABLE')
  t.false(down.message.includes(config.secretAccessKey ?? '\0'))
  await noBucket.close()
  await unreachable.close()
})

/**
 * A TCP proxy in front of the S3 server that resets the connection carrying the next `GET`, as a
 * server does when it closes an idle keep-alive socket just as the client reuses it.
 */
async function resettingProxy(endpoint: string): Promise<{ endpoint: string; resetNextGet(): void; resets: () => number; close(): Promise<void> }> {
  const upstream = new URL(endpoint)
  let armed = false
  let resets = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const server = net.connect(Number(upstream.port), upstream.hostname)
    for (const socket of [client, server]) {
      sockets.add(socket)
      socket.on('error', () => undefined).on('close', () => sockets.delete(socket))
    }
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.toString('latin1', 0, 4) === 'GET ') {
        armed = false
        resets++
        client.resetAndDestroy()
        server.destroy()
        return
      }
      server.write(chunk)
    })
    server.pipe(client)
    client.on('end', () => server.end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    resetNextGet: () => (armed = true),
    resets: () => resets,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

test('lake s3: a get whose connection is reset is retried and reads the whole object', async (t) => {
  const config = await s3.lake('reset-bucket')
  const proxy = await resettingProxy(config.endpoint!)
  const storage = new S3Storage({ ...config, endpoint: proxy.endpoint })
  const once = new S3Storage({ ...config, endpoint: proxy.endpoint, maxAttempts: 1 })
  try {
    await storage.put('landing/awkward.csv', 'id,label\n1,"\\."\n')
    proxy.resetNextGet()
    t.is(await text(await storage.get('landing/awkward.csv')), 'id,label\n1,"\\."\n')
    t.is(proxy.resets(), 1)
    // Without retries the same reset fails the read: what made the round-trip property flaky.
    proxy.resetNextGet()
    const error = await t.throwsAsync(once.get('landing/awkward.csv'))
    t.is((error as { code?: string }).code, 'ETL_ERR_LAKE_UNREACHABLE')
    t.is(proxy.resets(), 2)
  } finally {
    await storage.close()
    await once.close()
    await proxy.close()
  }
})
