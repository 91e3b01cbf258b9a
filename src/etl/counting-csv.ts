import { Transform } from 'node:stream'

/**
 * A pass-through for CSV bytes that counts records (newlines outside quoted fields), so an extract's
 * row count is known without reading the file twice. `rows()` excludes the header.
 */
export class CsvRecordCounter extends Transform {
  #records = 0
  #quoted = false

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]
      if (byte === 34) this.#quoted = !this.#quoted
      else if (byte === 10 && !this.#quoted) this.#records++
    }
    callback(null, chunk)
  }

  /** Data records seen (the header is not one). */
  rows(): number {
    return Math.max(0, this.#records - 1)
  }
}
