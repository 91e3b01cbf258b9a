import fs from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../../core/atomic-file.js'
import type { DataServices } from '../../db/data-services.js'

/** Where copies of remote files are kept, under the working folder. */
const MIRROR_ROOT = path.join('data', '.remote')

/** A file a folder holds: its name and size. */
export interface FolderFile {
  readonly name: string
  readonly size: number
}

/**
 * A folder files arrive in (exports a department drops, a partner's uploads): a local folder, or an
 * S3 prefix (`s3://bucket/prefix`, reached as {@link DataServices.storageAt} says), whose files are
 * read through local copies under `data/.remote/`, fetched once each. Only the folder's own files
 * count, not those of folders inside it.
 */
export class FileFolder {
  constructor(readonly location: string) {}

  get remote(): boolean {
    return this.location.startsWith('s3://')
  }

  /** The files whose names match `pattern`, in name order. A folder that is not there has none. */
  async files(data: DataServices, pattern: RegExp): Promise<FolderFile[]> {
    const found = this.remote ? await this.#remoteFiles(data) : await this.#localFiles()
    return found.filter((file) => pattern.test(file.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** A local path to read file `name` from: the file itself, or its copy, fetched when missing or changed. */
  async localPath(data: DataServices, name: string): Promise<string> {
    if (!this.remote) return path.join(this.location, name)
    const copy = path.join(this.#mirror(), name)
    const storage = data.storageAt(this.location)
    const [remote] = (await storage.list(name)).filter((object) => object.key === name)
    if (!remote) return copy
    const local = await fs.stat(copy).catch(() => undefined)
    if (local?.size === remote.size) return copy
    // Durably: a copy is trusted by its size alone, and a power loss could leave one of the right size
    // that was never written.
    await writeFileAtomic(copy, await storage.get(name))
    return copy
  }

  async #localFiles(): Promise<FolderFile[]> {
    const entries = await fs.readdir(this.location, { withFileTypes: true }).catch(() => [])
    const files = entries.filter((entry) => entry.isFile())
    return Promise.all(files.map(async (entry) => ({ name: entry.name, size: (await fs.stat(path.join(this.location, entry.name))).size })))
  }

  async #remoteFiles(data: DataServices): Promise<FolderFile[]> {
    const objects = await data.storageAt(this.location).list()
    return objects.filter((object) => !object.key.includes('/')).map((object) => ({ name: object.key, size: object.size }))
  }

  #mirror(): string {
    return path.join(MIRROR_ROOT, ...this.location.slice('s3://'.length).split('/').filter(Boolean))
  }
}
