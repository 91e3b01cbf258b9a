import type { Database, Queryable } from '../db/database.js'
import { sql } from '../db/sql.js'
import { createSchemaSql, sourceColumns, storeTableSql, upsertStoreSql } from './generators/table-sql.js'
import { qualified, type TableMetadata } from './table-metadata.js'

/**
 * Upserts one sequence's landing rows into the store table (created, from the landing table's
 * columns, if missing), in one transaction. Resolves with the number of keys the batch held.
 * `inTransaction` runs inside the same transaction (to record counts with the data).
 */
export async function upsertLandingToStore(
  db: Database,
  meta: TableMetadata,
  seq: number,
  inTransaction?: (tx: Queryable, keys: number) => Promise<void>,
): Promise<{ rows: number }> {
  await db.query(createSchemaSql(meta.store.schema))
  const landing = await db.describeTable(qualified(meta.landing))
  await db.query(storeTableSql(db.dialect, meta, sourceColumns(meta, landing.columns)))
  const keys = sql.join(meta.key.map((column) => sql.id(column)))
  return db.transaction(async (tx) => {
    const { rows } = await tx.query(
      sql`select count(*) as n from (select distinct ${keys} from ${sql.id(meta.landing.schema, meta.landing.name)} where ${sql.id('exec_seq')} = ${seq}) k`,
    )
    for (const statement of upsertStoreSql(db.dialect, meta, seq)) await tx.query(statement)
    const count = Number(rows[0]?.n ?? 0)
    await inTransaction?.(tx, count)
    return { rows: count }
  })
}
