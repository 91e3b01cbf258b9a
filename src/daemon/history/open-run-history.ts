import fs from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import { createDatabase } from '../../db/create-database.js'
import { postgresConfigFromUrl } from '../../db/postgres/postgres-url.js'
import type { HistoryConfig } from './history-client.js'
import { RunHistory, type SetAsideRecord } from './run-history.js'

/** Where rows the history database refused are kept, one JSON line each, so none is lost unseen. */
export const SET_ASIDE_FILE = 'history-set-aside.ndjson'

/** The schema of the history tables on a Postgres server, unless the config names one. */
export const DEFAULT_HISTORY_SCHEMA = 'etl_scheduler'

/**
 * Opens the run history the config asks for, without waiting for the database: the daemon serves
 * workers at once while the embedded database starts or the server connects (the data layer opens
 * on first use, and again after a failure); writes queue until it is ready. `description` is safe to
 * show (no password). Rows the database refuses for what they hold go to `history-set-aside.ndjson`
 * in the state folder.
 */
export function openRunHistory(config: HistoryConfig, stateDir: string, logger: Logger): { history: RunHistory; description: string } {
  const schema = config.type === 'postgres' ? (config.schema ?? DEFAULT_HISTORY_SCHEMA) : undefined
  const database =
    config.type === 'postgres'
      ? createDatabase('history', postgresConfigFromUrl(config.url, 'scheduler.history.url'))
      : createDatabase('history', { dialect: 'pglite', path: path.resolve(config.dir ?? path.join(stateDir, 'history')) })
  const setAside = (record: SetAsideRecord) => keepAside(path.join(stateDir, SET_ASIDE_FILE), record, logger)
  const history = new RunHistory(database, { ...(schema ? { schema } : {}), logger, setAside })
  void history.migrate().catch(() => {})
  return { history, description: `${database.description}${schema ? `, schema ${schema}` : ''}` }
}

function keepAside(file: string, record: SetAsideRecord, logger: Logger): void {
  let line: string
  try {
    line = JSON.stringify({ at: new Date().toISOString(), ...record })
  } catch {
    line = JSON.stringify({ at: new Date().toISOString(), table: record.table, key: record.key, reason: record.reason, row: 'not writable as JSON' })
  }
  try {
    fs.appendFileSync(file, `${line}\n`, { mode: 0o600 })
    logger.warn(`the refused row is kept in ${file}`)
  } catch (error) {
    logger.error({ err: error }, `the refused row could not be kept in ${file}`)
  }
}
