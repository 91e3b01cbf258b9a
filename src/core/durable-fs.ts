import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'

/** The steps that make a write durable, in the order they must happen. */
export type DurableStep = 'fsync-file' | 'rename' | 'fsync-folder'

/** Told of each step before it is taken; a probe that throws makes that step fail. @internal */
export type DurabilityProbe = (step: DurableStep, file: string) => void

let probe: DurabilityProbe | undefined

/**
 * Watches the durable steps this process takes, for tests that check their order or make one fail
 * (as a disk that reports an I/O error at fsync would). Undefined stops watching. @internal
 */
export function watchDurableSteps(next: DurabilityProbe | undefined): void {
  probe = next
}

/**
 * Error codes of a folder that cannot be synced at all (some platforms and file systems refuse to
 * open or sync one): there is nothing more to do there. Any other error (EIO) is a real failure.
 */
const FOLDER_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'ENOTSUP', 'EPERM', 'EACCES', 'EBADF'])

/** Flushes an open file's bytes to the disk: until then a power loss can leave it empty or short. */
export async function syncFile(handle: fsp.FileHandle, file: string): Promise<void> {
  probe?.('fsync-file', file)
  await handle.sync()
}

/** {@link syncFile}, for code that must not yield (the daemon's journal, under its lock). */
export function syncFileSync(fd: number, file: string): void {
  probe?.('fsync-file', file)
  fs.fsyncSync(fd)
}

/**
 * Renames `temp` over `file` and syncs their folder, so the new name survives a power loss too: a
 * rename is a change to the folder, and until the folder is synced it can come back as it was.
 * `temp` must have been synced ({@link syncFile}) first, or the name could point at bytes never written.
 */
export async function renameDurably(temp: string, file: string): Promise<void> {
  probe?.('rename', file)
  await fsp.rename(temp, file)
  await syncFolder(path.dirname(file))
}

/** {@link renameDurably}, for code that must not yield. */
export function renameDurablySync(temp: string, file: string): void {
  probe?.('rename', file)
  fs.renameSync(temp, file)
  syncFolderSync(path.dirname(file))
}

/** Syncs a folder's entries (a file created, renamed or linked into it). */
export async function syncFolder(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined
  try {
    probe?.('fsync-folder', dir)
    handle = await fsp.open(dir, 'r')
    await handle.sync()
  } catch (error) {
    if (!FOLDER_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error
  } finally {
    await handle?.close()
  }
}

/** {@link syncFolder}, for code that must not yield. */
export function syncFolderSync(dir: string): void {
  let fd: number | undefined
  try {
    probe?.('fsync-folder', dir)
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch (error) {
    if (!FOLDER_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
