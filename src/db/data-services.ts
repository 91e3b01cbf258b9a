import { EtlError } from '../errors.js'
import type { EtlConfig } from '../config/load-config.js'
import { splitCsvHeader } from '../csv/csv-header.js'
import { createStorage, DEFAULT_LAKE } from '../lake/create-storage.js'
import type { LakeConfig } from '../lake/lake-config.js'
import type { Storage } from '../lake/storage.js'
import { tee } from '../util/tee.js'
import { DEFAULT_CONNECTIONS, type ConnectionConfig } from './connection-config.js'
import { createDatabase } from './create-database.js'
import type { BulkLoadOptions, BulkLoadResult, CsvSource, Database, Queryable, Transaction } from './database.js'
import type { SqlDialect } from './sql-dialect.js'
import type { TableRef } from './table-ref.js'

/** Bulk-load errors raised by the checks before the first row, when the target is wrong rather than the data. */
const REFUSED_BEFORE_ANY_ROW = new Set<unknown>(['ETL_ERR_DB_TABLE_MISSING', 'ETL_ERR_DB_COLUMN_MISSING'])

export interface DataServicesOptions {
  /** Named connections; they replace the defaults of the same name. @defaultValue {@link DEFAULT_CONNECTIONS} */
  connections?: Readonly<Record<string, ConnectionConfig>>
  /** @defaultValue `{ "type": "local", "path": "lake" }` */
  lake?: LakeConfig
  /** Folder relative paths (PGlite data, the local lake) are taken from. @defaultValue process.cwd() */
  cwd?: string
}

/**
 * What tasks use of the data layer: named database connections, opened on first use and checked
 * before they are handed out, and the lake. One per run; `close()` at the end closes everything it
 * opened. The worker exposes it to tasks as `ctx.db(name)` and `ctx.lake`.
 *
 * ```ts
 * const data = DataServices.fromConfig(await loadConfig())
 * const source = await data.database('source')
 * await data.lake().put('landing/orders.csv', source.extractCsv('select * from orders'))
 * await data.close()
 * ```
 */
export class DataServices {
  readonly #connections: Readonly<Record<string, ConnectionConfig>>
  readonly #configured: ReadonlySet<string>
  readonly #lakeConfig: LakeConfig
  readonly #cwd: string
  /** Every connection made, opened or not; `#opened` holds those checked with `ping()`. */
  readonly #created = new Map<string, Database>()
  readonly #opened = new Map<string, Promise<Database>>()
  #lake: Storage | undefined
  #closed = false

  constructor(options: DataServicesOptions = {}) {
    this.#connections = Object.freeze({ ...DEFAULT_CONNECTIONS, ...options.connections })
    this.#configured = new Set(Object.keys(options.connections ?? {}))
    this.#lakeConfig = options.lake ?? DEFAULT_LAKE
    this.#cwd = options.cwd ?? process.cwd()
  }

  /** The services for a loaded config (its `connections` and `lake` sections). */
  static fromConfig(config: Pick<EtlConfig, 'raw'>, options: Omit<DataServicesOptions, 'connections' | 'lake'> = {}): DataServices {
    return new DataServices({ ...options, connections: config.raw.connections, lake: config.raw.lake })
  }

