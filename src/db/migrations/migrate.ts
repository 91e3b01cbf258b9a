import { EtlError } from '../../errors.js'
import type { Database, Transaction } from '../database.js'
import { sql } from '../sql.js'
import { tableLabel } from '../table-ref.js'
import type { MigrationSet } from './migration.js'

/** What `migrate` did: the ids it applied now (empty when the database was up to date). */
export interface MigrationOutcome {
  readonly applied: readonly number[]
}

/** The sets already brought up to date by this process, per database: a check costs a query. */
const done = new WeakMap<Database, Set<string>>()

/**
 * Brings a component's tables up to date: applies, in order, each of its migrations the migrations
 * table does not record yet, and records it. Concurrent callers (two first runs at once, two
 * workers) take turns under an exclusive lock, so each migration runs once; the second finds them
 * applied. Once a process has seen a set up to date on a database, it does not ask again.
 *
 * ```ts
 * await migrate(warehouse, CONTROL_MIGRATIONS)
 * ```
 */
export async function migrate(db: Database, set: MigrationSet): Promise<MigrationOutcome> {
  const key = `${set.component}\u0000${tableLabel(set.table)}\u0000${set.migrations.length}`
  if (done.get(db)?.has(key)) return { applied: [] }
  checkIds(set)
  await ensureMigrationsTable(db, set)
  const applied = await db.exclusively(set.table, async (tx) => {
    const recorded = await recordedIds(tx, set)
    const ran: number[] = []
    for (const migration of set.migrations) {
      if (recorded.has(migration.id)) continue
      try {
        await migration.up(tx, db)
      } catch (error) {
        throw new EtlError(
          'ETL_ERR_DB_MIGRATION_FAILED',
          `migration ${migration.id} (${migration.name}) of ${set.component} failed on ${db.description}: ${(error as Error).message}; nothing of it was recorded, so the next run tries it again`,
          { cause: error },
        )
      }
      await tx.query(sql`insert into ${sql.table(set.table)} (component, id, name, applied_at) values (${set.component}, ${migration.id}, ${migration.name}, ${now()})`)
      ran.push(migration.id)
    }
    return ran
  })
  let sets = done.get(db)
  if (!sets) done.set(db, (sets = new Set()))
  sets.add(key)
  return { applied }
}

/** Creates the migrations table once; a racing creator's table is as good as ours. */
async function ensureMigrationsTable(db: Database, set: MigrationSet): Promise<void> {
  if (await db.tableExists(set.table)) return
  try {
    if (set.schema) await db.ensureSchema(set.schema)
    await db.query(sql`create table if not exists ${sql.table(set.table)} (
      component varchar(128) not null,
      id integer not null,
      name varchar(256) not null,
      applied_at timestamp not null,
      primary key (component, id)
    )`)
  } catch (error) {
    // Postgres can refuse a CREATE … IF NOT EXISTS that races another: the table is there then.
    if (!(await db.tableExists(set.table))) throw error
  }
}

async function recordedIds(tx: Transaction, set: MigrationSet): Promise<Set<number>> {
  const { rows } = await tx.query(sql`select id from ${sql.table(set.table)} where component = ${set.component}`)
  return new Set(rows.map((row) => Number(row.id)))
}

function checkIds(set: MigrationSet): void {
  set.migrations.forEach((migration, index) => {
    if (migration.id !== index + 1) throw new Error(`migrations of ${set.component} must be numbered 1, 2, 3 … in order; found ${migration.id} at position ${index + 1}`)
  })
}

function now(): string {
  return new Date().toISOString().slice(0, 19).replace('T', ' ')
}
