import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * The last bundle of a task module, reused while none of the files it was built from has changed (a
 * new file only matters once an existing one imports it, which changes that one): an `etl run` with
 * nothing to do then never starts esbuild. Folders are not watched: the bundle itself is written
 * beside the entry for a moment on every run.
 */
export class BundleCache {
  readonly #file: string

  /** `recipe` names everything besides the sources that shapes the output (esbuild's version, the options). */
  constructor(entry: string, recipe: string, dir = path.join(os.tmpdir(), 'etl-bundle-cache')) {
    this.#file = path.join(dir, `${createHash('sha256').update(`${path.resolve(entry)}\n${recipe}`).digest('hex').slice(0, 24)}.json`)
  }

  /** The cached bundle, if every input is as it was. */
  get(): string | undefined {
    let cached: CachedBundle
    try {
      cached = JSON.parse(fs.readFileSync(this.#file, 'utf8')) as CachedBundle
    } catch {
      return undefined
    }
    return cached.stamps.every(([file, stamp]) => stampOf(file) === stamp) ? cached.code : undefined
  }

  /** Keeps `code`, built from `inputs` (absolute paths). A cache that cannot be written is only slower. */
  put(inputs: readonly string[], code: string): void {
    const cached: CachedBundle = { stamps: inputs.map((file) => [file, stampOf(file)]), code }
    try {
      fs.mkdirSync(path.dirname(this.#file), { recursive: true })
      const temp = `${this.#file}.${process.pid}.tmp`
      fs.writeFileSync(temp, JSON.stringify(cached))
      fs.renameSync(temp, this.#file)
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
function stampOf(file: string): string {
  try {
    return createHash('sha1').update(fs.readFileSync(file)).digest('hex')
  } catch {
    return 'missing'
  }
}
