import { Readable } from 'node:stream'
import type pg from 'pg'
import type { ColumnDescription } from '../column-type.js'
import type { ConnectionLabel } from '../connection-label.js'
import type { Statement, Transaction } from '../database.js'
import { queryError } from '../database-errors.js'
import { PooledDatabase } from '../pooled-database.js'
import type { RowBatch } from '../row-batch.js'
import { Sql } from '../sql.js'
import { lazyImport } from '../../util/lazy-import.js'
import type { TableName } from '../table-ref.js'
import type { PostgresConnectionConfig } from './postgres-config.js'
import { readPostgresColumns, readPostgresTableNames } from './postgres-describe.js'
import { PostgresSession } from './postgres-session.js'
import { postgresDialect } from './postgres-dialect.js'
import { losslessTypes } from './postgres-type-parsers.js'

/** pg and pg-copy-streams, loaded by the first connection rather than by importing `etl`. */
const loadDriver = lazyImport(async () => {
  const [{ default: pg }, { to: copyTo }] = await Promise.all([import('pg'), import('pg-copy-streams')])
  return { pg, copyTo }
})

/** Rows fetched per round trip when streaming. */
const FETCH_ROWS = 2000

/**
 * A PostgreSQL server through a pg pool. Bulk loads go through `COPY … FROM STDIN`, CSV extracts
 * through `COPY (…) TO STDOUT`, and big integers, decimals and timestamps come back as text.
 *
 * ```ts
 * const db = new PostgresDatabase('warehouse', { dialect: 'postgres', host: '127.0.0.1', database: 'dw' })
 * await db.bulkLoad('landing.orders', createReadStream('orders.csv'))
 * ```
 */
export class PostgresDatabase extends PooledDatabase<pg.Pool, pg.PoolClient> {
  readonly dialect = postgresDialect
  readonly #config: PostgresConnectionConfig
  #cursors = 0

  /** Connects nothing: the driver is loaded and the pool made by the first statement or `ping()`. */
  constructor(name: string, config: PostgresConnectionConfig) {
    super(postgresLabel(name, config))
    this.#config = Object.freeze({ ...config })
  }

  override extractCsv(statement: Statement, params?: readonly unknown[]): Readable {
    // COPY cannot take parameters; a `sql` template's values are written as escaped literals. Plain
    // text with params takes the cursor path instead.
    if (typeof statement === 'string' && params && params.length > 0) return super.extractCsv(statement, params)
    const { text } = statement instanceof Sql ? this.dialect.compileInline(statement) : { text: statement }
    return Readable.from(this.#copyOut(`copy (${text}) to stdout with (format csv, header true)`, text), { objectMode: false })
  }

  protected async *streamBatches(statement: Statement, params?: readonly unknown[]): AsyncGenerator<RowBatch> {
    const { text, values } = this.dialect.compile(statement, params)
    const client = await this.connect()
    const cursor = `etl_cursor_${++this.#cursors}`
    let committed = false
    try {
      await client.query('begin')
      await client.query({ text: `declare ${cursor} no scroll cursor for ${text}`, values }).catch((error: unknown) => {
        throw queryError(this.label, error, text)
      })
      for (let first = true; ; first = false) {
        const result = await client.query({ text: `fetch ${FETCH_ROWS} from ${cursor}`, rowMode: 'array' })
        if (result.rows.length > 0 || first) yield { columns: result.fields.map((f) => f.name), rows: result.rows as unknown[][] }
        if (result.rows.length < FETCH_ROWS) break
      }
      await client.query('commit')
      committed = true
    } finally {
      // Stopped early or failed: end the transaction; a client that cannot is dropped, not reused.
      const ended = committed || (await client.query('rollback').then(() => true, () => false))
      this.release(client, ended)
    }
  }

  protected readColumns(q: Transaction, table: TableName): Promise<ColumnDescription[]> {
    return readPostgresColumns(q, table)
  }

  protected readTableNames(q: Transaction): Promise<string[]> {
    return readPostgresTableNames(q)
  }

  async *#copyOut(copy: string, shown: string): AsyncGenerator<Buffer> {
    const client = await this.connect()
    const { copyTo } = await loadDriver()
    let finished = false
    try {
      const stream = client.query(copyTo(copy))
      for await (const chunk of stream) yield chunk as Buffer
      finished = true
    } catch (error) {
      throw queryError(this.label, error, shown)
    } finally {
      // A consumer that stops reading leaves the COPY running: drop that connection.
      this.release(client, finished)
    }
  }

  protected async createPool(): Promise<pg.Pool> {
    const driver = (await loadDriver()).pg
    const config = this.#config
    const pool = new driver.Pool({
      host: config.host ?? '127.0.0.1',
      port: config.port ?? 5432,
      user: config.user ?? 'postgres',
      password: config.password,
      database: config.database,
      ssl: config.ssl ? { rejectUnauthorized: true } : undefined,
      max: config.poolSize ?? 4,
      connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
      options: sessionOptions(config),
      types: losslessTypes(driver.types),
    })
    // An idle client dropped by the server must not crash the process; the next checkout reconnects.
    pool.on('error', () => {})
    return pool
  }

  protected checkout(pool: pg.Pool): Promise<pg.PoolClient> {
    return pool.connect()
  }

  protected release(client: pg.PoolClient, reusable: boolean): void {
    // pg destroys a client released with a truthy argument instead of returning it to the pool.
    client.release(!reusable)
  }

  protected endPool(pool: pg.Pool): Promise<void> {
    return pool.end()
  }

  protected session(client: pg.PoolClient): Transaction {
    return new PostgresSession(client, this.label)
  }
}

/**
 * The `-c name=value` options every session starts with: the schema as its `search_path`, then the
 * configured settings. Spaces and backslashes in a value are escaped, as libpq's options want.
 */
function sessionOptions(config: PostgresConnectionConfig): string | undefined {
  const settings = { ...(config.schema ? { search_path: config.schema } : {}), ...config.settings }
  const options = Object.entries(settings).map(([name, value]) => `-c ${name}=${String(value).replace(/[\\ ]/g, '\\$&')}`)
  return options.length ? options.join(' ') : undefined
}

function postgresLabel(name: string, config: PostgresConnectionConfig): ConnectionLabel {
  const where = `${config.user ?? 'postgres'}@${config.host ?? '127.0.0.1'}:${config.port ?? 5432}/${config.database}`
  return { name, dialect: 'postgres', where, secrets: config.password ? [config.password] : [] }
}
