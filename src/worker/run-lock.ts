import { createHash, randomBytes } from 'node:crypto'
import { constants, readFileSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { tempPathFor } from '../core/temp-name.js'
import { isProcessAlive } from '../util/process-alive.js'
import { userRuntimeFolder } from '../util/user-runtime-dir.js'

/** Who holds a lock, as its file records. */
export interface LockHolder {
  pid: number
  host: string
  startedAt: string
  key: string
  /** The holder's executable, to tell a live holder from an unrelated process that reused its pid. */
  execPath: string
  /** Random per acquire, so no two locks read the same (absent from locks older etl versions took). */
  token?: string
}

/** A held run lock; release it when the run ends. */
export interface RunLock {
  readonly file: string
  release(): Promise<void>
}

export type AcquireResult = { acquired: true; lock: RunLock } | { acquired: false; holder: LockHolder; file: string }

/**
 * Where locks live when the config names no `lockDir`: `locks/` in this user's private folder (see
 * `userRuntimeDir`), made and checked on first use. Runs of one user keep each other out; another
 * user neither sees these locks nor can plant one, so two users running the same task are not kept
 * apart: a `lockDir` they share does that.
 */
export function defaultLockDir(): string {
  return userRuntimeFolder('locks')
}

/**
 * Takes the machine-wide lock for one run of `key` (the root task ids plus the marker folder, so two
 * projects never block each other). A second run of the same key finds the lock held and stops. The
 * lock file records the holder's pid: a holder that died (killed, crashed, rebooted) no longer counts,
 * so a crash never leaves the lock stuck.
 */
export async function acquireRunLock(key: string, dir = defaultLockDir()): Promise<AcquireResult> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  const file = path.join(dir, `etl-${createHash('sha1').update(key).digest('hex').slice(0, 16)}.lock`)
  const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), key, execPath: process.execPath, token: randomBytes(8).toString('hex') }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createComplete(file, JSON.stringify(me))) return { acquired: true, lock: { file, release: () => releaseIfMine(file, me) } }
    const seen = await readLock(file)
    await step('read-lock')
    if (seen === 'missing') continue // released meanwhile: try again
    if (seen.holder === 'unreadable') {
      // Locks appear complete (hard link of a finished file), so an unreadable one is damaged: old
      // enough, it is broken like a dead holder's; otherwise someone may still be writing it.
      if (Date.now() - seen.mtimeMs <= UNREADABLE_GRACE_MS) return { acquired: false, holder: me, file }
    } else if (isAlive(seen.holder)) {
      return { acquired: false, holder: seen.holder, file }
    }
    await breakStale(file, seen.identity)
  }
  const last = await readLock(file)
  return { acquired: false, holder: last !== 'missing' && last.holder !== 'unreadable' ? last.holder : me, file }
}

/** Tries per acquire: each lost race over a stale lock costs one. */
const MAX_ATTEMPTS = 50
/** Claims tried per break: each one a breaker killed mid-break left costs one; more is litter someone planted. */
const MAX_CLAIMS = 32
/** How old an unreadable lock file must be before it counts as abandoned. */
const UNREADABLE_GRACE_MS = 10_000

/** Waits a moment at each step of taking a lock, for tests that race many runs through every order. @internal */
export function delayRunLockSteps(hook: ((step: string) => Promise<void>) | undefined): void {
  stepHook = hook
}
let stepHook: ((step: string) => Promise<void>) | undefined
const step = async (name: string): Promise<void> => stepHook?.(name)

/**
 * Creates `file` with `content` only if it does not exist, and only ever complete (a hard link of a
 * written file). The temp file is made exclusively under an unguessable name and `link` never
 * follows a link at `file`: in a lock folder others can write to, nothing planted is written through.
 * Not synced to the disk: a lock only keeps out live runs, and a power loss leaves none.
 */
