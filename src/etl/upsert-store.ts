import type { Database, Queryable } from '../db/database.js'
import { sql, type Sql } from '../db/sql.js'
import { clearReturnedSql, hardDeleteSql } from './generators/hard-delete-sql.js'
import { overlapCountSql } from './generators/overlap-sql.js'
import { DELETED_AT_SEQ_COLUMN, fillStoreSql, sourceColumns, storeTableSql, upsertStoreSql } from './generators/table-sql.js'
import { qualified, type QualifiedTable, type TableMetadata } from './table-metadata.js'

/** What else an upsert of a sequence's batch does beside upserting. */
export interface UpsertStoreOptions {
  /**
   * The previous sequence's end watermark, when this sequence's window starts before it (a
   * lookback): the rows at or below it are counted as re-read, and those store lacks as changed.
   */
  readonly overlapThrough?: string
  /**
   * The table holding the keys the source had this sequence (exec_seq = the sequence): store rows
   * whose key is not there are flagged or deleted, as the dictionary's `hardDeletes` says.
   */
  readonly reconcileWith?: QualifiedTable
}

/** What an upsert of a sequence's batch did. Counts it did not take are undefined. */
export interface UpsertStoreCounts {
  /** The keys the batch held. */
  readonly rows: number
  readonly reread?: number
  readonly changed?: number
  /** Store rows flagged as gone by this sequence (all of them, on a rerun too). */
  readonly flagged?: number
  /** Store rows this attempt deleted as gone (a rerun finds none left to delete). */
  readonly deleted?: number
}

/**
 * Upserts one sequence's landing rows into the store table (created, from the landing table's
 * columns, if missing), in one transaction. Resolves with the number of keys the batch held, and
 * the counts `options` asked for. `inTransaction` runs inside the same transaction (to record
 * counts with the data).
 */
export async function upsertLandingToStore(
  db: Database,
  meta: TableMetadata,
  seq: number,
  inTransaction?: (tx: Queryable, keys: number, counts: UpsertStoreCounts) => Promise<void>,
  options: UpsertStoreOptions = {},
): Promise<UpsertStoreCounts> {
  await db.ensureSchema(meta.store.schema)
  const landing = await db.describeTable(qualified(meta.landing))
  await db.query(storeTableSql(db.dialect, meta, sourceColumns(meta, landing.columns)))
  if (meta.hardDeletes === 'flag') await addFlagColumn(db, meta)
  const keys = sql.join(meta.key.map((column) => sql.id(column)))
  return db.transaction(async (tx) => {
    const landing = sql`${sql.id(meta.landing.schema, meta.landing.name)}`
    const batch = sql`${sql.id('exec_seq')} = ${seq}`
    const distinct = await count(tx, sql`select count(*) as n from (select distinct ${keys} from ${landing} where ${batch}) k`)
    const overlap = options.overlapThrough === undefined ? undefined : overlapCountSql(meta, seq, options.overlapThrough)
    const overlapRow = overlap ? (await tx.query(overlap)).rows[0] : undefined
    if (await canFill(tx, meta, landing, batch, distinct)) await tx.query(fillStoreSql(meta, seq))
    else for (const statement of upsertStoreSql(db.dialect, meta, seq)) await tx.query(statement)
    const counts: UpsertStoreCounts = {
      rows: distinct,
      ...(overlapRow ? { reread: Number(overlapRow.reread ?? 0), changed: Number(overlapRow.changed ?? 0) } : {}),
      ...(await reconcile(tx, meta, seq, options.reconcileWith)),
    }
    await inTransaction?.(tx, counts.rows, counts)
    return counts
  })
}

/** Whether the batch can go in by a plain insert: the store is empty and no key comes twice in the batch. */
async function canFill(tx: Queryable, meta: TableMetadata, landing: Sql, batch: Sql, distinct: number): Promise<boolean> {
  const empty = (await tx.query(sql`select 1 as found from ${sql.table(qualified(meta.store))} limit 1`)).rows.length === 0
  return empty && (await count(tx, sql`select count(*) as n from ${landing} where ${batch}`)) === distinct
}

async function count(tx: Queryable, statement: Sql): Promise<number> {
  return Number((await tx.query(statement)).rows[0]?.n ?? 0)
}

/** Flags or deletes the store rows gone from the source; between reconciliations, clears returned keys. */
async function reconcile(tx: Queryable, meta: TableMetadata, seq: number, against: QualifiedTable | undefined): Promise<Pick<UpsertStoreCounts, 'flagged' | 'deleted'>> {
  if (!against) {
    const clear = clearReturnedSql(meta, seq)
    if (clear) await tx.query(clear)
    return {}
  }
  const statements = hardDeleteSql(meta, seq, against)
  if (statements.remove) return { deleted: (await tx.query(statements.remove)).rowCount }
  if (!statements.flag || !statements.flaggedCount) return {}
  for (const statement of statements.flag) await tx.query(statement)
  return { flagged: Number((await tx.query(statements.flaggedCount)).rows[0]?.n ?? 0) }
}

/** A store table made before its dictionary flagged hard deletes gets the flag column. */
async function addFlagColumn(db: Database, meta: TableMetadata): Promise<void> {
  const store = await db.describeTable(qualified(meta.store))
  if (store.columns.some((column) => column.name.toLowerCase() === DELETED_AT_SEQ_COLUMN.name)) return
  await db.query(db.dialect.addColumnSql(qualified(meta.store), DELETED_AT_SEQ_COLUMN))
}
