import { readFileSync } from 'node:fs'

/**
 * True when a process with `pid` exists on this machine and has not exited (one we may not signal
 * still exists). A pid that is not a positive integer is no process: `kill(0)` and `kill(-1)` signal
 * whole groups, so a lock file naming one would otherwise count as held for good.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return !isZombie(pid)
}

/**
 * A process that has exited but whose parent has not reaped it yet (a zombie) still answers signal 0,
 * though it holds nothing and never runs again. Linux tells its state in /proc/<pid>/stat: the field
 * after the parenthesised command name, `Z` (zombie) or `X` (dead). Elsewhere, or when /proc cannot be
 * read, it counts as alive: a live holder mistaken for a dead one would be worse.
 */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return false
  }
  const state = stat.charAt(stat.lastIndexOf(')') + 2)
  return state === 'Z' || state === 'X'
}