async function createComplete(file: string, content: string): Promise<boolean> {
  const temp = tempPathFor(file)
  // Readable by others: in a lockDir shared between users, each must be able to read who holds a lock.
  await fs.writeFile(temp, content, { flag: 'wx', mode: 0o644 })
  try {
    await fs.link(temp, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await fs.rm(temp, { force: true })
  }
}

/**
 * Removes a dead holder's lock, the one whose `identity` was read, and never another: a run that reads
 * a lock, is held up, and acts later must not remove the lock a new run took meanwhile.
 *
 * A file system has no "remove if unchanged", so the removal is kept to one breaker per dead lock: a
 * breaker first creates a claim named after that lock (`<lock>.break-<identity>.<n>`, exclusively),
 * then reads the lock again and removes it only if it is still that one. The lock cannot change in
 * between: its holder is dead, and only the claim's holder may remove it. A claim whose holder died
 * (killed mid-break) is never removed by another breaker (removing by name could remove a newer claim
 * put there meanwhile): the next breaker takes claim n+1 instead, and only once claim n's holder is
 * dead, so two live breakers never hold claims on one lock. Once the lock is gone its claims are
 * removed; a late breaker can then claim it again, but it finds a lock of another identity, or none.
 */
async function breakStale(file: string, identity: string): Promise<void> {
  const me = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), key: 'break', execPath: process.execPath })
  for (let n = 0; n < MAX_CLAIMS; n++) {
    const claim = `${file}.break-${identity}.${n}`
    if (await createComplete(claim, me)) {
      await step('claimed')
      try {
        const now = await readLock(file)
        await step('judged-lock')
        if (now !== 'missing' && now.identity === identity) await fs.rm(file, { force: true })
      } finally {
        await removeClaims(file, identity)
      }
      return
    }
    const claimer = await readHolder(claim)
    await step('judged-breaker')
    // Gone: its breaker finished, and the lock it judged with it.
    if (claimer === 'missing') return
    // Claims are created complete, so an unreadable one was damaged, not half-written: it holds nothing.
    if (claimer !== 'unreadable' && isAlive(claimer)) {
      // Someone else is breaking it: wait, then look at the lock again.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20))
      return
    }
  }
}

/** Removes every claim on the lock of `identity`, which is gone: nobody can act on them any more. */
async function removeClaims(file: string, identity: string): Promise<void> {
  const prefix = `${path.basename(file)}.break-${identity}.`
  const names = await fs.readdir(path.dirname(file)).catch(() => [])
  await Promise.all(names.filter((name) => name.startsWith(prefix)).map((name) => fs.rm(path.join(path.dirname(file), name), { force: true })))
}

/**
 * A lock as read: who holds it, and its identity (a hash of its inode and its bytes), which a new lock
 * at the same name never shares: its holder writes its own start time and a random token.
 */
type LockRead = 'missing' | { holder: LockHolder | 'unreadable'; identity: string; mtimeMs: number }

async function readLock(file: string): Promise<LockRead> {
  let handle: fs.FileHandle
  try {
    // Not through a link: a lock is a file this code made, and a link there is someone else's.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
    // A link or a file we may not read, planted there: judged by its own name's entry.
    const stat = await fs.lstat(file).catch(() => undefined)
    if (!stat) return 'missing'
    return { holder: 'unreadable', identity: identityOf(stat, 'unopenable'), mtimeMs: stat.mtimeMs }
  }
  try {
    const stat = await handle.stat()
    const text = await handle.readFile('utf8')
    return { holder: parseHolder(text), identity: identityOf(stat, text), mtimeMs: stat.mtimeMs }
  } finally {
    await handle.close()
  }
}

function identityOf(stat: { dev: number; ino: number }, text: string): string {
  return createHash('sha1').update(`${stat.dev}:${stat.ino}\n${text}`).digest('hex').slice(0, 16)
}

async function readHolder(file: string): Promise<LockHolder | 'missing' | 'unreadable'> {
  let text: string
  try {
    text = await fs.readFile(file, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW })
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable'
  }
  return parseHolder(text)
}

function parseHolder(text: string): LockHolder | 'unreadable' {
  try {
    const holder = JSON.parse(text) as LockHolder
    return holder !== null && typeof holder === 'object' ? holder : 'unreadable'
  } catch {
    return 'unreadable'
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return true // another machine sharing the folder: trust it
  return isProcessAlive(holder.pid) && sameProgram(holder)
}

/** On Linux, a pid reused by another program does not hold the lock. */
function sameProgram(holder: LockHolder): boolean {
  try {
    const cmdline = readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8')
    return cmdline.split('\0')[0] === holder.execPath || cmdline.includes('etl')
  } catch {
    return true
  }
}

/** Removes the lock only while it is still the one `me` took: nobody else's lock is ever released. */
async function releaseIfMine(file: string, me: LockHolder): Promise<void> {
  const holder = await readHolder(file)
  if (typeof holder === 'object' && holder.token === me.token && holder.pid === me.pid) await fs.rm(file, { force: true })
}
