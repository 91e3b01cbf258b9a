import { createHash } from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { acquireRunLock } from 'etl'
import { BundleCache, contentStamp } from '../../src/cli/bundle-cache.js'
import { otherUser, runAs, scratchFolder, sharedTempFolder, type OtherUser } from '../helpers/other-user.js'

// Each test points the temp folder at a shared folder of its own, so they run one at a time.
const CHILD = fileURLToPath(new URL('../fixtures/acquire-default-lock.ts', import.meta.url))
const uid = process.getuid!()

function useTemp(dir: string): void {
  process.env.TMPDIR = dir
  delete process.env.XDG_RUNTIME_DIR
}

/** Runs a shell script as the other user, or as this one when there is none (not root). */
function asAttacker(user: OtherUser | undefined, script: string): void {
  const result = user ? runAs(user, ['sh', '-c', script]) : spawnSync('sh', ['-c', script], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`the attacker's script failed: ${result.stderr}`)
}

/** Where etl put the run lock for `key`, and the temp names it wrote it through, before it had a folder of its own. */
function oldLockPaths(shared: string, key: string): { dir: string; file: string; temps: string[] } {
  const dir = path.join(shared, 'etl-locks')
  const file = path.join(dir, `etl-${createHash('sha1').update(key).digest('hex').slice(0, 16)}.lock`)
  return { dir, file, temps: Array.from({ length: 20 }, (_, n) => `${file}.${process.pid}.${n}.tmp`) }
}

test.serial("run-lock: another local user's links in the shared temp folder never make a run lock or the bundle cache write through them", async (t) => {
  const shared = await sharedTempFolder(t)
  const victim = path.join(await scratchFolder(t), 'root-owned.conf')
  await fs.writeFile(victim, 'precious\n')
  const entry = path.join(await scratchFolder(t), 'tasks.ts')
  await fs.writeFile(entry, 'export const a = 1\n')

  // The attack: links at every name etl's lock and bundle cache used to write to, pointing at a file of this user's.
  const lock = oldLockPaths(shared, 'nightly')
  const cacheDir = path.join(shared, `etl-bundle-cache-${uid}`)
  const cacheFile = path.join(cacheDir, `${createHash('sha256').update(`${path.resolve(entry)}\nrecipe`).digest('hex').slice(0, 24)}.json`)
  const links = [...lock.temps, `${cacheFile}.${process.pid}.tmp`].map((name) => `ln -s '${victim}' '${name}'`)
  asAttacker(otherUser(), `mkdir -m 777 '${lock.dir}' '${cacheDir}' && ${links.join(' && ')}`)

  useTemp(shared)
  const held = await acquireRunLock('nightly')
  t.true(held.acquired)
  if (held.acquired) await held.lock.release()
  new BundleCache(entry, 'recipe').put(new Map([[entry, contentStamp(await fs.readFile(entry))]]), 'export const code = 1')
  t.is(new BundleCache(entry, 'recipe').get(), 'export const code = 1')

  t.is(await fs.readFile(victim, 'utf8'), 'precious\n', 'the file behind the links is untouched')
})

test.serial('run-lock: a lock file another local user plants, naming a live process, never makes a run stop as already running', async (t) => {
  const shared = await sharedTempFolder(t)
  const other = otherUser()
  // The attack: a live process of the attacker's that looks like etl, and a lock naming it.
  const decoy = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'etl'], other ? { uid: other.uid, gid: other.gid, stdio: 'ignore' } : { stdio: 'ignore' })
  t.teardown(() => decoy.kill('SIGKILL'))
  const lock = oldLockPaths(shared, 'nightly')
  const holder = JSON.stringify({ pid: decoy.pid, host: os.hostname(), startedAt: new Date().toISOString(), key: 'nightly', execPath: process.execPath })
  asAttacker(other, `mkdir -m 777 '${lock.dir}' && printf '%s' '${holder}' > '${lock.file}'`)

  useTemp(shared)
  const result = await acquireRunLock('nightly')
  t.true(result.acquired, 'the planted lock does not hold this user\'s run')
  if (result.acquired) await result.lock.release()
})

test.serial("run-lock: a second local user takes a run lock while the first user's lock folder exists", async (t) => {
  const shared = await sharedTempFolder(t)
  useTemp(shared)
  const other = otherUser()
  if (other) {
    const first = await acquireRunLock('nightly')
    if (!first.acquired) return t.fail('the first user must get the lock')
    t.teardown(() => first.lock.release())
  } else {
    // No second user: a lock folder this user cannot write to stands in for the first user's.
    await fs.mkdir(path.join(shared, 'etl-locks'), { mode: 0o555 })
  }

  const args = ['--import', 'tsx', '--conditions=etl-source', CHILD, 'nightly']
  const env = { TMPDIR: shared, XDG_RUNTIME_DIR: '' }
  const second = other ? runAs(other, [process.execPath, ...args], env) : spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' })
  t.is(second.stdout, 'acquired', second.stderr)
})
