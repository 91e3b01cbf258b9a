import type { z } from 'zod'
import type { Storage } from '../lake/storage.js'
import type { Database } from './database.js'
import type { SqlDialect } from './sql-dialect.js'

export interface CreateDatabaseOptions {
  /** Folder relative PGlite paths are taken from. @defaultValue process.cwd() */
  cwd?: string
  /** The lake, for dialects that stage bulk loads in it (Redshift). */
  lake?: Storage
}

/**
 * Everything the framework knows a dialect by, as one entry of the registry (`DIALECTS` in
 * `dialects.ts`): its name, how it writes SQL, its connection's config fields and how to make its
 * {@link Database}. kysely's `Dialect` is the same kind of factory.
 *
 * ```ts
 * export const pgliteDefinition = defineDialect({
 *   name: 'pglite',
 *   dialect: postgresDialect,
 *   connectionSchema: pgliteConnectionSchema,
 *   createDatabase: (name, config, options) => new PgliteDatabase(name, …),
 * })
 * ```
 */
export interface DialectDefinition<Name extends string = string, Schema extends z.ZodObject = z.ZodObject> {
  /**
   * What a connection's `"dialect"` names it by, and the suffix of SQL file variants for it
   * (`report.redshift.sql`).
   */
  readonly name: Name
  /** How it writes SQL. Where it is another dialect's (PGlite's is Postgres'), its files run here too. */
  readonly dialect: SqlDialect
  /** Its connection's fields in `etl.config.json`, with `dialect` the literal {@link name}. */
  readonly connectionSchema: Schema
  /** Its database for a validated connection. Nothing is opened yet: that happens on first use. */
  createDatabase(name: string, config: z.infer<Schema>, options: CreateDatabaseOptions): Database
}

/** A {@link DialectDefinition}, frozen, with its name and config types inferred. */
export function defineDialect<const Name extends string, Schema extends z.ZodObject>(definition: DialectDefinition<Name, Schema>): DialectDefinition<Name, Schema> {
  return Object.freeze({ ...definition })
}
