import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './sandbox.js'

const REPO = fileURLToPath(new URL('../../', import.meta.url))

/** A copy of the project's pipelines, whose dictionaries and SQL a test may edit. */
export interface PipelineProject {
  /** The copy's folder, also the working directory to run `etl` in. */
  readonly cwd: string
  /** Its task module, for `--module`. */
  readonly module: string
  /** The orders dictionary file. */
  readonly dictionary: string
  remove(): Promise<void>
}

/**
 * Copies `tasks/`, `metadata/` and `sql/` into a temp folder, with `etl` resolving to this checkout
 * (as an installed package would), so a test can change a dictionary as a user would without
 * touching the checkout's own.
 */
export async function pipelineProject(): Promise<PipelineProject> {
  const cwd = await tempDir('etl-project-')
  for (const folder of ['tasks', 'metadata', 'sql']) await fs.cp(path.join(REPO, folder), path.join(cwd, folder), { recursive: true })
  // The copy has what an installed project has: its dependencies, and etl itself.
  await fs.mkdir(path.join(cwd, 'node_modules'))
  for (const entry of await fs.readdir(path.join(REPO, 'node_modules'))) {
    if (!entry.startsWith('.')) await fs.symlink(path.join(REPO, 'node_modules', entry), path.join(cwd, 'node_modules', entry), 'dir')
  }
  await fs.symlink(REPO, path.join(cwd, 'node_modules', 'etl'), 'dir')
  return {
    cwd,
    module: path.join(cwd, 'tasks', 'index.ts'),
    dictionary: path.join(cwd, 'metadata', 'orders', 'orders.json'),
    remove: () => fs.rm(cwd, { recursive: true, force: true }),
  }
}

/** Appends a table to a dictionary file, as a user adding a source table would. */
export async function addDictionaryEntry(file: string, entry: Record<string, unknown>): Promise<void> {
  const dictionary = JSON.parse(await fs.readFile(file, 'utf8')) as { tables: unknown[] }
  dictionary.tables.push(entry)
  await fs.writeFile(file, JSON.stringify(dictionary, null, 2))
}
