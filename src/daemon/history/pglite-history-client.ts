import { seedFromTemplate } from '../../db/pglite/pglite-template.js'
import type { HistoryClient } from './history-client.js'

/**
 * The run history in the embedded Postgres (PGlite), persisted in `dir`. A new folder starts as a copy
 * of the machine's empty cluster (see `seedFromTemplate`); opens take well under a second.
 */
export async function openPgliteHistoryClient(dir: string): Promise<HistoryClient> {
  // Loaded on demand: the WASM build is large and a daemon writing to Postgres never needs it.
  const { PGlite } = await import('@electric-sql/pglite')
  await seedFromTemplate(dir, (folder) => PGlite.create({ dataDir: folder }))
  const db = await PGlite.create(dir)
  return {
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await db.query<Row>(sql, params)
      return { rows: result.rows }
    },
    close: () => db.close(),
  }
}
