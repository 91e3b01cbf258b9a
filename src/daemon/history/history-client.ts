/**
 * The part of a Postgres client the run history uses: plain parameterized SQL that runs the same on
 * PGlite and on a Postgres server. Stands in until the data layer's `Database` is merged; both adapters
 * in this folder should then give way to it.
 */
export interface HistoryClient {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>
  close(): Promise<void>
}

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
