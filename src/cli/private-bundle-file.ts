import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { removeAbandonedFiles } from '../core/abandoned-files.js'
import { userRuntimeFolder } from '../util/user-runtime-dir.js'

/** `<pid>-<8 hex>.mjs`: the writer's pid, for sweeping, and `.mjs`, for Node to load it as a module. */
const BUNDLE_FILE = /^(\d+)-[0-9a-f]{8}\.mjs$/

let swept = false

/**
 * Writes a task module's bundle where Node can import it: a new file in this user's private
 * `bundles/` folder (never beside the user's sources, which may be read-only or shared), created
 * exclusively and readable by this user only. The caller removes it once imported; the ones a killed
 * run left behind are removed here, once per process.
 */
export async function writeBundleFile(code: string): Promise<string> {
  const dir = userRuntimeFolder('bundles')
  if (!swept) {
    swept = true
    removeAbandonedFiles(dir, (name) => {
      const match = BUNDLE_FILE.exec(name)
      return match ? Number(match[1]) : undefined
    })
  }
  const file = path.join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.mjs`)
  await fs.writeFile(file, code, { flag: 'wx', mode: 0o600 })
  return file
}
