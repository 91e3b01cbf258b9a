import type { Target } from '../core/target.js'
import type { Database, Transaction } from './database.js'
import { markerMigrations } from './marker-migrations.js'
import { migrate } from './migrations/migrate.js'
import { sql } from './sql.js'
import { tableLabel, type TableRef } from './table-ref.js'

/** The warehouse table that records which loads happened (Luigi's `table_updates`). */
export const MARKER_TABLE = 'etl_table_updates'

/** The result of {@link TableUpdateTarget.commit}. */
export type CommitOutcome<T> = { readonly skipped: true } | { readonly skipped: false; readonly result: T }

/**
 * A load recorded in the warehouse's marker table, written in the same transaction as the data it
 * vouches for: a crash leaves either both or neither, so the marker never claims data that is not
 * there and loaded data never goes unrecorded. `exists()` is true once the marker row is committed.
 *
 * ```ts
 * output() { return new TableUpdateTarget(warehouse, 'landing.orders', `orders_seq_${this.params.seq}`) }
 * async run() {
 *   await this.output().commit(async (tx) => {
 *     await tx.query(sql`delete from landing.orders where seq = ${seq}`)
 *     await tx.bulkLoad('landing.orders', await lake.get(key))
 *   })
 * }
 * ```
 */
export class TableUpdateTarget implements Target {
  readonly db: Database
  /** The table the load wrote to, as recorded in `target_table`. */
  readonly targetTable: string
  /** What identifies this load (a task id, a batch number), as recorded in `update_id`. */
  readonly updateId: string
  readonly markerTable: TableRef

  constructor(db: Database, targetTable: TableRef, updateId: string, options: { markerTable?: TableRef } = {}) {
    this.db = db
    this.targetTable = tableLabel(targetTable)
    this.updateId = updateId
    this.markerTable = options.markerTable ?? MARKER_TABLE
  }

  async exists(): Promise<boolean> {
    if (!(await this.db.tableExists(this.markerTable))) return false
    return this.#isMarked(this.db)
  }

  /**
   * Creates or upgrades the marker table (its numbered migrations, run once under a lock, so
   * loads that start side by side never race to create it). DDL runs before any load's transaction.
   */
  async ensureMarkerTable(): Promise<void> {
    await migrate(this.db, markerMigrations(this.markerTable))
  }

  /** Writes the marker row inside `tx`, the transaction that wrote the data. */
  async touch(tx: Transaction, rowCount?: number): Promise<void> {
    const inserted = new Date().toISOString().replace('T', ' ').replace('Z', '')
    await tx.query(
      sql`insert into ${this.#marker()} (update_id, target_table, inserted, row_count) values (${this.updateId}, ${this.targetTable}, ${inserted}, ${rowCount ?? null})`,
    )
  }

  /**
   * Runs `work` and writes the marker in one transaction. If the marker is already there (an earlier
   * run committed), nothing runs: a rerun never loads the same data twice. When `work` returns
   * `{ rows }`, the count is recorded with the marker.
   */
  async commit<T>(work: (tx: Transaction) => Promise<T>): Promise<CommitOutcome<T>> {
    await this.ensureMarkerTable()
    return this.db.transaction(async (tx): Promise<CommitOutcome<T>> => {
      if (await this.#isMarked(tx)) return { skipped: true }
      const result = await work(tx)
      const rows = (result as { rows?: unknown } | undefined)?.rows
      await this.touch(tx, typeof rows === 'number' ? rows : undefined)
      return { skipped: false, result }
    })
  }

  /** Deletes the marker (the data stays), so the load runs again next time. */
  async remove(): Promise<void> {
    if (!(await this.db.tableExists(this.markerTable))) return
    await this.db.query(sql`delete from ${this.#marker()} where update_id = ${this.updateId} and target_table = ${this.targetTable}`)
  }

  toString(): string {
    return `${this.db.name}:${tableLabel(this.markerTable)}[${this.targetTable} ${this.updateId}]`
  }

  async #isMarked(q: Transaction | Database): Promise<boolean> {
    const { rows } = await q.query(sql`select 1 as found from ${this.#marker()} where update_id = ${this.updateId} and target_table = ${this.targetTable}`)
    return rows.length > 0
  }

  #marker() {
    return sql.table(this.markerTable)
  }
}
