import type { Readable } from 'node:stream'
import type mysql from 'mysql2'
import type { ColumnDescription } from '../column-type.js'
import type { ConnectionLabel } from '../connection-label.js'
import type { Statement, Transaction } from '../database.js'
import { queryError } from '../database-errors.js'
import { PooledDatabase } from '../pooled-database.js'
import type { RowBatch } from '../row-batch.js'
import { tableLabel, type TableName, type TableRef } from '../table-ref.js'
import { EtlError } from '../../errors.js'
import { sql } from '../sql.js'
import { lazyImport } from '../../util/lazy-import.js'
import type { MysqlConnectionConfig } from './mysql-config.js'
import { readMysqlColumns, readMysqlTableNames } from './mysql-describe.js'
import { MysqlSession } from './mysql-session.js'
import { mysqlDialect } from './mysql-dialect.js'

/** How long a caller waits for a named lock another connection holds. */
const LOCK_WAIT_SECONDS = 60

/** mysql2, loaded by the first connection rather than by importing `etl`. */
/** Every session reads and writes TIMESTAMP values in UTC. */
const SESSION_TIME_ZONE = "set time_zone = '+00:00'"

const loadDriver = lazyImport(async () => (await import('mysql2')).default)

/** Rows buffered ahead of the consumer while streaming; past it the socket is paused. */
const STREAM_HIGH_WATER_ROWS = 2000

/**
 * A MySQL or MariaDB server through a mysql2 pool. Reads stream without buffering the result; bulk
 * loads go through `LOAD DATA LOCAL INFILE` fed from a stream. Driver settings lose nothing: decimals
 * and big integers come back as strings, dates and datetimes as MySQL wrote them.
 */
export class MysqlDatabase extends PooledDatabase<mysql.Pool, mysql.PoolConnection> {
  readonly dialect = mysqlDialect
  protected override readonly beginStatement = 'start transaction'
  readonly #config: MysqlConnectionConfig

  /** Connects nothing: the driver is loaded and the pool made by the first statement or `ping()`. */
  constructor(name: string, config: MysqlConnectionConfig) {
    super(mysqlLabel(name, config))
    this.#config = Object.freeze({ ...config })
  }

  /**
   * MySQL's DDL commits at once, ending a transaction and its row locks: a named lock of the
   * connection (GET_LOCK) is held across the whole of `work` instead, and released after it.
   */
  override exclusively<T>(table: TableRef, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const name = `etl:${tableLabel(table)}`.slice(0, 64)
    return this.transaction(async (tx) => {
      const { rows } = await tx.query(sql`select get_lock(${name}, ${LOCK_WAIT_SECONDS}) as got`)
      if (Number(rows[0]?.got) !== 1) throw new EtlError('ETL_ERR_DB_QUERY_FAILED', `could not lock ${tableLabel(table)} on ${this.description} within ${LOCK_WAIT_SECONDS} s: another etl holds it; try again`)
      try {
        return await work(tx)
      } finally {
        await tx.query(sql`select release_lock(${name})`)
      }
    })
  }

  protected async *streamBatches(statement: Statement, params?: readonly unknown[]): AsyncGenerator<RowBatch> {
    const { text, values } = this.dialect.compile(statement, params)
    const connection = await this.connect()
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
      this.release(connection, finished)
    }
  }

  protected readColumns(q: Transaction, table: TableName): Promise<ColumnDescription[]> {
    return readMysqlColumns(q, table)
  }

  protected readTableNames(q: Transaction): Promise<string[]> {
    return readMysqlTableNames(q)
  }

  protected async createPool(): Promise<mysql.Pool> {
    const driver = await loadDriver()
    const config = this.#config
    const pool = driver.createPool({
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
    // TIMESTAMP values print in the session's time zone: in UTC, a watermark read from one means the
    // same instant whatever the server's or the account's default zone, in every session.
    pool.on('connection', (connection) => connection.query(SESSION_TIME_ZONE))
    return pool
  }

  protected checkout(pool: mysql.Pool): Promise<mysql.PoolConnection> {
    return new Promise((resolve, reject) => pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))))
  }

  protected release(connection: mysql.PoolConnection, reusable: boolean): void {
    if (reusable) connection.release()
    else connection.destroy()
  }

  protected endPool(pool: mysql.Pool): Promise<void> {
    return new Promise((resolve) => pool.end(() => resolve()))
  }

  protected session(connection: mysql.PoolConnection): Transaction {
    return new MysqlSession(connection, this.label)
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
