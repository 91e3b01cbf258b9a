import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
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
 * file that is renamed over `file` only once it is complete. A crash mid-write leaves at most a hidden
 * temp file (named by `tempPathFor`, so listings skip it), never a partial `file`. The temp file is
 * created exclusively: a link planted at its name is never written through.
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
    if (typeof data === 'string' || data instanceof Uint8Array) await fs.writeFile(temp, data, { flag: 'wx' })
    else await pipeline(data, createWriteStream(temp, { flags: 'wx' }))
    await fs.rename(temp, file)
  } catch (error) {
    await fs.rm(temp, { force: true })
    throw error
  }
}

/** Forgets the folders this process created, for tests that delete them. @internal */
export function forgetCreatedDirs(): void {
  knownDirs.clear()
}
