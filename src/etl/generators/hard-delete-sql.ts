import { sql, type Sql } from '../../db/sql.js'
import type { QualifiedTable, TableMetadata } from '../table-metadata.js'
import { DELETED_AT_SEQ_COLUMN, EXEC_SEQ_COLUMN } from './table-sql.js'

/**
 * The statements that reconcile a store table with the keys a sequence read from the source
 * (`against`: the landing table of a full table, whose extract is every row, or the keys table of an
 * incremental one), to run after the upsert, in its transaction. With `"hardDeletes": "flag"` a
 * key that came back is cleared first, then every key gone is flagged with the sequence, unless it
 * already was (so a rerun flags nothing twice); with `"delete"` the rows gone are removed. The store
 * columns are named in full, as the target of an update or delete takes no alias everywhere.
 */
export function hardDeleteSql(meta: TableMetadata, seq: number, against: QualifiedTable): { flag?: Sql[]; remove?: Sql; flaggedCount?: Sql } {
  const store = sql.id(meta.store.schema, meta.store.name)
  const flaggedAt = sql.id(DELETED_AT_SEQ_COLUMN.name)
  const match = sql.join(
    meta.key.map((column) => sql`a.${sql.id(column)} = ${sql.id(meta.store.schema, meta.store.name, column)}`),
    ' and ',
  )
  const present = (): Sql => sql`exists (select 1 from ${sql.id(against.schema, against.name)} a where a.${sql.id(EXEC_SEQ_COLUMN.name)} = ${seq} and ${match})`
  const gone = sql`not ${present()}`
  if (meta.hardDeletes === 'delete') return { remove: sql`delete from ${store} where ${gone}` }
  if (meta.hardDeletes !== 'flag') return {}
  return {
    flag: [
      sql`update ${store} set ${flaggedAt} = null where ${flaggedAt} is not null and ${present()}`,
      sql`update ${store} set ${flaggedAt} = ${seq} where ${flaggedAt} is null and ${gone}`,
    ],
    flaggedCount: sql`select count(*) as n from ${store} where ${flaggedAt} = ${seq}`,
  }
}

/**
 * Clears the flag of store rows the sequence upserted (their key is back in the source), for a
 * sequence that does not reconcile: an incremental table between reconciliations.
 */
export function clearReturnedSql(meta: TableMetadata, seq: number): Sql | undefined {
  if (meta.hardDeletes !== 'flag') return undefined
  const flaggedAt = sql.id(DELETED_AT_SEQ_COLUMN.name)
  return sql`update ${sql.id(meta.store.schema, meta.store.name)} set ${flaggedAt} = null where ${flaggedAt} is not null and ${sql.id(EXEC_SEQ_COLUMN.name)} = ${seq}`
}
