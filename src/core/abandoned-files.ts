import fs from 'node:fs'
import path from 'node:path'
import { isProcessAlive } from '../util/process-alive.js'

/**
 * Removes the files in `dir` whose writer, as `writerOf` reads it from the name, is a process that
 * no longer runs on this machine: the temp files of a run that was killed before it could clean up.
 * Only for folders of this machine (a pid means nothing on another host) that hold few files. Returns
 * how many were removed; a folder that cannot be read has none.
 */
export function removeAbandonedFiles(dir: string, writerOf: (name: string) => number | undefined): number {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return 0
  }
  let removed = 0
  for (const name of names) {
    const pid = writerOf(name)
    if (pid === undefined || pid === process.pid || isProcessAlive(pid)) continue
    fs.rmSync(path.join(dir, name), { force: true })
    removed += 1
  }
  return removed
}
