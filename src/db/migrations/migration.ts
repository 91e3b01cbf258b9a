import type { Database, Transaction } from '../database.js'
import type { TableRef } from '../table-ref.js'

/**
 * One numbered change to a component's tables. Migrations run in `id` order, each once per
 * database, and are never edited once released: a change to a table is a new migration.
 */
export interface Migration {
  /** 1, 2, 3 …: the order they run in, and what the migrations table records. */
  readonly id: number
  /** A few words on what it does, recorded with it. */
  readonly name: string
  /**
   * Makes the change through `tx`. Where DDL takes part in transactions (Postgres, PGlite,
   * Redshift) the migration and its record commit together; on MySQL, whose DDL commits at once, a
   * migration should be safe to run again (`if not exists`).
   */
  up(tx: Transaction, db: Database): Promise<void>
}

/** A component's migrations (the execution control tables, the marker table, the run history). */
export interface MigrationSet {
  /** Its name in the migrations table: `etl.control`, `etl.markers`, … */
  readonly component: string
  /** Where its migrations are recorded: beside its own tables. */
  readonly table: TableRef
  /** A schema to create before anything else, when the tables live in one. */
  readonly schema?: string
  readonly migrations: readonly Migration[]
}
