import type { ListRange } from './storage.js'

/**
 * Orders lake keys as S3 lists them: by their UTF-8 bytes, which is not JavaScript's string order
 * for every character, so a local lake and S3 agree on what a range holds.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/** True for a key after `range.startAfter` and up to `range.endAt`. */
export function inListRange(key: string, range: ListRange): boolean {
  return (range.startAfter === undefined || compareKeys(key, range.startAfter) > 0) && (range.endAt === undefined || compareKeys(key, range.endAt) <= 0)
}

/**
 * True unless no key under `folder` can be in the range: they all sort from `folder/` up to (not
 * including) `folder0`, as `0` is the byte after `/`.
 */
export function folderMayHold(folder: string, range: ListRange): boolean {
  if (range.endAt !== undefined && compareKeys(`${folder}/`, range.endAt) >= 0) return false
  if (range.startAfter !== undefined && compareKeys(`${folder}0`, range.startAfter) <= 0) return false
  return true
}
