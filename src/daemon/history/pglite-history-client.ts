import fs from 'node:fs/promises'
import type { HistoryClient } from './history-client.js'

/**
 * The run history in the embedded Postgres (PGlite), persisted in `dir`. The first open of a new folder
 * creates the database cluster, which takes a few seconds; later opens take well under one.
 */
export async function openPgliteHistoryClient(dir: string): Promise<HistoryClient> {
  await fs.mkdir(dir, { recursive: true })
  // Loaded on demand: the WASM build is large and a daemon writing to Postgres never needs it.
  const { PGlite } = await import('@electric-sql/pglite')
  const db = await PGlite.create(dir)
  return {
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await db.query<Row>(sql, params)
      return { rows: result.rows }
    },
    close: () => db.close(),
  }
}
