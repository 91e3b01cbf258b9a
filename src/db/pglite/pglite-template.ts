import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { installedVersion } from '../../util/installed-version.js'
import { DATA_VERSION_FILE } from './pglite-data-version.js'

/**
 * Creating a PGlite folder runs initdb inside WebAssembly: 4–6 s, while copying an empty cluster
 * takes a fraction of a second. The first embedded database a machine creates is kept, closed and
 * untouched, as a template per PGlite build; every later new folder starts as a copy of it. A copied
 * cluster is a whole cluster: nothing is shared with the template once copied.
 */
export async function seedFromTemplate(dataDir: string, create: (dir: string) => Promise<PGlite>): Promise<void> {
  if (await isCluster(dataDir)) return
  const template = await ensureTemplate(create)
  await fs.mkdir(path.dirname(dataDir), { recursive: true })
  const staging = `${dataDir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  await fs.cp(template, staging, { recursive: true, filter: (source) => path.basename(source) !== DATA_VERSION_FILE })
  try {
    // An empty folder the user made (or `mkdir -p`) is replaced; a partial copy never appears as a cluster.
    await fs.rmdir(dataDir).catch(() => undefined)
    await fs.rename(staging, dataDir)
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true })
    if (!(await isCluster(dataDir))) throw error
  }
}

/** Where templates live: one per PGlite build, since a cluster's format belongs to its engine. */
export function templateRoot(): string {
  return process.env.ETL_PGLITE_TEMPLATE_DIR ?? path.join(os.tmpdir(), 'etl-pglite-templates')
}

async function ensureTemplate(create: (dir: string) => Promise<PGlite>): Promise<string> {
  const template = path.join(templateRoot(), `pglite-${installedVersion('@electric-sql/pglite')}`)
  if (await isCluster(template)) return template
  await fs.mkdir(templateRoot(), { recursive: true })
  const staging = `${template}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  const db = await create(staging)
  await db.close()
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
async function isCluster(dir: string): Promise<boolean> {
  return fs.access(path.join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  )
}
