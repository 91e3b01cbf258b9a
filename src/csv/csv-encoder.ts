import { Transform, type TransformCallback } from 'node:stream'
import { encodeCsvRecord } from './csv-value.js'

/** Records end with LF: RFC 4180 allows it in practice and every loader here (COPY, LOAD DATA, Redshift) reads it. */
export const CSV_LINE_END = '\n'

/** Bytes gathered before the encoder pushes, so a row does not cost a stream chunk of its own. */
const FLUSH_AT_CHARS = 64 * 1024

export interface CsvEncoderOptions {
  /** Column names written as the first record. Leave out for a file without a header. */
  header?: readonly string[]
}

/**
 * A stream that turns rows (arrays of values, in column order) into RFC 4180 CSV bytes: fields that
 * hold a comma, a quote or a line break are quoted, NULL is an empty unquoted field and the empty
 * string is `""`, so every value reads back exactly as it was written.
 *
 * ```ts
 * await pipeline(rows, new CsvEncoder({ header: ['id', 'name'] }), createWriteStream('out.csv'))
 * ```
 */
export class CsvEncoder extends Transform {
  #pending = ''
  #rows = 0

  constructor(options: CsvEncoderOptions = {}) {
    super({ writableObjectMode: true, writableHighWaterMark: 1024 })
    if (options.header) this.#pending = encodeCsvRecord(options.header) + CSV_LINE_END
  }

  /** Data rows encoded so far (the header is not counted). */
  get rows(): number {
    return this.#rows
  }

  override _transform(row: readonly unknown[], _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#pending += encodeCsvRecord(row) + CSV_LINE_END
    this.#rows++
    if (this.#pending.length >= FLUSH_AT_CHARS) this.#push()
    callback()
  }

  override _flush(callback: TransformCallback): void {
    this.#push()
    callback()
  }

  #push(): void {
    if (this.#pending.length === 0) return
    this.push(Buffer.from(this.#pending, 'utf8'))
    this.#pending = ''
  }
}
