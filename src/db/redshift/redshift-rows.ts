import type { QueryResult, Row } from '../database.js'
import { rowsAsObjects, type RowBatch } from '../row-batch.js'

/** Every page of a statement's result gathered into one query result. @internal */
export async function rowsOf<R extends Row>(pages: AsyncIterable<RowBatch>): Promise<QueryResult<R>> {
  let columns: readonly string[] = []
  const batches: RowBatch[] = []
  for await (const page of pages) {
    columns = page.columns
    batches.push(page)
  }
  const rows: R[] = []
  for await (const row of rowsAsObjects<R>(fromArray(batches))) rows.push(row)
  return { rows, rowCount: rows.length, columns }
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items
}
