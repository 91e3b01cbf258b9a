import { Readable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { text } from 'node:stream/consumers'
import test from 'ava'
import { tee } from '../../src/util/tee.js'

const chunk = (i: number) => Buffer.from(`${String(i).padStart(6, '0')}\n`.repeat(1000))


test('tee: both branches get every byte of the source, in order', async (t) => {
  const parts = Array.from({ length: 50 }, (_, i) => chunk(i))
  const [a, b] = tee(Readable.from(parts))
  const expected = Buffer.concat(parts).toString()
  t.deepEqual(await Promise.all([text(a), text(b)]), [expected, expected])
})

test('tee: the source is read no faster than the slowest branch takes it, so memory stays flat', async (t) => {
  let pulled = 0
  async function* source() {
    for (let i = 0; i < 1000; i++) {
      pulled++
      yield chunk(i)
    }
  }
  const [fast, slow] = tee(source())
  const fastDone = text(fast)
  await delay(50)
  // Nobody reads `slow` yet: the source waits for it after a few chunks, though `fast` wants more.
  t.true(pulled < 10, `pulled ${pulled} chunks while one branch read nothing`)
  const [fastText, slowText] = await Promise.all([fastDone, text(slow)])
  t.is(pulled, 1000)
  t.is(fastText, slowText)
})

test('tee: a branch its consumer destroys is dropped, and the other branch still gets the whole source', async (t) => {
  const parts = Array.from({ length: 200 }, (_, i) => chunk(i))
  const [kept, dropped] = tee(Readable.from(parts))
  dropped.once('data', () => dropped.destroy())
  t.is(await text(kept), Buffer.concat(parts).toString())
  t.true(dropped.destroyed)
})

test('tee: an error in the source reaches both branches, even one whose consumer starts reading later', async (t) => {
  async function* source() {
    yield chunk(1)
    throw new Error('source went away')
  }
  const [early, late] = tee(source())
  await t.throwsAsync(text(early), { message: 'source went away' })
  await t.throwsAsync(text(late), { message: 'source went away' })
})
