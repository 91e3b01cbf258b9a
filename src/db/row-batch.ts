/** Rows as a dialect fetches them: arrays in column order, a batch at a time. */
export interface RowBatch {
  readonly columns: readonly string[]
  readonly rows: readonly (readonly unknown[])[]
}

/** Rows as objects keyed by column name, one at a time. */
export async function* rowsAsObjects<R>(batches: AsyncIterable<RowBatch>): AsyncGenerator<R> {
  for await (const batch of batches) {
    for (const values of batch.rows) {
      const row: Record<string, unknown> = {}
      for (let i = 0; i < batch.columns.length; i++) row[batch.columns[i] as string] = values[i]
      yield row as R
    }
  }
}
