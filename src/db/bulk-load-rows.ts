import { Readable } from 'node:stream'
import { CSV_LINE_END } from '../csv/csv-encoder.js'
import { encodeCsvRecord } from '../csv/csv-value.js'
import { textChunks } from '../util/text-chunks.js'
import type { Queryable } from './database.js'
import type { TableRef } from './table-ref.js'

/**
 * Bulk-loads rows as they are generated (a sample generator's, a test's) into `table`, as CSV
 * pulled by the load in chunks of about 256 kB, so memory stays flat however many rows there are.
 * Resolves with the number of rows.
 */
export async function bulkLoadRows(db: Queryable, table: TableRef, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<number> {
  let count = 0
  function* records(): Generator<string> {
    for (const row of rows) {
      count++
      yield encodeCsvRecord(row) + CSV_LINE_END
    }
  }
  await db.bulkLoad(table, Readable.from(textChunks(encodeCsvRecord(columns) + CSV_LINE_END, records())))
  return count
}
