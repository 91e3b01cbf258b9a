import type { Database } from '../db/database.js'
import { createSchemaSql } from './generators/table-sql.js'

/**
 * Creates a schema unless it exists. Postgres can refuse a `create schema if not exists` that races
 * another session's with a unique violation on its catalog, raised only once the other session has
 * committed; so a refusal is tried once more, which then finds the schema. A real refusal (no
 * privilege, a read-only server) comes back the same the second time and is thrown.
 */
export async function ensureSchema(db: Database, schema: string): Promise<void> {
  try {
    await db.query(createSchemaSql(schema))
  } catch {
    await db.query(createSchemaSql(schema))
  }
}
