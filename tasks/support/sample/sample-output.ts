import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CSV_LINE_END, encodeCsvRecord, type Queryable } from 'etl'

/** About how much CSV (or log text) is handed on at a time while generating. */
const CHUNK_CHARS = 256 * 1024

/**
 * Bulk-loads rows into `table` as they are generated, as CSV in chunks of about 256 kB pulled by
 * the load, so memory stays flat however many rows there are. Resolves with the row count.
 */
export async function loadRows(db: Queryable, table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<number> {
  let count = 0
  function* records(): Generator<string> {
    for (const row of rows) {
      count++
      yield encodeCsvRecord(row) + CSV_LINE_END
    }
  }
  await db.bulkLoad(table, Readable.from(chunked(encodeCsvRecord(columns) + CSV_LINE_END, records())))
  return count
}

/**
 * Writes text to `file` in chunks as it is generated, under a temporary name first: a reader that
 * watches the folder (or the next `advance`, which goes by the files present) never sees half a file.
 */
export async function writeFileAtomically(file: string, parts: Iterable<string>): Promise<void> {
  const partial = `${file}.partial`
  try {
    await pipeline(Readable.from(chunked('', parts)), createWriteStream(partial))
    await fs.rename(partial, file)
  } finally {
    await fs.rm(partial, { force: true })
  }
}

/** Joins small strings into chunks of about 256 kB, `head` first. */
function* chunked(head: string, parts: Iterable<string>): Generator<string> {
  let chunk = head
  for (const part of parts) {
    chunk += part
    if (chunk.length > CHUNK_CHARS) {
      yield chunk
      chunk = ''
    }
  }
  if (chunk) yield chunk
}
