import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { currentUserId } from './current-user-id.js'
import { ensurePrivateFolder } from './private-folder.js'

/** What the refusal suggests besides fixing the folder. */
const OTHERWISE = 'set TMPDIR (or XDG_RUNTIME_DIR) to a folder of your own'

/**
 * This user's own folder for what etl keeps between runs outside the project: run locks, cached and
 * short-lived task bundles, PGlite templates. It is `$XDG_RUNTIME_DIR/etl` when that folder is set
 * and is this user's (systemd makes it per login, 0700), else `etl-<uid>` in the temp folder, as
 * tmux and ssh-agent do. Either is created 0700 and verified, never trusted by name: see
 * {@link ensurePrivateFolder}.
 */
export function userRuntimeDir(): string {
  // Checked at every use, not once per process: a temp cleaner may remove the folder under a
  // long-running daemon, and someone else may then make it.
  return ensurePrivateFolder(runtimeBase(), OTHERWISE)
}

/** A subfolder of {@link userRuntimeDir}, created 0700 and checked like it. */
export function userRuntimeFolder(name: string): string {
  return ensurePrivateFolder(path.join(userRuntimeDir(), name), OTHERWISE)
}

function runtimeBase(): string {
  const uid = currentUserId()
  const xdg = process.env.XDG_RUNTIME_DIR
  if (xdg && path.isAbsolute(xdg) && isOwnPrivateFolder(xdg, uid)) return path.join(xdg, 'etl')
  return path.join(os.tmpdir(), uid === undefined ? 'etl' : `etl-${uid}`)
}

/**
 * XDG_RUNTIME_DIR is inherited through `su` and `sudo`: another user's is skipped, not written into
 * (and not refused either: the temp folder serves).
 */
function isOwnPrivateFolder(dir: string, uid: number | undefined): boolean {
  try {
    const stat = fs.lstatSync(dir)
    return stat.isDirectory() && (uid === undefined || (stat.uid === uid && (stat.mode & 0o077) === 0))
  } catch {
    return false
  }
}
