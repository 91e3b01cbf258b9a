import type { ListRange, Storage } from '../lake/storage.js'
import { StorageTarget } from '../lake/storage-target.js'

/**
 * What one listing per group of lake keys found: for each wanted key, whether it is there, or
 * undefined for a key no listing covered (too few wanted beside it, at the lake's root, or a
 * listing that failed), which its own `exists()` answers.
 */
export type LakeLookup = (target: StorageTarget) => boolean | undefined

/**
 * Lists the lake once per group of wanted keys instead of asking for each: a year of daily
 * partitions in S3 is a few ListObjects pages, not 365 HEAD requests. Keys are grouped per storage
 * by their first folder, and each group with at least `minKeys` keys is listed under the folders
 * all its keys share (`landing/orders/` for `landing/orders/date=…/part.csv`), so a listing never
 * reaches beyond the folders the keys are in.
 */
export async function lookUpInLake(targets: readonly StorageTarget[], minKeys: number): Promise<LakeLookup> {
  const groups = new Map<Storage, Map<string, string[]>>()
  for (const target of targets) {
    const slash = target.key.indexOf('/')
    if (slash <= 0) continue
    const byFolder = groups.get(target.storage) ?? new Map<string, string[]>()
    const first = target.key.slice(0, slash)
    byFolder.set(first, [...(byFolder.get(first) ?? []), target.key])
    groups.set(target.storage, byFolder)
  }
  const found = new Map<Storage, Map<string, Set<string>>>()
  await Promise.all(
    [...groups].flatMap(([storage, byFolder]) =>
      [...byFolder].filter(([, keys]) => keys.length >= minKeys).map(async ([first, keys]) => {
        const listed = await storage.list(sharedFolder(keys), wantedRange(keys)).catch(() => undefined)
        if (!listed) return
        const perStorage = found.get(storage) ?? new Map<string, Set<string>>()
        perStorage.set(first, new Set(listed.map((object) => object.key)))
        found.set(storage, perStorage)
      }),
    ),
  )
  return (target) => {
    const listed = found.get(target.storage)?.get(target.key.slice(0, target.key.indexOf('/')))
    return listed === undefined ? undefined : listed.has(target.key)
  }
}

/**
 * The span of keys wanted, so a paged listing reads only from the first to the last of them (a week
 * of a table's ten years of partitions is one page, not ten years of pages). A key's own prefix
 * sorts before it, so starting after that includes the first key.
 */
function wantedRange(keys: readonly string[]): ListRange {
  const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return { startAfter: sorted[0]!.slice(0, -1), endAt: sorted.at(-1)! }
}

/** The longest run of whole folders every key starts with, ending in `/`. */
function sharedFolder(keys: readonly string[]): string {
  let shared = keys[0]!.slice(0, keys[0]!.lastIndexOf('/') + 1)
  for (const key of keys) {
    while (!key.startsWith(shared)) shared = shared.slice(0, shared.lastIndexOf('/', shared.length - 2) + 1)
  }
  return shared
}

/** True for an object in the lake whose existence is all its completeness says. */
export function isPlainLakeTarget(target: unknown): target is StorageTarget {
  return target instanceof StorageTarget && target.exists === StorageTarget.prototype.exists
}
