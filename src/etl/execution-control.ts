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

  /** Creates the control schema and tables if missing. */
  async ensure(): Promise<void> {
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
