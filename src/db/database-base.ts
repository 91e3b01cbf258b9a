import { Readable } from 'node:stream'
import { CSV_LINE_END } from '../csv/csv-encoder.js'
import { encodeCsvRecord } from '../csv/csv-value.js'
import type { ColumnDescription, TableDescription } from './column-type.js'
import { describeConnection, type ConnectionLabel } from './connection-label.js'
import type { BulkLoadOptions, BulkLoadResult, CsvSource, Database, DatabaseCapabilities, QueryResult, Row, Statement, Transaction } from './database.js'
import { isCreateRace, tableMissingError } from './database-errors.js'
import { rowsAsObjects, type RowBatch } from './row-batch.js'
import { sql, type Sql } from './sql.js'
import type { CreateTableOptions, SqlDialect } from './sql-dialect.js'
import { tableLabel, tableName, type TableName, type TableRef } from './table-ref.js'
import type { UpsertSpec } from './upsert.js'

/**
 * What every connection shares whatever its dialect: describing, index upkeep, row streaming and CSV
 * extraction built on the dialect's batch fetch, and the SQL its {@link SqlDialect} writes. A dialect
 * supplies its SQL dialect and its driver calls.
 * @internal
 */
export abstract class DatabaseBase implements Database {
  readonly name: string
  readonly label: ConnectionLabel
  abstract readonly dialect: SqlDialect

  protected constructor(label: ConnectionLabel) {
    this.name = label.name
    this.label = Object.freeze({ ...label, secrets: Object.freeze([...label.secrets]) })
  }

  /** The connection's dialect, then the SQL dialect it writes when that is another (PGlite: `pglite`, `postgres`). */
  get sqlFlavours(): readonly string[] {
    return [...new Set([this.label.dialect, this.dialect.name])]
  }

  get description(): string {
    return describeConnection(this.label)
  }

  get capabilities(): DatabaseCapabilities {
    return this.dialect.capabilities
  }

  abstract query<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<R>>
  abstract transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
  abstract readOnly<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
  abstract ping(): Promise<void>
  abstract close(): Promise<void>

  /** Servers change under us at any time and answer cheaply: there is no version worth keeping. */
  async dataVersion(): Promise<string | undefined> {
    return undefined
  }

  async dataVersionOnClose(): Promise<string | undefined> {
    return undefined
  }
  /** Fetches a query's rows in batches, fetching the next batch only when asked. */
  protected abstract streamBatches(statement: Statement, params?: readonly unknown[]): AsyncIterable<RowBatch>
  /** The table's columns in order, read through `q` (the database or an open transaction); empty when it does not exist. */
  protected abstract readColumns(q: Transaction, table: TableName): Promise<ColumnDescription[]>
  /** The names of the tables and views unqualified names resolve to, read through `q`. */
  protected abstract readTableNames(q: Transaction): Promise<string[]>

  quoteIdentifier(name: string): string {
    return this.dialect.quoteIdentifier(name)
  }

  quoteTable(table: TableRef): string {
    return this.dialect.quoteTable(table)
  }

  /** `lock <table>` inside the transaction, as Postgres, PGlite and Redshift all take it (the strongest mode, until commit). */
  exclusively<T>(table: TableRef, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      await tx.query(sql`lock ${sql.table(table)}`)
      return work(tx)
    })
  }

  bulkLoad(table: TableRef, csv: CsvSource, options?: BulkLoadOptions): Promise<BulkLoadResult> {
    // Atomic on its own: a load that fails halfway leaves nothing behind.
    return this.transaction((tx) => tx.bulkLoad(table, csv, options))
  }

  async describeTable(table: TableRef): Promise<TableDescription> {
    const columns = await this.readColumns(this, tableName(table))
    if (columns.length === 0) throw tableMissingError(this.label, table)
    return { table: tableLabel(table), columns }
  }

  async listTables(): Promise<string[]> {
    // Sorted here rather than by each server's collation, so every dialect gives the same order.
    return (await this.readTableNames(this)).sort()
  }

  async tableExists(table: TableRef): Promise<boolean> {
    return (await this.readColumns(this, tableName(table))).length > 0
  }

  /** The dialect's DDL; a column it cannot hold is an error naming this connection. */
  createTableSql(table: TableRef, columns: readonly ColumnDescription[], options: Omit<CreateTableOptions, 'on'> = {}): string {
    return this.dialect.createTableSql(table, columns, { ...options, on: this.description })
  }

  async ensureIndex(table: TableRef, columns: readonly string[]): Promise<void> {
    const index = this.dialect.ensureIndexSql(table, columns)
    if (index === undefined) return
    if (index.exists && (await this.query(index.exists)).rows.length > 0) return
    await this.query(index.create)
  }

  async ensureSchema(schema: string): Promise<void> {
    const create = sql`create schema if not exists ${sql.id(schema)}`
    try {
      await this.query(create)
    } catch (error) {
      // The other session has committed by the time the loser is refused: a second try finds the schema.
      if (!isCreateRace(error)) throw error
      await this.query(create)
    }
  }

  upsertSql(spec: UpsertSpec): Sql[] {
    return this.dialect.upsertSql(spec)
  }

  stream<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): AsyncIterable<R> {
    return rowsAsObjects<R>(this.streamBatches(statement, params))
  }

  extractCsv(statement: Statement, params?: readonly unknown[]): Readable {
    return Readable.from(csvFromBatches(this.streamBatches(statement, params)), { objectMode: false })
  }
}

/** CSV bytes (header first) from row batches; the header comes from the first batch's columns. */
export async function* csvFromBatches(batches: AsyncIterable<RowBatch>): AsyncGenerator<Buffer> {
  let header = true
  for await (const batch of batches) {
    let text = ''
    if (header) {
      text = encodeCsvRecord(batch.columns) + CSV_LINE_END
      header = false
    }
    for (const row of batch.rows) text += encodeCsvRecord(row) + CSV_LINE_END
    if (text.length > 0) yield Buffer.from(text, 'utf8')
  }
}
