import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type { ColumnDescription } from '../column-type.js'
import type { ConnectionLabel } from '../connection-label.js'
import { DatabaseBase } from '../database-base.js'
import type { QueryResult, Row, Statement, Transaction } from '../database.js'
import { closedError, connectionError, queryError } from '../database-errors.js'
import { readPostgresColumns, readPostgresTableNames } from '../postgres/postgres-describe.js'
import { postgresDialect } from '../postgres/postgres-dialect.js'
import type { RowBatch } from '../row-batch.js'
import type { TableName } from '../table-ref.js'
import { EtlError } from '../../errors.js'
import { lazyImport } from '../../util/lazy-import.js'
import type { PgliteConnectionConfig } from './pglite-config.js'
import { readDataVersion, recordDataVersion } from './pglite-data-version.js'
import { PgliteSession } from './pglite-session.js'
import { isCluster, seedFromTemplate } from './pglite-template.js'

/** Rows fetched per step when streaming. */
const FETCH_ROWS = 2000
/** CSV bytes per COPY during a bulk load. */
const DEFAULT_LOAD_CHUNK_BYTES = 8 * 1024 * 1024

const identity = (value: string): string => value

/** PGlite, loaded when the first database opens rather than by importing `etl`. */
const loadPglite = lazyImport(async () => {
  const { PGlite, types } = await import('@electric-sql/pglite')
  /** Types returned as the server wrote them, as on a Postgres server (see `postgres-type-parsers.ts`). */
  const parsers = Object.fromEntries(
    [types.INT8, types.NUMERIC, types.DATE, types.TIME, types.TIMETZ, types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.JSON, types.JSONB].map((oid) => [oid, identity]),
  )
  return { PGlite, parsers }
})

/**
 * The embedded default: PGlite persisted in a folder (`data/<name>`). It is real Postgres, so the
 * same SQL runs here and on a server. It is opened on first use and has one connection: statements
 * queue, and a transaction holds it until it ends.
 */
export class PgliteDatabase extends DatabaseBase {
  /** PGlite is Postgres: it writes Postgres' SQL, and a file written for a Postgres server runs here too. */
  readonly dialect = postgresDialect
  readonly #config: PgliteConnectionConfig
  readonly #dataDir: string
  #db: Promise<PGlite> | undefined
  #closed = false
  #cursors = 0
  /**
   * The data version when this session opened, and the next transaction id then (unchanged means no
   * writes); `written` is the version its close records if it wrote anything.
   */
  #openedAt: { version: string | undefined; xid: string; written: string } | undefined

  constructor(name: string, config: PgliteConnectionConfig) {
    const dataDir = config.path === undefined ? path.join('data', name) : config.path
    super(pgliteLabel(name, dataDir))
    this.#config = Object.freeze({ ...config })
    this.#dataDir = dataDir
  }

  async ping(): Promise<void> {
    await this.#open()
  }