  /** Connection names, defaults included. */
  get connectionNames(): readonly string[] {
    return Object.keys(this.#connections).sort()
  }

  /**
   * True when `name` is one of the built-in embedded connections ({@link DEFAULT_CONNECTIONS}) and
   * the config does not name it: a database etl made itself, under `data/`, rather than one a user
   * pointed it at.
   */
  isBuiltIn(name: string): boolean {
    return name in DEFAULT_CONNECTIONS && !this.#configured.has(name)
  }

  /**
   * The named connection, opened and checked on first use (an unreachable server or refused
   * credentials fail here, before anything is written). Later calls return the same one.
   */
  database(name: string): Promise<Database> {
    if (this.#closed) return Promise.reject(new EtlError('ETL_ERR_DB_CLOSED', `the data services are closed; connection "${name}" cannot be opened`))
    let opened = this.#opened.get(name)
    if (!opened) {
      opened = this.#open(name)
      this.#opened.set(name, opened)
      // A failed open is not cached, so a later call (after the server is back) tries again.
      opened.catch(() => this.#opened.delete(name))
    }
    return opened
  }

  /** How logs and errors name the connection, e.g. `connection "source" (pglite at data/source)`; never a password. */
  describe(name: string): string {
    return this.#create(name).description
  }

  /** How the named connection writes SQL (its `Database.dialect`), without opening it. */
  dialect(name: string): SqlDialect {
    return this.#create(name).dialect
  }

  /**
   * Runs `work` in a read-only transaction on the named connection, rolled back however it ends
   * ({@link Database.readOnly}). Unlike `database(name)` it makes nothing on first use: an embedded
   * database that does not exist yet is an error, not created.
   */
  async readOnly<T>(name: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.#closed) throw new EtlError('ETL_ERR_DB_CLOSED', `the data services are closed; connection "${name}" cannot be opened`)
    return this.#create(name).readOnly(work)
  }

  /**
   * The named database's data version (see {@link Database.dataVersion}), without opening it: equal
   * versions mean unchanged data. Undefined when it cannot be known cheaply.
   */
  async dataVersion(name: string): Promise<string | undefined> {
    if (this.#closed) return undefined
    return this.#create(name).dataVersion()
  }

  /** The data version the named database will have once this run closes it (see {@link Database.dataVersionOnClose}). */
  async dataVersionOnClose(name: string): Promise<string | undefined> {
    if (this.#closed) return undefined
    return this.#create(name).dataVersionOnClose()
  }

  /**
   * Closes one connection; the next `database(name)` opens a fresh one. For a task that has just
   * written a database no other running task is using, so that its changes are settled (an embedded
   * database records its new data version when it closes).
   */
  async release(name: string): Promise<void> {
    const db = this.#created.get(name)
    this.#created.delete(name)
    this.#opened.delete(name)
    await db?.close()
  }

  /** The lake. */
  lake(): Storage {
    this.#lake ??= createStorage(this.#lakeConfig, this.#cwd)
    return this.#lake
  }

  /**
   * Storage at another S3 location than the lake (`s3://bucket/prefix`, e.g. a folder of exports a
   * partner drops files in), reached with the lake's S3 settings (endpoint, region, credentials)
   * when the lake is in S3, else with the AWS SDK's usual credentials. One per location, closed with
   * these services.
   */
  storageAt(uri: string): Storage {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri)
    if (!match) throw new EtlError('ETL_ERR_CONFIG_INVALID', `"${uri}" is not an S3 location; write it as s3://bucket/prefix`)
    let storage = this.#storages.get(uri)
    if (!storage) {
      const settings = this.#lakeConfig.type === 's3' ? this.#lakeConfig : {}
      storage = createStorage({ ...settings, type: 's3', bucket: match[1]!, prefix: match[2] || undefined }, this.#cwd)
      this.#storages.set(uri, storage)
    }
    return storage
  }

  readonly #storages = new Map<string, Storage>()

  /**
   * Loads a CSV object from the lake into a table, the fastest way the database has: straight from
   * S3 where it can (Redshift's COPY), else streamed through this process. Pass a transaction to
   * load under a marker written in the same transaction.
   */
  async loadFromLake(into: Queryable, table: TableRef, key: string, options: BulkLoadOptions = {}): Promise<BulkLoadResult> {
    const lake = this.lake()
    if (this.#copiesFromLake(into, key)) {
      const columns = options.columns ?? (await headerOf(lake, key))
      return into.copyFromUri(table, lake.uri(key), { columns, header: options.columns === undefined })
    }
    return into.bulkLoad(table, await lake.get(key), options)
  }

  /**
   * Writes `csv` to the lake under `key` and loads the same bytes into `table` in one pass: the load
   * runs while the object is still being written instead of after it, which is how a landing step
   * keeps pace with a pipe from one database's client into the other's. The object appears only
   * once complete, as with `put`. If the extract or the lake write fails, the load fails too (roll
   * back the transaction it ran in) and no object appears; so too when the table, or a column the
   * CSV names, does not exist. If the load fails on the data, the object is still completed, so a
   * rerun can load it with {@link loadFromLake} without extracting again. Where the database loads
   * from S3 itself (Redshift), the object is written first and then copied.
   */
  async loadThroughLake(into: Queryable, table: TableRef, key: string, csv: CsvSource, options: BulkLoadOptions = {}): Promise<BulkLoadResult & { readonly size: number }> {
    const lake = this.lake()
    if (this.#copiesFromLake(into, key)) {
      const { size } = await lake.put(key, csv)
      return { ...(await this.loadFromLake(into, table, key, options)), size }
    }
    const [toLake, toTable] = tee(csv)
    const stored = lake.put(key, toLake).catch((error: unknown) => {
      toTable.destroy(error as Error)
      throw error
    })
    const loaded = into.bulkLoad(table, toTable, options).catch((error: unknown) => {
      toTable.destroy()
      // A load refused before its first row (no such table or column) is bad input: nothing is
      // written, the lake included. A load the data broke lets the lake have the rest: a complete
      // object is what the rerun loads.
      if (REFUSED_BEFORE_ANY_ROW.has((error as { code?: unknown }).code)) toLake.destroy(error as Error)
      throw error
    })
    const [put, load] = await Promise.allSettled([stored, loaded])
    // The lake's failure first: it is the cause when both failed (a broken extract fails both).
    if (put.status === 'rejected') throw put.reason
    if (load.status === 'rejected') throw load.reason
    return { rows: load.value.rows, size: put.value.size }
  }

  /** Closes every connection opened and the lake's client. */
  async close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled(this.#opened.values())
    const databases = [...this.#created.values()]
    this.#created.clear()
    this.#opened.clear()
    await Promise.allSettled(databases.map((db) => db.close()))
    await this.#lake?.close()
    await Promise.allSettled([...this.#storages.values()].map((storage) => storage.close()))
    this.#storages.clear()
  }

  /** The database copies this lake object itself (Redshift from S3): its bytes need not pass through here. */
  #copiesFromLake(into: Queryable, key: string): into is Queryable & Required<Pick<Queryable, 'copyFromUri'>> {
    return into.copyFromUri !== undefined && this.lake().uri(key).startsWith('s3://')
  }

  async #open(name: string): Promise<Database> {
    const db = this.#create(name)
    try {
      await db.ping()
    } catch (error) {
      this.#created.delete(name)
      await db.close().catch(() => undefined)
      throw error
    }
    return db
  }

  /** The connection object for `name`, made once; nothing is opened until it is used. */
  #create(name: string): Database {
    const made = this.#created.get(name)
    if (made) return made
    const config = this.#connections[name]
    if (!config) {
      throw new EtlError(
        'ETL_ERR_DB_CONNECTION_UNKNOWN',
        `unknown connection "${name}"; known: ${this.connectionNames.join(', ')}. Add it under "connections" in etl.config.json or use one of those`,
      )
    }
    const db = createDatabase(name, config, { cwd: this.#cwd, lake: this.#lakeConfig.type === 's3' ? this.lake() : undefined })
    this.#created.set(name, db)
    return db
  }
}

async function headerOf(lake: Storage, key: string): Promise<readonly string[]> {
  const stream = await lake.get(key)
  try {
    return (await splitCsvHeader(stream, `lake object "${key}"`)).columns
  } finally {
    stream.destroy()
  }
}
