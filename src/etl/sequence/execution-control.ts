import { EtlError } from '../../errors.js'
import type { Database, Queryable } from '../../db/database.js'
import { migrate } from '../../db/migrations/migrate.js'
import { sql } from '../../db/sql.js'
import { CONTROL_MIGRATIONS, CONTROL_TABLES, EDGE_COUNT_COLUMNS, UNKEYED_PIPELINE } from './control-migrations.js'

export { CONTROL_SCHEMA } from './control-migrations.js'

export type ExecutionStatus = 'RUNNING' | 'COMPLETE'

/** One execution sequence of a pipeline: 1, 2, 3 … */
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
  /** Rows the extract could not select because their watermark (with the fallback) was NULL. */
  readonly nullWatermarkRows: number | null
  /** Rows read again in the lookback's overlap with the previous window. */
  readonly rereadRows: number | null
  /** Of those, the ones store did not have as they were (late arrivals). */
  readonly changedRows: number | null
  /** The source's keys a reconciliation of hard deletes read. */
  readonly reconciledKeys: number | null
  /** Store rows this sequence found gone from the source and flagged (`etl_deleted_at_seq`). */
  readonly flaggedRows: number | null
  /** Store rows this sequence found gone from the source and deleted. */
  readonly deletedRows: number | null
}

/** A warehouse's identity (see {@link ExecutionControl.identity}). */
export interface WarehouseIdentity {
  readonly id: string
  /**
   * The latest sequence of the first release's single counter when the identity was made: markers
   * from before identities vouch for this warehouse up to it, and only for the pipeline that adopted
   * those sequences. 0 for a warehouse that had none.
   */
  readonly adoptedThrough: number
}

/** The counts a step records for a table. */
export type CountColumn = 'extracted_rows' | 'loaded_rows' | 'upserted_rows' | (typeof EDGE_COUNT_COLUMNS)[number]

/** A table's window when a sequence opens. */
export interface OpeningWindow {
  readonly table: string
  readonly start: string | null
  readonly end: string | null
  /** The rows whose watermark is NULL, counted as the sequence opens. */
  readonly nullWatermarkRows?: number | null
}

const sequences = sql.table(CONTROL_TABLES.sequence)
const sequenceTables = sql.table(CONTROL_TABLES.sequenceTable)
const warehouses = sql.table(CONTROL_TABLES.warehouse)

/** Pipelines that have taken over the unkeyed sequences, per database, in this process. */
const adopted = new WeakMap<Database, Set<string>>()

/**
 * One pipeline's execution control in the warehouse: its sequence of executions (status, start,
 * end) and, per table and sequence, the watermark window and row counts. Each pipeline has its own
 * counter. A new sequence starts only after the pipeline's previous one completed; until then every
 * run resumes the open one with the same watermarks.
 */
export class ExecutionControl {
  readonly #db: Database
  readonly #pipeline: string

  readonly #adopts: boolean

  /** `adopts`: this pipeline takes over the sequences recorded before pipelines had keys. */
  constructor(db: Database, pipeline: string, options: { adopts?: boolean } = {}) {
    this.#db = db
    this.#pipeline = pipeline
    this.#adopts = options.adopts ?? false
  }

