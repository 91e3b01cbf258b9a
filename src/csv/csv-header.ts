import { Readable } from 'node:stream'
import { EtlError } from '../errors.js'
import { CsvParser } from './csv-parser.js'

/** A CSV stream split after its header record. */
export interface CsvWithHeader {
  /** The column names from the first record. */
  readonly columns: readonly string[]
  /** The bytes after the header: data records only. */
  readonly body: Readable
}

/**
 * Reads a CSV stream's first record as column names and returns them with the rest of the stream,
 * untouched, so a loader can name the columns it loads (and load by name, not by position) while the
 * data bytes go to the database as they are.
 */
export async function splitCsvHeader(source: AsyncIterable<Buffer | string>, what = 'the CSV'): Promise<CsvWithHeader> {
  const iterator = source[Symbol.asyncIterator]()
  const parser = new CsvParser()
  let buffered = Buffer.alloc(0)
  for (;;) {
    const next = await iterator.next()
    if (!next.done) buffered = Buffer.concat([buffered, Buffer.from(next.value)])
    // Decoding the whole prefix each time is fine: headers are short, and a cut multi-byte character
    // only makes the last field incomplete, which the parser waits on anyway.
    if (next.done && buffered.length === 0) throw new EtlError('ETL_ERR_CSV_MALFORMED', `${what} is empty: it has no header record; write the column names as the first line`)
    const text = buffered.toString('utf8')
    const found = parser.parseOne(text, 0, next.done === true)
    if (found) {
      const columns = found.record.map((name, index) => {
        if (name === null || name === '') throw new EtlError('ETL_ERR_CSV_MALFORMED', `${what} has an empty column name at position ${index + 1} of its header; name every column`)
        return name
      })
      const rest = buffered.subarray(Buffer.byteLength(text.slice(0, found.end), 'utf8'))
      return { columns, body: Readable.from(remaining(rest, iterator), { objectMode: false }) }
    }
  }
}

async function* remaining(first: Buffer, iterator: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  try {
    if (first.length > 0) yield first
    for (;;) {
      const next = await iterator.next()
      if (next.done) return
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value
    }
  } finally {
    await iterator.return?.()
  }
}
