import { createReadStream, existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { writeFileAtomic } from './atomic-file.js'
import type { Target } from './target.js'

/**
 * A file on the local disk. Writes are atomic (temp file + rename), so the file exists only once it is
 * complete and a task that crashes mid-write leaves no target behind.
 *
 * ```ts
 * output() { return new LocalTarget(`data/report-${this.params.date}.csv`) }
 * async run() { await this.output().write(csvText) }
 * ```
 */
export class LocalTarget implements Target {
  readonly path: string

  constructor(file: string) {
    this.path = path.resolve(file)
  }

  /**
   * A synchronous stat: on a local disk it takes microseconds, while an asynchronous one costs a round
   * trip through libuv's thread pool that is 20 to 50 times longer, and a run checks every output.
   */
  async exists(): Promise<boolean> {
    return existsSync(this.path)
  }

  /** Writes the whole file atomically from text, bytes or a stream. */
  write(data: string | Uint8Array | Readable): Promise<void> {
    return writeFileAtomic(this.path, data)
  }

  read(): Promise<string> {
    return fs.readFile(this.path, 'utf8')
  }

  readStream(): Readable {
    return createReadStream(this.path)
  }

  async remove(): Promise<void> {
    await fs.rm(this.path, { force: true })
  }

  toString(): string {
    return path.relative(process.cwd(), this.path) || this.path
  }
}
