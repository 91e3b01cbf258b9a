import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { installedVersion } from '../../util/installed-version.js'
import { ensurePrivateFolder } from '../../util/private-folder.js'
import { userRuntimeFolder } from '../../util/user-runtime-dir.js'
import { closeClusterFolder, makeClusterPrivate } from './cluster-permissions.js'
import { DATA_VERSION_FILE } from './pglite-data-version.js'

/**
 * Creating a PGlite folder runs initdb inside WebAssembly: 4–6 s, while copying an empty cluster
 * takes a fraction of a second. The first embedded database a user creates is kept, closed and
 * untouched, as a template per PGlite build in that user's private folder; every later new folder
 * starts as a copy of it. A copied cluster is a whole cluster: nothing is shared with the template
 * once copied. Template and copies are 0700 folders of 0600 files; an existing cluster has its
 * folder closed to others when it is opened.
 */
export async function seedFromTemplate(dataDir: string, create: (dir: string) => Promise<PGlite>): Promise<void> {
  if (await isCluster(dataDir)) return closeClusterFolder(dataDir)
  const template = await ensureTemplate(create)
  await fs.mkdir(path.dirname(dataDir), { recursive: true })
  const staging = `${dataDir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  // The copy keeps the template's modes; its top folder is closed here too, in case the template
  // was made by an etl that left it open.
  await fs.cp(template, staging, { recursive: true, filter: (source) => path.basename(source) !== DATA_VERSION_FILE })
  await closeClusterFolder(staging)
  try {
    // An empty folder the user made (or `mkdir -p`) is replaced; a partial copy never appears as a cluster.
    await fs.rmdir(dataDir).catch(() => undefined)
    await fs.rename(staging, dataDir)
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true })
    if (!(await isCluster(dataDir))) throw error
  }
}

/**
 * Where templates live, one per PGlite build since a cluster's format belongs to its engine:
 * `pglite-templates/` in this user's private folder (`userRuntimeDir`), or `ETL_PGLITE_TEMPLATE_DIR`.
 * Either is made 0700 if missing and refused (`ETL_ERR_LOCAL_FOLDER_UNSAFE`) if it is not this user's
 * alone: every new embedded database is a copy of what is in it.
 */
export function templateRoot(): string {
  const chosen = process.env.ETL_PGLITE_TEMPLATE_DIR
  if (!chosen) return userRuntimeFolder('pglite-templates')
  return ensurePrivateFolder(path.resolve(chosen), 'point ETL_PGLITE_TEMPLATE_DIR at a folder of your own')
}

async function ensureTemplate(create: (dir: string) => Promise<PGlite>): Promise<string> {
  const root = templateRoot()
  const template = path.join(root, `pglite-${installedVersion('@electric-sql/pglite')}`)
  if (await isCluster(template)) return template
  const staging = `${template}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  const db = await create(staging)
  await db.close()
  await makeClusterPrivate(staging)
  try {
    await fs.rename(staging, template)
  } catch (error) {
    // Another process made it first: theirs is as good.
    await fs.rm(staging, { recursive: true, force: true })
    if (!(await isCluster(template))) throw error
  }
  return template
}

/** A folder holds a cluster once initdb has written PG_VERSION (PGlite's own test for it). */
export async function isCluster(dir: string): Promise<boolean> {
  return fs.access(path.join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  )
}
