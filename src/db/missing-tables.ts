import type { Database } from './database.js'
import type { TableRef } from './table-ref.js'

/** The tables among `tables` that `db` does not have, in the order given. */
export async function missingTables<T extends TableRef>(db: Database, tables: readonly T[]): Promise<T[]> {
  const missing: T[] = []
  for (const table of tables) if (!(await db.tableExists(table))) missing.push(table)
  return missing
}
