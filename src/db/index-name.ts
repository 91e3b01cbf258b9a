import { tableName, type TableRef } from './table-ref.js'

/** The longest identifier Postgres keeps (MySQL allows 64): longer index names are cut to it. */
const MAX_IDENTIFIER = 63

/** The name `ensureIndex` gives an index: `<table>_<columns>_idx`, as Postgres names one by default. */
export function indexName(table: TableRef, columns: readonly string[]): string {
  return `${tableName(table).name}_${columns.join('_')}_idx`.slice(0, MAX_IDENTIFIER)
}
