import { createHash } from 'node:crypto'
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
  const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), key, execPath: process.execPath }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createComplete(file, JSON.stringify(me))) return { acquired: true, lock: { file, release: () => releaseIfMine(file) } }
    const holder = await readHolder(file)
    if (holder === 'missing') continue // released meanwhile: try again
    if (holder === 'unreadable') {
      // Locks appear complete (hard link of a finished file), so an unreadable one is damaged: old
      // enough, it is broken like a dead holder's; otherwise someone may still be writing it.
      if (!(await olderThan(file, UNREADABLE_GRACE_MS))) return { acquired: false, holder: me, file }
    } else if (isAlive(holder)) {
      return { acquired: false, holder, file }
    }
    await breakStale(file, holder)
  }
  const holder = await readHolder(file)
  return { acquired: false, holder: typeof holder === 'object' ? holder : me, file }
}

/** Tries per acquire: each lost race over a stale lock costs one. */
const MAX_ATTEMPTS = 50
/** A breaker older than this was left by a run that died mid-break. */
const BREAKER_STALE_MS = 5_000
/** How old an unreadable lock file must be before it counts as abandoned. */
const UNREADABLE_GRACE_MS = 10_000

/**
 * Creates `file` with `content` only if it does not exist, and only ever complete (a hard link of a
 * written file). The temp file is made exclusively under an unguessable name and `link` never
 * follows a link at `file`: in a lock folder others can write to, nothing planted is written through.
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
 * Removes a dead holder's lock. Breaking takes a second, short-lived lock (`<file>.break`), and the
 * holder is read again under it, so of many runs starting together over a stale lock only one removes
 * it, and never a lock another run has just taken.
 */
async function breakStale(file: string, seen: LockHolder | 'unreadable'): Promise<void> {
  const breaker = `${file}.break`
  if (!(await createComplete(breaker, String(process.pid)))) {
    // Someone else is breaking it; a breaker left by a crash mid-break is cleared once it is old.
    if (await olderThan(breaker, BREAKER_STALE_MS)) await fs.rm(breaker, { force: true })
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20))
    return
  }
  try {
    const now = await readHolder(file)
    const same =
      (now === 'unreadable' && seen === 'unreadable') ||
      (typeof now === 'object' && typeof seen === 'object' && now.pid === seen.pid && now.startedAt === seen.startedAt)
    if (same) await fs.rm(file, { force: true })
  } finally {
    await fs.rm(breaker, { force: true })
  }
}

async function readHolder(file: string): Promise<LockHolder | 'missing' | 'unreadable'> {
  let text: string
  try {
    // Not through a link: a lock is a file this code made, and a link there is someone else's.
    text = await fs.readFile(file, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW })
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable'
  }
  try {
    return JSON.parse(text) as LockHolder
  } catch {
    return 'unreadable'
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await fs.lstat(file)).mtimeMs > ms
  } catch {
    return true
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

async function releaseIfMine(file: string): Promise<void> {
  const holder = await readHolder(file)
  if (typeof holder === 'object' && holder.pid === process.pid && holder.host === os.hostname()) await fs.rm(file, { force: true })
}
