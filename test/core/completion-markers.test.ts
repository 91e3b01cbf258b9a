import test from 'ava'
import { CompletionMarkers } from 'etl'
import { uniqueTag, useTempLayout } from '../helpers/sandbox.js'

test.before(async () => {
  await useTempLayout()
})

test('completion-markers: each skips items an earlier attempt finished and marks each one as it ends', async (t) => {
  const markers = new CompletionMarkers('Loop', uniqueTag())
  const seen: string[] = []
  await t.throwsAsync(
    markers.each(['a', 'b', 'c'], async (item) => {
      seen.push(item)
      if (item === 'b') throw new Error('b broke')
      return { rows: 1 }
    }),
  )
  t.deepEqual(seen, ['a', 'b'])
  t.true(await markers.has('a'))
  t.false(await markers.has('b'))
  const outcome = await markers.each(['a', 'b', 'c'], async (item) => {
    seen.push(item)
    return { rows: 2 }
  })
  t.deepEqual(outcome.skipped, ['a'])
  t.deepEqual(outcome.ran.map((ran) => ran.item), ['b', 'c'])
  t.deepEqual(seen, ['a', 'b', 'b', 'c'])
  t.deepEqual((await markers.list()).map((record) => record.item).sort(), ['a', 'b', 'c'])
})

test('completion-markers: item names with slashes or dots stay inside the task folder', async (t) => {
  const markers = new CompletionMarkers('Loop', uniqueTag())
  await markers.mark('../../escape')
  await markers.mark('store.orders')
  t.true(await markers.has('../../escape'))
  t.deepEqual((await markers.list()).map((record) => record.item).sort(), ['../../escape', 'store.orders'])
  await markers.clear()
  t.deepEqual(await markers.list(), [])
})
