import type { Database } from '../db/database.js'
import { isCreateRace } from '../db/database-errors.js'
import { createSchemaSql } from './generators/table-sql.js'

/**
 * Creates a schema unless it exists. Postgres can refuse a `create schema if not exists` that races
 * another session's with a unique violation on its catalog, raised only once the other session has
 * committed; so that refusal is tried once more, which then finds the schema. Any other failure (no
 * privilege, a lost connection) is thrown as it came.
 */
export async function ensureSchema(db: Database, schema: string): Promise<void> {
  try {
    await db.query(createSchemaSql(schema))
  } catch (error) {
    if (!isCreateRace(error)) throw error
    await db.query(createSchemaSql(schema))
  }
}
