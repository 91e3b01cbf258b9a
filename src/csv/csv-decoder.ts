import { StringDecoder } from 'node:string_decoder'
import { Transform, type TransformCallback } from 'node:stream'
import { CsvParser, type CsvRecord } from './csv-parser.js'

/**
 * A stream that turns CSV bytes (UTF-8) into records: arrays of field text with `null` for NULL.
 * Memory stays bounded by the longest record, however long the file.
 *
 * ```ts
 * for await (const record of createReadStream('orders.csv').pipe(new CsvDecoder())) console.log(record)
 * ```
 */
export class CsvDecoder extends Transform {
  readonly #text = new StringDecoder('utf8')
  readonly #parser = new CsvParser()

  constructor() {
    super({ readableObjectMode: true, readableHighWaterMark: 1024 })
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const text = typeof chunk === 'string' ? chunk : this.#text.write(chunk)
      for (const record of this.#parser.push(text)) this.push(record)
      callback()
    } catch (error) {
      callback(error as Error)
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const rest = this.#text.end()
      for (const record of this.#parser.push(rest)) this.push(record)
      for (const record of this.#parser.end()) this.push(record)
      callback()
    } catch (error) {
      callback(error as Error)
    }
  }
}

export type { CsvRecord }