  /**
   * Brings the control tables up to date (numbered migrations, run once per warehouse under a lock)
   * and returns the warehouse's identity.
   */
  async ensure(): Promise<WarehouseIdentity> {
    await migrate(this.#db, CONTROL_MIGRATIONS)
    if (this.#adopts && !adopted.get(this.#db)?.has(this.#pipeline)) {
      await this.#adoptUnkeyed()
      adopted.set(this.#db, new Set([...(adopted.get(this.#db) ?? []), this.#pipeline]))
    }
    const found = await this.identity()
    if (!found) throw new EtlError('ETL_ERR_ELT_CONTROL_STATE', `${this.#db.description} has control tables but no warehouse identity in ${CONTROL_TABLES.warehouse.schema}.${CONTROL_TABLES.warehouse.name}`)
    return found
  }

  /**
   * A random id written once, when the control tables are made: it tells this warehouse's sequence
   * 1 from the sequence 1 of a warehouse wiped and built again, or of another warehouse. A step's
   * marker records it with the sequence, and vouches only for a warehouse that has it. Undefined
   * before the control tables are made.
   */
  async identity(): Promise<WarehouseIdentity | undefined> {
    if (!(await this.#db.tableExists(CONTROL_TABLES.warehouse))) return undefined
    const { rows } = await this.#db.query(sql`select warehouse_id, adopted_through from ${warehouses} order by created_at, warehouse_id limit 1`)
    const row = rows[0]
    return row ? { id: String(row.warehouse_id), adoptedThrough: Number(row.adopted_through) } : undefined
  }

  /** The pipeline's latest sequence, or undefined before its first (or before the control tables exist). */
  async latest(): Promise<Execution | undefined> {
    if (!(await this.#db.tableExists(CONTROL_TABLES.sequence))) return undefined
    const { rows } = await this.#db.query(
      sql`select exec_seq, status, started_at, ended_at from ${sequences} where pipeline = ${this.#pipeline} order by exec_seq desc limit 1`,
    )
    const row = rows[0]
    if (!row) return undefined
    return { seq: Number(row.exec_seq), status: String(row.status) as ExecutionStatus, startedAt: String(row.started_at), endedAt: row.ended_at === null ? null : String(row.ended_at) }
  }

  /** The tables of one of the pipeline's sequences, by name. */
  async tables(seq: number): Promise<Map<string, ExecutionTable>> {
    const { rows } = await this.#db.query(
      sql`select exec_seq, table_name, start_watermark, end_watermark, extracted_rows, loaded_rows, upserted_rows, ${sql.join(EDGE_COUNT_COLUMNS.map((column) => sql.id(column)))} from ${sequenceTables} where pipeline = ${this.#pipeline} and exec_seq = ${seq}`,
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
          nullWatermarkRows: count(row.null_watermark_rows),
          rereadRows: count(row.reread_rows),
          changedRows: count(row.changed_rows),
          reconciledKeys: count(row.reconciled_keys),
          flaggedRows: count(row.flagged_rows),
          deletedRows: count(row.deleted_rows),
        },
      ]),
    )
  }

  /**
   * Opens sequence `seq` with each table's window, in one transaction. Refused unless `seq` follows
   * the pipeline's complete sequence (or is its first).
   */
  async begin(seq: number, windows: readonly OpeningWindow[]): Promise<void> {
    const latest = await this.latest()
    if (latest ? latest.status !== 'COMPLETE' || latest.seq !== seq - 1 : seq !== 1) {
      throw new EtlError(
        'ETL_ERR_ELT_CONTROL_STATE',
        `cannot start execution sequence ${seq} of ${this.#pipeline}: the latest is ${latest ? `${latest.seq} (${latest.status})` : 'none'}; a new sequence starts only after the previous one completed`,
      )
    }
    const now = timestamp()
    await this.#db.transaction(async (tx) => {
      await tx.query(sql`insert into ${sequences} (pipeline, exec_seq, status, started_at) values (${this.#pipeline}, ${seq}, ${'RUNNING'}, ${now})`)
      for (const window of windows) {
        await tx.query(
          sql`insert into ${sequenceTables} (pipeline, exec_seq, table_name, start_watermark, end_watermark, null_watermark_rows) values (${this.#pipeline}, ${seq}, ${window.table}, ${window.start}, ${window.end}, ${window.nullWatermarkRows ?? null})`,
        )
      }
    })
  }

  /** Records a row count for a table of a sequence (inside `q`, a load's transaction, when given). */
  async count(seq: number, table: string, column: CountColumn, rows: number, q: Queryable = this.#db): Promise<void> {
    await q.query(sql`update ${sequenceTables} set ${sql.id(column)} = ${rows} where pipeline = ${this.#pipeline} and exec_seq = ${seq} and table_name = ${table}`)
  }

  /**
   * Adds to a count (inside `q`, the transaction of the work counted): for what a rerun cannot see
   * again, such as store rows deleted, so each is counted once whatever the reruns.
   */
  async add(seq: number, table: string, column: CountColumn, rows: number, q: Queryable = this.#db): Promise<void> {
    const current = sql.id(column)
    await q.query(sql`update ${sequenceTables} set ${current} = coalesce(${current}, 0) + ${rows} where pipeline = ${this.#pipeline} and exec_seq = ${seq} and table_name = ${table}`)
  }

  /** Marks a sequence complete. */
  async finish(seq: number): Promise<void> {
    await this.#db.query(sql`update ${sequences} set status = ${'COMPLETE'}, ended_at = ${timestamp()} where pipeline = ${this.#pipeline} and exec_seq = ${seq}`)
  }

  /** The first release's sequences become this pipeline's (once; afterwards nothing is unkeyed). */
  async #adoptUnkeyed(): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query(sql`update ${sequences} set pipeline = ${this.#pipeline} where pipeline = ${UNKEYED_PIPELINE}`)
      await tx.query(sql`update ${sequenceTables} set pipeline = ${this.#pipeline} where pipeline = ${UNKEYED_PIPELINE}`)
    })
  }
}

/** Now as `YYYY-MM-DD HH:MM:SS` (UTC), the form every dialect reads as a timestamp. */
export function timestamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}
