import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

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

/** Where locks live when the config names no `lockDir`. */
export function defaultLockDir(): string {
  return path.join(os.tmpdir(), 'etl-locks')
}

/**
 * Takes the machine-wide lock for one run of `key` (the root task ids plus the marker folder, so two
 * projects never block each other). A second run of the same key finds the lock held and stops. The
 * lock file records the holder's pid: a holder that died (killed, crashed, rebooted) no longer counts,
 * so a crash never leaves the lock stuck.
 */
export async function acquireRunLock(key: string, dir = defaultLockDir()): Promise<AcquireResult> {
  await fs.mkdir(dir, { recursive: true })
  const file = path.join(dir, `etl-${createHash('sha1').update(key).digest('hex').slice(0, 16)}.lock`)
  const me: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), key, execPath: process.execPath }
  // Two tries: the second follows the removal of a dead holder's file.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(me), { flag: 'wx' })
      return { acquired: true, lock: { file, release: () => releaseIfMine(file) } }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = await readHolder(file)
    if (holder && isAlive(holder)) return { acquired: false, holder, file }
    await fs.rm(file, { force: true })
  }
  const holder = await readHolder(file)
  return { acquired: false, holder: holder ?? me, file }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockHolder
  } catch {
    // Unreadable or half-written by a holder that died mid-write: treat as no holder.
    return undefined
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return true // another machine sharing the folder: trust it
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return sameProgram(holder)
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
  if (holder?.pid === process.pid && holder.host === os.hostname()) await fs.rm(file, { force: true })
}