  async query<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const db = await this.#open()
    return this.#session(db, db).query<R>(statement, params)
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const db = await this.#open()
    return db.transaction((tx) => work(this.#session(tx, db)))
  }

  /**
   * PGlite opens its transactions itself (`begin`), so this one is made read-only by its first
   * statement, as Postgres allows before any query. A folder with no database is not made one.
   */
  async readOnly<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const db = await this.#open({ create: false })
    return db.transaction(async (tx) => {
      const session = this.#session(tx, db)
      let result: T
      try {
        await session.query('set transaction read only')
        result = await work(session)
      } catch (error) {
        await tx.rollback().catch(() => undefined)
        throw error
      }
      await tx.rollback()
      return result
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const db = await this.#db?.catch(() => undefined)
    if (!db) return
    const version = await this.#versionAtClose(db).catch(() => undefined)
    await db.close()
    // A version that cannot be recorded is merely unknown next time (the stored one no longer matches).
    if (!this.#inMemory && version !== undefined) await recordDataVersion(this.#dataDir, version).catch(() => undefined)
  }

  /** Read from the folder while closed; while open, the version it opened with until something is written. */
  override async dataVersion(): Promise<string | undefined> {
    if (this.#inMemory || this.#closed) return undefined
    if (!this.#db) return readDataVersion(this.#dataDir)
    const db = await this.#db
    return (await this.#unchangedSinceOpen(db)) ? this.#openedAt?.version : undefined
  }

  /** The version `close()` will record for the data as it stands now. */
  override async dataVersionOnClose(): Promise<string | undefined> {
    if (this.#inMemory || this.#closed) return undefined
    if (!this.#db) return readDataVersion(this.#dataDir)
    return this.#versionAtClose(await this.#db)
  }

  async #versionAtClose(db: PGlite): Promise<string | undefined> {
    return (await this.#unchangedSinceOpen(db)) ? this.#openedAt?.version : this.#openedAt?.written
  }

  /** True when the session opened with a known version and has written nothing since. */
  async #unchangedSinceOpen(db: PGlite): Promise<boolean> {
    const opened = this.#openedAt
    return opened?.version !== undefined && (await nextTransactionId(db)) === opened.xid
  }

  protected async *streamBatches(statement: Statement, params?: readonly unknown[]): AsyncGenerator<RowBatch> {
    const { text, values } = this.dialect.compile(statement, params)
    const db = await this.#open()
    // WITH HOLD lets the cursor outlive its transaction, so the single connection is free for other
    // statements between fetches (a consumer may write to this same database while it reads).
    const cursor = `etl_cursor_${++this.#cursors}`
    try {
      await db.query(`declare ${cursor} no scroll cursor with hold for ${text}`, values)
    } catch (error) {
      throw queryError(this.label, error, text)
    }
    try {
      for (let first = true; ; first = false) {
        const result = await db.query<unknown[]>(`fetch ${FETCH_ROWS} from ${cursor}`, [], { rowMode: 'array' })
        if (result.rows.length > 0 || first) yield { columns: result.fields.map((f) => f.name), rows: result.rows }
        if (result.rows.length < FETCH_ROWS) break
      }
    } finally {
      await db.query(`close ${cursor}`).catch(() => undefined)
    }
  }

  protected readColumns(q: Transaction, table: TableName): Promise<ColumnDescription[]> {
    return readPostgresColumns(q, table)
  }

  protected readTableNames(q: Transaction): Promise<string[]> {
    return readPostgresTableNames(q)
  }

  #session(db: ConstructorParameters<typeof PgliteSession>[0], pglite: PGlite): PgliteSession {
    return new PgliteSession(db, pglite, this.label, this.#config.loadChunkBytes ?? DEFAULT_LOAD_CHUNK_BYTES)
  }

  /** The open database, opened (and, unless `create` is false, made) by the first call. */
  #open({ create = true } = {}): Promise<PGlite> {
    if (this.#closed) return Promise.reject(closedError(this.label))
    this.#db ??= this.#create(create)
    return this.#db
  }

  get #inMemory(): boolean {
    return this.#dataDir.startsWith('memory://')
  }

  async #create(create: boolean): Promise<PGlite> {
    const inMemory = this.#inMemory
    try {
      if (!inMemory && !create && !(await isCluster(path.resolve(this.#dataDir)))) {
        throw new EtlError('ETL_ERR_DB_UNREACHABLE', `${this.description}: no database there yet, and a read-only transaction does not make one; the first run that uses the connection does`)
      }
      if (!inMemory) await fs.mkdir(path.dirname(path.resolve(this.#dataDir)), { recursive: true })
      const { PGlite, parsers } = await loadPglite()
      if (!inMemory) await seedFromTemplate(path.resolve(this.#dataDir), (dir) => PGlite.create({ dataDir: dir }))
      const version = inMemory ? undefined : readDataVersion(this.#dataDir)
      const db = await PGlite.create({ dataDir: inMemory ? this.#dataDir : path.resolve(this.#dataDir), parsers })
      this.#openedAt = { version, xid: await nextTransactionId(db), written: randomUUID() }
      return db
    } catch (error) {
      this.#db = undefined
      throw connectionError(this.label, error)
    }
  }
}

/**
 * The next transaction id: every write (a row, DDL, a sequence step) takes one, reads never do. The
 * WAL position would not do: reading rows for the first time after they were written sets their hint
 * bits, which is logged when data checksums are on.
 */
async function nextTransactionId(db: PGlite): Promise<string> {
  const { rows } = await db.query<{ xid: string }>('select pg_snapshot_xmax(pg_current_snapshot())::text as xid')
  return rows[0]!.xid
}

function pgliteLabel(name: string, dataDir: string): ConnectionLabel {
  return { name, dialect: 'pglite', where: `at ${dataDir}`, secrets: [] }
}
