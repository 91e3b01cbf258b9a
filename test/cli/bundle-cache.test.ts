import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import test from 'ava'
import { BundleCache, contentStamp } from '../../src/cli/bundle-cache.js'

function fixture() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-bundle-cache-test-'))
  const source = path.join(root, 'tasks.ts')
  fs.writeFileSync(source, 'export const a = 1\n')
  const dir = path.join(root, 'cache')
  return { root, source, dir, cache: new BundleCache(source, 'recipe', dir) }
}

test('bundle cache: a bundle is reused until a file it was built from changes', (t) => {
  const { root, source, cache } = fixture()
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }))
  cache.put(new Map([[source, contentStamp(fs.readFileSync(source))]]), 'code')
  t.is(cache.get(), 'code')
  fs.writeFileSync(source, 'export const a = 2\n')
  t.is(cache.get(), undefined)
})

test('bundle cache: a malformed or planted entry, or a folder others can write to, is never run', (t) => {
  const { root, source, dir, cache } = fixture()
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }))
  cache.put(new Map([[source, contentStamp(fs.readFileSync(source))]]), 'code')
  const [file] = fs.readdirSync(dir)
  const entry = path.join(dir, file as string)
  fs.writeFileSync(entry, JSON.stringify({ stamps: [], code: 'planted' }))
  t.is(cache.get(), undefined, 'no stamps vouch for nothing')
  fs.writeFileSync(entry, JSON.stringify({ code: 'planted' }))
  t.is(cache.get(), undefined, 'a malformed entry is a miss, not an error')
  cache.put(new Map([[source, contentStamp(fs.readFileSync(source))]]), 'code')
  fs.chmodSync(dir, 0o777)
  t.is(cache.get(), undefined, 'a folder anyone can write to is not trusted')
})
