import fs from 'node:fs/promises'
import path from 'node:path'
import { currentUserId } from '../../util/current-user-id.js'

/**
 * Makes every folder of the cluster at `dir` 0700 and every file 0600, as initdb would. PGlite writes
 * through Emscripten's file system, which creates them 0777 and 0666 whatever the umask: left so,
 * anyone on the machine could rewrite or truncate a database. Run once on a template, whose copies
 * keep its modes.
 */
export async function makeClusterPrivate(dir: string): Promise<void> {
  await fs.chmod(dir, 0o700)
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) await makeClusterPrivate(file)
    else if (entry.isFile()) await fs.chmod(file, 0o600)
  }
}

/**
 * Closes the cluster's own folder to others (0700, which Postgres demands of a data directory): it
 * guards the files PGlite creates later, open as they are, and those of a cluster made before etl
 * made them private. One stat when it already is; a folder of another user's is left as it is.
 */
export async function closeClusterFolder(dir: string): Promise<void> {
  const stat = await fs.lstat(dir)
  const uid = currentUserId()
  if (uid === undefined || stat.uid !== uid || (stat.mode & 0o077) === 0) return
  await fs.chmod(dir, 0o700)
}
