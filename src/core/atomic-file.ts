import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { renameDurably, renameDurablySync, syncFile, syncFileSync } from './durable-fs.js'
import { tempPathFor } from './temp-name.js'

// Creating a folder that already exists still costs a syscall; a run writes thousands of markers into
// the same few folders, so each folder is created once per process.
const knownDirs = new Set<string>()

async function ensureDir(dir: string): Promise<void> {
  if (knownDirs.has(dir)) return
  await fs.mkdir(dir, { recursive: true })
  knownDirs.add(dir)
}

/**
 * Writes `data` to `file` so that readers see either nothing or the whole file: the bytes go to a temp
 * file that is synced to the disk, renamed over `file`, and the folder synced after, so `file` is there
 * only once it is complete and on disk: a crash or a power loss at any point leaves the old `file` or
 * the new one, never a short or empty one, and at most a hidden temp file (named by `tempPathFor`, so
 * listings skip it). The temp file is created exclusively: a link planted at its name is never written
 * through. A write that fails, at the sync too, leaves no `file`.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array | Readable): Promise<void> {
  await ensureDir(path.dirname(file))
  if (typeof data === 'string' || data instanceof Uint8Array) {
    try {
      return await writeOnce(file, data)
    } catch (error) {
      // The folder was created earlier in this process but has since been removed (item markers are
      // cleared after a task succeeds; a user may delete output/): create it again and retry once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      knownDirs.delete(path.dirname(file))
      await ensureDir(path.dirname(file))
    }
  }
  return writeOnce(file, data)
}

async function writeOnce(file: string, data: string | Uint8Array | Readable): Promise<void> {
  const temp = tempPathFor(file)
  try {
    const handle = await fs.open(temp, 'wx')
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data)
      // Each chunk from where the last ended; writeFile writes all of it, where write may take less.
      else for await (const chunk of data) await handle.writeFile(chunk as string | Uint8Array)
      await syncFile(handle, file)
    } finally {
      await handle.close()
    }
    await renameDurably(temp, file)
  } catch (error) {
    await fs.rm(temp, { force: true })
    throw error
  }
}

/**
 * {@link writeFileAtomic} for code that must not yield (the daemon's snapshot, written under its
 * lock). `mode` is the new file's (0o600 for what only this user may read). The folder must exist.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, mode = 0o666): void {
  const temp = tempPathFor(file)
  try {
    const fd = fsSync.openSync(temp, 'wx', mode)
    try {
      writeFully(fd, typeof data === 'string' ? Buffer.from(data) : data)
      syncFileSync(fd, file)
    } finally {
      fsSync.closeSync(fd)
    }
    renameDurablySync(temp, file)
  } catch (error) {
    fsSync.rmSync(temp, { force: true })
    throw error
  }
}

/** Writes all of `bytes`: a write to a file may take less than it was given. */
function writeFully(fd: number, bytes: Uint8Array): void {
  let written = 0
  while (written < bytes.length) written += fsSync.writeSync(fd, bytes, written, bytes.length - written)
}

/** Forgets the folders this process created, for tests that delete them. @internal */
export function forgetCreatedDirs(): void {
  knownDirs.clear()
}
