import path from 'node:path'
import type { Logger } from 'pino'
import { createDatabase } from '../../db/create-database.js'
import { postgresConfigFromUrl } from '../../db/postgres/postgres-url.js'
import type { HistoryConfig } from './history-client.js'
import { RunHistory } from './run-history.js'

/** The schema of the history tables on a Postgres server, unless the config names one. */
export const DEFAULT_HISTORY_SCHEMA = 'etl_scheduler'

/**
 * Opens the run history the config asks for, without waiting for the database: the daemon serves
 * workers at once while the embedded database starts or the server connects (the data layer opens
 * on first use, and again after a failure); writes queue until it is ready. `description` is safe to
 * show (no password).
 */
export function openRunHistory(config: HistoryConfig, stateDir: string, logger: Logger): { history: RunHistory; description: string } {
  const schema = config.type === 'postgres' ? (config.schema ?? DEFAULT_HISTORY_SCHEMA) : undefined
  const database =
    config.type === 'postgres'
      ? createDatabase('history', postgresConfigFromUrl(config.url, 'scheduler.history.url'))
      : createDatabase('history', { dialect: 'pglite', path: path.resolve(config.dir ?? path.join(stateDir, 'history')) })
  const history = new RunHistory(database, { ...(schema ? { schema } : {}), logger })
  void history.migrate().catch(() => {})
  return { history, description: `${database.description}${schema ? `, schema ${schema}` : ''}` }
}
