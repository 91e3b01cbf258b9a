import type { Readable } from 'node:stream'
import type mysql from 'mysql2'
import type { ColumnDescription } from '../column-type.js'
import type { ConnectionLabel } from '../connection-label.js'
import { DatabaseBase } from '../database-base.js'
import type { QueryResult, Row, Statement, Transaction } from '../database.js'
import { closedError, connectionError, queryError } from '../database-errors.js'
import type { RowBatch } from '../row-batch.js'
import type { TableName } from '../table-ref.js'
import { lazyImport } from '../../util/lazy-import.js'
import type { MysqlConnectionConfig } from './mysql-config.js'
import { readMysqlColumns, readMysqlTableNames } from './mysql-describe.js'
import { MysqlSession } from './mysql-session.js'
import { mysqlDialect } from './mysql-dialect.js'

/** mysql2, loaded by the first connection rather than by importing `etl`. */
const loadDriver = lazyImport(async () => (await import('mysql2')).default)

/** Rows buffered ahead of the consumer while streaming; past it the socket is paused. */
const STREAM_HIGH_WATER_ROWS = 2000

/**
 * A MySQL or MariaDB server through a mysql2 pool. Reads stream without buffering the result; bulk
 * loads go through `LOAD DATA LOCAL INFILE` fed from a stream. Driver settings lose nothing: decimals
 * and big integers come back as strings, dates and datetimes as MySQL wrote them.
 */
export class MysqlDatabase extends DatabaseBase {
  readonly dialect = mysqlDialect
  readonly #config: MysqlConnectionConfig
  #pool: mysql.Pool | undefined
  #closed = false

  /** Connects nothing: the driver is loaded and the pool made by the first statement or `ping()`. */
  constructor(name: string, config: MysqlConnectionConfig) {
    super(mysqlLabel(name, config))
    this.#config = Object.freeze({ ...config })
  }

  async ping(): Promise<void> {
    const connection = await this.#connect()
    connection.release()
  }

  async query<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const connection = await this.#connect()
    try {
      return await new MysqlSession(connection, this.label).query<R>(statement, params)
    } finally {
      connection.release()
    }
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const connection = await this.#connect()
    const session = new MysqlSession(connection, this.label)
    let broken = false
    try {
      await session.query('start transaction')
      const result = await work(session)
      await session.query('commit')
      return result
    } catch (error) {
      await session.query('rollback').catch(() => (broken = true))
      throw error
    } finally {
      if (broken) connection.destroy()
      else connection.release()
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const pool = this.#pool
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()))
  }

  protected async *streamBatches(statement: Statement, params?: readonly unknown[]): AsyncGenerator<RowBatch> {
    const { text, values } = this.dialect.compile(statement, params)
    const connection = await this.#connect()
    let finished = false
    try {
      const query = connection.query({ sql: text, values, rowsAsArray: true })
      let columns: string[] = []
      query.on('fields', (fields: mysql.FieldPacket[]) => (columns = fields.map((field) => field.name)))
      // The query's stream pauses the connection whenever it holds more than the high-water mark, so
      // the server sends only as fast as rows are consumed.
      const rows: Readable = query.stream({ highWaterMark: STREAM_HIGH_WATER_ROWS })
      let failure: unknown
      rows.on('error', (error) => (failure ??= error))
      let yielded = false
      for (;;) {
        const batch: unknown[][] = []
        for (let row = rows.read() as unknown[] | null; row !== null; row = rows.read() as unknown[] | null) batch.push(row)
        if (batch.length > 0) {
          yielded = true
          yield { columns, rows: batch }
        }
        if (failure === undefined && !rows.readableEnded) await readableOrEnd(rows)
        if (failure !== undefined) throw queryError(this.label, failure, text)
        if (rows.readableEnded) break
      }
      if (!yielded) yield { columns, rows: [] }
      finished = true
    } finally {
      // A consumer that stopped early leaves rows on the wire: drop that connection rather than reuse it.
      if (finished) connection.release()
      else connection.destroy()
    }
  }

  protected readColumns(q: Transaction, table: TableName): Promise<ColumnDescription[]> {
    return readMysqlColumns(q, table)
  }

  protected readTableNames(q: Transaction): Promise<string[]> {
    return readMysqlTableNames(q)
  }

  async #connect(): Promise<mysql.PoolConnection> {
    if (this.#closed) throw closedError(this.label)
    const pool = this.#pool ?? (await this.#createPool())
    return new Promise((resolve, reject) => {
      pool.getConnection((error, connection) => (error ? reject(connectionError(this.label, error)) : resolve(connection)))
    })
  }

  async #createPool(): Promise<mysql.Pool> {
    let driver: typeof mysql
    try {
      driver = await loadDriver()
    } catch (error) {
      throw connectionError(this.label, error)
    }
    // close() may have run while the driver loaded: make no pool it would not end.
    if (this.#closed) throw closedError(this.label)
    if (this.#pool) return this.#pool
    const config = this.#config
    this.#pool = driver.createPool({
      host: config.host ?? '127.0.0.1',
      port: config.port ?? 3306,
      user: config.user ?? 'root',
      password: config.password,
      database: config.database,
      connectionLimit: config.poolSize ?? 4,
      connectTimeout: config.connectTimeoutMs ?? 10_000,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      dateStrings: true,
      jsonStrings: true,
    })
    return this.#pool
  }
}

/** Resolves when `stream` has rows to read, has ended or has failed (the caller checks which). */
function readableOrEnd(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('readable', done).off('end', done).off('error', done).off('close', done)
      resolve()
    }
    stream.on('readable', done).on('end', done).on('error', done).on('close', done)
  })
}

function mysqlLabel(name: string, config: MysqlConnectionConfig): ConnectionLabel {
  const where = `${config.user ?? 'root'}@${config.host ?? '127.0.0.1'}:${config.port ?? 3306}/${config.database}`
  return { name, dialect: 'mysql', where, secrets: config.password ? [config.password] : [] }
}
