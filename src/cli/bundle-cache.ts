import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { writeFileAtomicSync } from '../core/atomic-file.js'
import { currentUserId } from '../util/current-user-id.js'
import { userRuntimeFolder } from '../util/user-runtime-dir.js'

/**
 * The last bundle of a task module, reused while none of the files it was built from has changed (a
 * new file only matters once an existing one imports it, which changes that one): an `etl run` with
 * nothing to do then never starts esbuild. Folders are not watched. Entries live in this user's
 * private folder (`bundle-cache/` in `userRuntimeDir`), never in a shared one.
 */
export class BundleCache {
  readonly #file: string

  /**
   * `recipe` names everything besides the sources that shapes the output (esbuild's version, the
   * options). The folder must be this user's own: a cached bundle is code that gets run. The default
   * one is made and checked here, and refused (`ETL_ERR_LOCAL_FOLDER_UNSAFE`) if it is not.
   */
  constructor(entry: string, recipe: string, dir = userRuntimeFolder('bundle-cache')) {
    this.#file = path.join(dir, `${createHash('sha256').update(`${path.resolve(entry)}\n${recipe}`).digest('hex').slice(0, 24)}.json`)
  }

  /** The cached bundle, if every input is as it was. */
  get(): string | undefined {
    let cached: Partial<CachedBundle>
    try {
      if (!ownedByUs(path.dirname(this.#file))) return undefined
      cached = JSON.parse(fs.readFileSync(this.#file, 'utf8')) as Partial<CachedBundle>
    } catch {
      return undefined
    }
    const { stamps, code } = cached
    if (!Array.isArray(stamps) || stamps.length === 0 || typeof code !== 'string') return undefined
    return stamps.every((entry) => Array.isArray(entry) && stampOf(String(entry[0])) === entry[1]) ? code : undefined
  }

  /**
   * Keeps `code`, built from the files in `stamps` (absolute path → {@link contentStamp} of the
   * contents the build read, so a file saved during the build is not vouched for). A cache that
   * cannot be written is only slower.
   */
  put(stamps: ReadonlyMap<string, string>, code: string): void {
    const cached: CachedBundle = { stamps: [...stamps], code }
    try {
      const dir = path.dirname(this.#file)
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      if (!ownedByUs(dir)) return
      writeFileAtomicSync(this.#file, JSON.stringify(cached), 0o600)
    } catch {
      // Not cached: the next run bundles again.
    }
  }
}

interface CachedBundle {
  stamps: [file: string, stamp: string][]
  code: string
}

/** A hash of the contents: modification times can be too coarse to see an edit made within a second. */
export function contentStamp(contents: string | Buffer): string {
  return createHash('sha1').update(contents).digest('hex')
}

function stampOf(file: string): string {
  try {
    return contentStamp(fs.readFileSync(file))
  } catch {
    return 'missing'
  }
}

/** A folder only this user can write to, and no link to one: anyone else could plant a bundle in it. */
function ownedByUs(dir: string): boolean {
  const stat = fs.lstatSync(dir)
  const uid = currentUserId()
  return stat.isDirectory() && (uid === undefined || (stat.uid === uid && (stat.mode & 0o022) === 0))
}
