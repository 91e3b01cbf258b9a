import path from 'node:path'
import type { Logger } from 'pino'
import type { HistoryClient, HistoryConfig } from './history-client.js'
import { describeConnection, openPgHistoryClient } from './pg-history-client.js'
import { openPgliteHistoryClient } from './pglite-history-client.js'
import { RunHistory } from './run-history.js'

/** The schema of the history tables on a Postgres server, unless the config names one. */
export const DEFAULT_HISTORY_SCHEMA = 'etl_scheduler'

/**
 * Opens the run history the config asks for, without waiting for the database: the daemon serves
 * workers at once while the embedded database starts (a few seconds the first time) or the server
 * connects; writes queue until it is ready. `description` is safe to show (no password).
 */
export function openRunHistory(config: HistoryConfig, stateDir: string, logger: Logger): { history: RunHistory; description: string } {
  if (config.type === 'postgres') {
    const client = lazyClient(() => openPgHistoryClient(config.url))
    const schema = config.schema ?? DEFAULT_HISTORY_SCHEMA
    const history = new RunHistory(client, { schema, logger })
    void history.migrate().catch(() => {})
    return { history, description: `postgres ${describeConnection(config.url)} (schema ${schema})` }
  }
  const dir = path.resolve(config.dir ?? path.join(stateDir, 'history'))
  const history = new RunHistory(
    lazyClient(() => openPgliteHistoryClient(dir)),
    { logger },
  )
  void history.migrate().catch(() => {})
  return { history, description: `embedded (${dir})` }
}

/** A client that opens on first use, and tries to open again after a failure. */
function lazyClient(open: () => Promise<HistoryClient>): HistoryClient {
  let opening: Promise<HistoryClient> | undefined
  const get = () => {
    opening ??= open().catch((error: unknown) => {
      opening = undefined
      throw error
    })
    return opening
  }
  return {
    async query<Row>(sql: string, params?: unknown[]) {
      return (await get()).query<Row>(sql, params)
    },
    async close() {
      const client = await opening?.catch(() => undefined)
      await client?.close()
    },
  }
}
