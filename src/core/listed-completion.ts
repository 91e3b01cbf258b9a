import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { LocalTarget } from './local-target.js'
import { outputTargets, usesDefaultCompleteness } from './task.js'
import type { TaskLike } from './task-like.js'

/**
 * Below this many files wanted from one folder, a stat per file is cheaper than listing the folder
 * (which may hold years of markers).
 */
export const LISTING_MIN_FILES = 8

/** The files one folder must hold, and what listing it found (undefined until listed). */
interface FolderCheck {
  files: string[]
  present?: (file: string) => boolean
}

/**
 * Answers, without one stat per task, the tasks whose completeness is the default (every output
 * exists) and whose outputs are plain local files such as their markers: each folder they write to is
 * listed once (one `readdir` for a year of daily markers) and each output looked up in the listing.
 * Gives `undefined` for a task it cannot answer that way (its own `complete()`, another kind of
 * target, an `output()` that throws), which the caller checks one by one.
 */
export function completeByListing(tasks: readonly TaskLike[]): (boolean | undefined)[] {
  const outputs = tasks.map(listableOutputs)
  const folders = new Map<string, FolderCheck>()
  for (const files of outputs) {
    for (const file of files ?? []) {
      const dir = path.dirname(file)
      const folder = folders.get(dir) ?? { files: [] }
      folder.files.push(file)
      folders.set(dir, folder)
    }
  }
  for (const [dir, folder] of folders) folder.present = folder.files.length < LISTING_MIN_FILES ? existsSync : listing(dir)
  return outputs.map((files) => files && files.every((file) => folders.get(path.dirname(file))!.present!(file)))
}

/** The output files of a task answered by its outputs alone, or undefined when it is not such a task. */
function listableOutputs(task: TaskLike): string[] | undefined {
  if (task.kind === 'wrapper' || !usesDefaultCompleteness(task)) return undefined
  let targets
  try {
    targets = outputTargets(task)
  } catch {
    return undefined
  }
  // No outputs means never complete, which `complete()` says itself; another exists() may mean more than a file.
  if (targets.length === 0 || !targets.every((target) => target instanceof LocalTarget && target.exists === LocalTarget.prototype.exists)) return undefined
  return targets.map((target) => (target as LocalTarget).path)
}

/**
 * A lookup in one listing of `dir`. A link is looked up for real, as `existsSync` follows it (a
 * dangling one is not there); a folder that is missing holds nothing; one that cannot be listed is
 * asked file by file.
 */
function listing(dir: string): (file: string) => boolean {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return () => false
    return existsSync
  }
  const names = new Set<string>()
  const links = new Set<string>()
  for (const entry of entries) (entry.isSymbolicLink() ? links : names).add(entry.name)
  return (file) => {
    const name = path.basename(file)
    return names.has(name) || (links.has(name) && existsSync(file))
  }
}
