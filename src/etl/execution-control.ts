import { randomBytes } from 'node:crypto'
import { EtlError } from '../errors.js'
import type { Database, Queryable } from '../db/database.js'
import { sql } from '../db/sql.js'

/** The control schema's tables in the warehouse. */
export const CONTROL_SCHEMA = 'control'

export type ExecutionStatus = 'RUNNING' | 'COMPLETE'

/** One execution sequence: 1, 2, 3 … */
export interface Execution {
  readonly seq: number
  readonly status: ExecutionStatus
  readonly startedAt: string
  readonly endedAt: string | null
}

/** One table's part of a sequence: its watermark window and row counts. */
export interface ExecutionTable {
  readonly seq: number
  readonly table: string
  readonly startWatermark: string | null
  readonly endWatermark: string | null
  readonly extractedRows: number | null
  readonly loadedRows: number | null
  readonly upsertedRows: number | null
}

/** The counts a step records for a table. */
export type CountColumn = 'extracted_rows' | 'loaded_rows' | 'upserted_rows'

const execution = sql.id(CONTROL_SCHEMA, 'etl_execution')
const warehouseTable = { schema: CONTROL_SCHEMA, name: 'etl_warehouse' } as const
const executionTable = sql.id(CONTROL_SCHEMA, 'etl_execution_table')

/**
 * Execution control in the warehouse: the sequence of executions (status, start, end) and, per table
 * and sequence, the watermark window and row counts. A new sequence starts only after the previous one
 * completed; until then every run resumes the open one with the same watermarks.
 */
export class ExecutionControl {
  readonly #db: Database

  constructor(db: Database) {
    this.#db = db
  }

  /**
   * Creates the control schema and tables if missing, and returns the warehouse's identity (see
   * {@link identity}), made the first time.
   */
  async ensure(): Promise<string> {
    await this.#db.query(sql`create schema if not exists ${sql.id(CONTROL_SCHEMA)}`)
    await this.#db.query(sql`create table if not exists ${execution} (
      exec_seq bigint not null primary key,
      status varchar(16) not null,
      started_at timestamp not null,
      ended_at timestamp null
    )`)
    await this.#db.query(sql`create table if not exists ${executionTable} (
      exec_seq bigint not null,
      table_name varchar(128) not null,
      start_watermark varchar(64),
      end_watermark varchar(64),
      extracted_rows bigint,
      loaded_rows bigint,
      upserted_rows bigint,
      primary key (exec_seq, table_name)
    )`)
    await this.#db.query(sql`create table if not exists ${sql.table(warehouseTable)} (
      warehouse_id varchar(36) not null,
      created_at timestamp not null
    )`)
    const found = await this.identity()
    if (found) return found
    const made = randomBytes(8).toString('hex')
    await this.#db.query(sql`insert into ${sql.table(warehouseTable)} (warehouse_id, created_at) values (${made}, ${timestamp()})`)
    // Two first runs at once may both have inserted: the earliest row is the identity, the same one
    // for everyone who reads it.
    return (await this.identity()) ?? made
  }

  /**
   * A random id written once, when the control tables are created: it tells this warehouse's
   * sequence 1 from the sequence 1 of a warehouse wiped and built again, or of another warehouse.
   * A step's marker records it with the sequence, and vouches only for a warehouse that has it.
   * Undefined before the control tables exist (or in a warehouse built before they held one).
   */
  async identity(): Promise<string | undefined> {
    if (!(await this.#db.tableExists(warehouseTable))) return undefined
    const { rows } = await this.#db.query(sql`select warehouse_id from ${sql.table(warehouseTable)} order by created_at, warehouse_id limit 1`)
    return rows[0] ? String(rows[0].warehouse_id) : undefined
  }

  /** The latest sequence, or undefined before the first (or when the control tables do not exist yet). */
  async latest(): Promise<Execution | undefined> {
    if (!(await this.#db.tableExists({ schema: CONTROL_SCHEMA, name: 'etl_execution' }))) return undefined
    const { rows } = await this.#db.query(sql`select exec_seq, status, started_at, ended_at from ${execution} order by exec_seq desc limit 1`)
    const row = rows[0]
    if (!row) return undefined
    return { seq: Number(row.exec_seq), status: String(row.status) as ExecutionStatus, startedAt: String(row.started_at), endedAt: row.ended_at === null ? null : String(row.ended_at) }
  }

  /** The tables of a sequence, by name. */
  async tables(seq: number): Promise<Map<string, ExecutionTable>> {
    const { rows } = await this.#db.query(
      sql`select exec_seq, table_name, start_watermark, end_watermark, extracted_rows, loaded_rows, upserted_rows from ${executionTable} where exec_seq = ${seq}`,
    )
    const count = (value: unknown) => (value === null || value === undefined ? null : Number(value))
    return new Map(
      rows.map((row) => [
        String(row.table_name),
        {
          seq: Number(row.exec_seq),
          table: String(row.table_name),
          startWatermark: row.start_watermark === null ? null : String(row.start_watermark),
          endWatermark: row.end_watermark === null ? null : String(row.end_watermark),
          extractedRows: count(row.extracted_rows),
          loadedRows: count(row.loaded_rows),
          upsertedRows: count(row.upserted_rows),
        },
      ]),
    )
  }

  /**
   * Opens sequence `seq` with each table's window, in one transaction. Refused unless `seq` follows a
   * complete sequence (or is the first).
   */
  async begin(seq: number, windows: readonly { table: string; start: string | null; end: string | null }[]): Promise<void> {
    const latest = await this.latest()
    if (latest && (latest.status !== 'COMPLETE' || latest.seq !== seq - 1)) {
      throw new EtlError(
        'ETL_ERR_ELT_CONTROL_STATE',
        `cannot start execution sequence ${seq}: the latest is ${latest.seq} (${latest.status}); a new sequence starts only after the previous one completed`,
      )
    }
    const now = timestamp()
    await this.#db.transaction(async (tx) => {
      await tx.query(sql`insert into ${execution} (exec_seq, status, started_at) values (${seq}, ${'RUNNING'}, ${now})`)
      for (const window of windows) {
        await tx.query(sql`insert into ${executionTable} (exec_seq, table_name, start_watermark, end_watermark) values (${seq}, ${window.table}, ${window.start}, ${window.end})`)
      }
    })
  }

  /** Records a row count for a table of a sequence (inside `q`, a load's transaction, when given). */
  async count(seq: number, table: string, column: CountColumn, rows: number, q: Queryable = this.#db): Promise<void> {
    await q.query(sql`update ${executionTable} set ${sql.id(column)} = ${rows} where exec_seq = ${seq} and table_name = ${table}`)
  }

  /** Marks a sequence complete. */
  async finish(seq: number): Promise<void> {
    await this.#db.query(sql`update ${execution} set status = ${'COMPLETE'}, ended_at = ${timestamp()} where exec_seq = ${seq}`)
  }
}

/** Now as `YYYY-MM-DD HH:MM:SS` (UTC), the form every dialect reads as a timestamp. */
export function timestamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}
