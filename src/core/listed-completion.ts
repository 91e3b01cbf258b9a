import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import type { StorageTarget } from '../lake/storage-target.js'
import { isPlainLakeTarget, lookUpInLake } from './lake-listing.js'
import { LocalTarget } from './local-target.js'
import { outputTargets, usesDefaultCompleteness } from './task.js'
import type { TaskLike } from './task-like.js'

/**
 * Below this many files wanted from one folder (or S3 objects from one group of folders), a check
 * per file is cheaper than listing the folder (which may hold years of markers).
 */
export const LISTING_MIN_FILES = 8

/** The files one folder must hold, and what listing it found (undefined until listed). */
interface FolderCheck {
  files: string[]
  present?: (file: string) => boolean
}

/** An output the listings may answer for: a local file, or an object in the lake (where its storage says a listing pays). */
type ListableOutput = LocalTarget | StorageTarget

/**
 * Answers, without one check per task, the tasks whose completeness is the default (every output
 * exists) and whose outputs are plain local files such as their markers, or objects in S3:
 * each folder they write to is listed once (one `readdir` for a year of daily markers; a few
 * ListObjects pages for a year of S3 partitions) and each output looked up in the listing.
 * Gives `undefined` for a task it cannot answer that way (its own `complete()`, another kind of
 * target, an `output()` that throws, an object no listing covered), which the caller checks one by one.
 */
export async function completeByListing(tasks: readonly TaskLike[]): Promise<(boolean | undefined)[]> {
  const outputs = tasks.map(listableOutputs)
  const folders = new Map<string, FolderCheck>()
  const objects: StorageTarget[] = []
  for (const target of outputs.flatMap((targets) => targets ?? [])) {
    if (!(target instanceof LocalTarget)) {
      objects.push(target)
      continue
    }
    const dir = path.dirname(target.path)
    const folder = folders.get(dir) ?? { files: [] }
    folder.files.push(target.path)
    folders.set(dir, folder)
  }
  for (const [dir, folder] of folders) folder.present = folder.files.length < LISTING_MIN_FILES ? existsSync : listing(dir)
  const inLake = await lookUpInLake(objects, LISTING_MIN_FILES)
  const present = (target: ListableOutput) => (target instanceof LocalTarget ? folders.get(path.dirname(target.path))!.present!(target.path) : inLake(target))
  return outputs.map((targets) => {
    if (!targets) return undefined
    const answers = targets.map(present)
    return answers.includes(undefined) ? undefined : answers.every(Boolean)
  })
}

/** The outputs of a task answered by its outputs alone, or undefined when it is not such a task. */
function listableOutputs(task: TaskLike): ListableOutput[] | undefined {
  if (task.kind === 'wrapper' || !usesDefaultCompleteness(task)) return undefined
  let targets
  try {
    targets = outputTargets(task)
  } catch {
    return undefined
  }
  // No outputs means never complete, which `complete()` says itself; another exists() may mean more than a file.
  if (targets.length === 0 || !targets.every((target) => isPlainLocalTarget(target) || isPlainLakeTarget(target))) return undefined
  return targets as ListableOutput[]
}

function isPlainLocalTarget(target: unknown): target is LocalTarget {
  return target instanceof LocalTarget && target.exists === LocalTarget.prototype.exists
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
