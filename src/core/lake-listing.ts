import { compareKeys } from '../lake/key-order.js'
import type { ListRange, Storage } from '../lake/storage.js'
import { StorageTarget } from '../lake/storage-target.js'

/**
 * What one listing per group of lake keys found: for each wanted key, whether it is there, or
 * undefined for a key no listing covered (too few wanted beside it, at the lake's root, or a
 * listing that failed), which its own `exists()` answers.
 */
export type LakeLookup = (target: StorageTarget) => boolean | undefined

/**
 * Lists the lake once per group of wanted keys instead of asking for each, where the storage says a
 * listing pays: a year of daily partitions in S3 is a few ListObjects pages, not 365 HEAD requests
 * (a local lake's keys, each in its own folder, are checked faster one by one). Keys are grouped per storage
 * by folder (`landing/orders/` apart from `landing/customers/`), each group of at least `minKeys`
 * keys is listed under the folders its keys share and only from its first key to its last, so a
 * listing never reads far beyond what is wanted.
 */
export async function lookUpInLake(targets: readonly StorageTarget[], minKeys: number): Promise<LakeLookup> {
  const byStorage = new Map<Storage, string[]>()
  for (const target of targets) {
    if (!target.storage.listingPays) continue
    const keys = byStorage.get(target.storage)
    if (keys) keys.push(target.key)
    else byStorage.set(target.storage, [target.key])
  }
  const found = new Map<Storage, Map<string, boolean>>()
  await Promise.all(
    [...byStorage].flatMap(([storage, keys]) =>
      keyGroups(keys, minKeys).map(async (group) => {
        const listed = await storage.list(sharedFolder(group), wantedRange(group)).catch(() => undefined)
        if (!listed) return
        const present = new Set(listed.map((object) => object.key))
        const answers = found.get(storage) ?? new Map<string, boolean>()
        for (const key of group) answers.set(key, present.has(key))
        found.set(storage, answers)
      }),
    ),
  )
  return (target) => found.get(target.storage)?.get(target.key)
}

/**
 * The keys split into groups worth one listing each. Keys are split by folder one level deeper at a
 * time while the parts still hold `minKeys` keys: two tables' partitions become two groups (a table
 * with only a few keys wanted is asked key by key), while a table's daily folders, one key each,
 * stay one group. Groups smaller than `minKeys`, and keys at the lake's root, are left out.
 */
function keyGroups(keys: readonly string[], minKeys: number, depth = 1): string[][] {
  const parts = new Map<string, string[]>()
  for (const key of new Set(keys)) {
    const segments = key.split('/')
    // A key needs a folder at this depth to be listed under it.
    if (segments.length <= depth) continue
    const folder = segments.slice(0, depth).join('/')
    const part = parts.get(folder)
    if (part) part.push(key)
    else parts.set(folder, [key])
  }
  return [...parts.values()].flatMap((part) => {
    if (part.length < minKeys) return []
    const deeper = keyGroups(part, minKeys, depth + 1)
    // Split when the deeper groups leave out fewer keys than a listing is worth (those are asked one by one).
    const leftOut = part.length - deeper.reduce((sum, group) => sum + group.length, 0)
    return deeper.length > 0 && leftOut < minKeys ? deeper : [part]
  })
}

/**
 * The span of keys wanted, so a paged listing reads only from the first to the last of them (a week
 * of a table's ten years of partitions is one page, not ten years of pages). A key's own prefix
 * sorts before it, so starting after that includes the first key.
 */
function wantedRange(keys: readonly string[]): ListRange {
  const sorted = [...keys].sort(compareKeys)
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
