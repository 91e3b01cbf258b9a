import type { Database } from '../../db/database.js'

/**
 * What the run history lives in: the data layer's `Database` (PGlite embedded, or a Postgres
 * server), whose SQL runs the same on both; its tables come from numbered migrations.
 */
export type HistoryClient = Database

/** Where the run history lives: the embedded database in a folder, or a Postgres server. */
export type HistoryConfig =
  | {
      type: 'embedded'
      /** @defaultValue `<stateDir>/history` */
      dir?: string
    }
  | {
      type: 'postgres'
      /** A connection string; put the password in `${ENV}`, it is never shown. */
      url: string
      /** The schema of the history tables, created if missing. @defaultValue 'etl_scheduler' */
      schema?: string
    }
