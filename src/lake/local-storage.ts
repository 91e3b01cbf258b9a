import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { EtlError } from '../errors.js'
import { writeFileAtomic } from '../core/atomic-file.js'
import { isTempName } from '../core/temp-name.js'
import { checkStorageKey } from './storage-key.js'
import { compareKeys } from './key-order.js'
import type { Storage, StorageBody, StorageObject } from './storage.js'

/**
 * The lake as a local folder (`lake/` by default). Writes go to a hidden temp file renamed into
 * place once complete, so a file is either whole or absent; `list` never shows a temp file, whether
 * its write is still going or was killed.
 */
export class LocalStorage implements Storage {
  readonly root: string
  readonly location: string

  constructor(root = 'lake') {
    this.root = path.resolve(root)
    this.location = `${path.relative(process.cwd(), this.root) || '.'}/`
  }

  async put(key: string, body: StorageBody): Promise<{ readonly size: number }> {
    const file = this.#path(key)
    const data = typeof body === 'string' || body instanceof Uint8Array ? body : body instanceof Readable ? body : Readable.from(body)
    await writeFileAtomic(file, data)
    return { size: (await fs.stat(file)).size }
  }

  async get(key: string): Promise<Readable> {
    const file = this.#path(key)
    try {
      const handle = await fs.open(file, 'r')
      return handle.createReadStream()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') throw this.#notFound(key)
      throw error
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await fs.stat(this.#path(key))).isFile()
    } catch {
      return false
    }
  }

  /** The range hint is not needed here: a walk of the folders under the prefix is what a listing costs. */
  async list(prefix = ''): Promise<StorageObject[]> {
    checkStorageKey(prefix, this.location, true)
    // Walk only the folder the prefix points into; the rest of the prefix filters names.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : ''
    const found: StorageObject[] = []
    await this.#walk(folder, prefix, found)
    return found.sort((a, b) => compareKeys(a.key, b.key))
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.#path(key), { force: true })
  }

  uri(key: string): string {
    return this.#path(key)
  }

  async close(): Promise<void> {}

  async #walk(folder: string, prefix: string, found: StorageObject[]): Promise<void> {
    let entries: import('node:fs').Dirent[]
    try {
      entries = await fs.readdir(path.join(this.root, folder), { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const key = folder === '' ? entry.name : `${folder}/${entry.name}`
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) await this.#walk(key, prefix, found)
      } else if (entry.isFile() && key.startsWith(prefix) && !isTempName(entry.name)) {
        const stat = await fs.stat(path.join(this.root, key))
        found.push({ key, size: stat.size, lastModified: stat.mtime })
      }
    }
  }

  #path(key: string): string {
    return path.join(this.root, checkStorageKey(key, this.location))
  }

  #notFound(key: string): EtlError {
    return new EtlError('ETL_ERR_LAKE_NOT_FOUND', `lake object "${key}" does not exist in ${this.location}; check the key, or run the task that writes it first`)
  }
}
