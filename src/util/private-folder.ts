import fs from 'node:fs'
import path from 'node:path'
import { EtlError } from '../errors.js'
import { currentUserId } from './current-user-id.js'

/**
 * Makes `dir` a folder only this user can use (created 0700), or refuses with an
 * `ETL_ERR_LOCAL_FOLDER_UNSAFE` naming it, what is wrong and the fix. A folder that already exists
 * is checked the way ssh and tmux check theirs: not a symbolic link, owned by this user, closed to
 * group and others. In a shared folder such as /tmp anyone may have made the name first, to plant
 * files etl would trust or links it would write through; `otherwise` is the caller's way out (say,
 * another TMPDIR), added to the message.
 */
export function ensurePrivateFolder(dir: string, otherwise: string): string {
  fs.mkdirSync(path.dirname(dir), { recursive: true })
  try {
    fs.mkdirSync(dir, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const problem = whatIsWrong(dir)
  if (problem) {
    throw new EtlError('ETL_ERR_LOCAL_FOLDER_UNSAFE', `the folder ${dir} ${problem.what}, so another local user could plant or replace files etl trusts; ${problem.fix}, or ${otherwise}`)
  }
  return dir
}

/** What makes `dir` unsafe, if anything; read without following a link, which would be the attack. */
function whatIsWrong(dir: string): { what: string; fix: string } | undefined {
  const stat = fs.lstatSync(dir)
  if (stat.isSymbolicLink()) return { what: `is a symbolic link (to ${fs.readlinkSync(dir)})`, fix: 'remove the link' }
  if (!stat.isDirectory()) return { what: 'is not a folder', fix: 'remove it' }
  const uid = currentUserId()
  if (uid === undefined) return undefined // no owners or modes to check (Windows: the temp folder is per user there)
  if (stat.uid !== uid) return { what: `belongs to uid ${stat.uid}, not to you (uid ${uid})`, fix: 'have its owner or root remove it' }
  if ((stat.mode & 0o077) !== 0) {
    return { what: `is open to other users (mode ${(stat.mode & 0o777).toString(8)})`, fix: `close it with chmod 700 ${dir}` }
  }
  return undefined
}
