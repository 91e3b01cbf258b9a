import { Readable } from 'node:stream'
import { EtlError } from '../errors.js'
import { CSV_LINE_END } from '../csv/csv-encoder.js'
import { encodeCsvRecord } from '../csv/csv-value.js'
import { columnTypeLabel, type ColumnDescription, type ColumnType, type TableDescription } from './column-type.js'
import { describeConnection, type ConnectionLabel } from './connection-label.js'
import type { BulkLoadOptions, BulkLoadResult, CsvSource, Database, DatabaseCapabilities, QueryResult, Row, Statement, Transaction } from './database.js'
import { tableMissingError } from './database-errors.js'
import { indexName } from './index-name.js'
import { rowsAsObjects, type RowBatch } from './row-batch.js'
import { compileSql, Sql, type CompiledSql, type SqlSyntax } from './sql.js'
import { tableLabel, tableName, type TableName, type TableRef } from './table-ref.js'
import type { UpsertSpec } from './upsert.js'
import { sql } from './sql.js'

/** A dialect's answer for a portable type: its own type name, or why it cannot hold it. */
export type NativeType = string | { readonly unmappable: string }

const DEFAULT_CAPABILITIES: DatabaseCapabilities = Object.freeze({ copyFromS3: false, transactionalDdl: true })

/**
 * What every dialect shares: statement compiling, identifier quoting, describing, landing-table DDL,
 * row streaming and CSV extraction built on the dialect's batch fetch. A dialect supplies its syntax,
 * its type names and its driver calls.
 * @internal
 */
export abstract class DatabaseBase implements Database {
  readonly name: string
  readonly label: ConnectionLabel
  protected abstract readonly syntax: SqlSyntax

  protected constructor(label: ConnectionLabel) {
    this.name = label.name
    this.label = Object.freeze({ ...label, secrets: Object.freeze([...label.secrets]) })
  }

  get sqlFlavours(): readonly string[] {
    return [this.label.dialect]
  }

  get description(): string {
    return describeConnection(this.label)
  }

  get capabilities(): DatabaseCapabilities {
    return DEFAULT_CAPABILITIES
  }

  abstract query<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<R>>
  abstract transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
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
  /** This dialect's type for a portable one. */
  protected abstract nativeType(type: ColumnType): NativeType

  /** Compiles a `sql` template, or passes dialect text and its params through. */
  compile(statement: Statement, params: readonly unknown[] = []): CompiledSql {
    return statement instanceof Sql ? compileSql(statement, this.syntax) : { text: statement, values: [...params] }
  }

  quoteIdentifier(name: string): string {
    return this.syntax.quoteIdentifier(name)
  }

  quoteTable(table: TableRef): string {
    const { schema, name } = tableName(table)
    return schema === undefined ? this.quoteIdentifier(name) : `${this.quoteIdentifier(schema)}.${this.quoteIdentifier(name)}`
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

  createTableSql(table: TableRef, columns: readonly ColumnDescription[], options: { ifNotExists?: boolean } = {}): string {
    const lines = columns.map((column) => {
      const native = this.nativeType(column.type)
      if (typeof native !== 'string') {
        throw new EtlError(
          'ETL_ERR_DB_TYPE_UNMAPPABLE',
          `cannot create "${tableLabel(table)}" on ${describeConnection(this.label)}: column "${column.name}" has type ${column.nativeType} (${columnTypeLabel(column.type)}), which ${this.label.dialect} cannot hold: ${native.unmappable}`,
        )
      }
      return `  ${this.quoteIdentifier(column.name)} ${native}${column.nullable ? '' : ' not null'}`
    })
    return `create table ${options.ifNotExists ? 'if not exists ' : ''}${this.quoteTable(table)} (\n${lines.join(',\n')}\n)`
  }

  /** `create index if not exists`, as Postgres and PGlite have it; dialects without it override this. */
  async ensureIndex(table: TableRef, columns: readonly string[]): Promise<void> {
    await this.query(sql`create index if not exists ${sql.id(indexName(table, columns))} on ${sql.table(table)} (${sql.join(columns.map((column) => sql.id(column)))})`)
  }

  /**
   * The portable default: stage the rows, delete the rows they replace, insert them; in one
   * transaction this is an upsert on any SQL database (Redshift keeps it: it has no ON CONFLICT).
   */
  upsertSql(spec: UpsertSpec): Sql[] {
    const stage = sql.id(`etl_upsert_${tableName(spec.target).name}`.slice(0, 63))
    const target = sql.table(spec.target)
    const columns = sql.join(spec.columns.map((column) => sql.id(column)))
    const match = sql.join(
      spec.key.map((column) => sql`${target}.${sql.id(column)} = s.${sql.id(column)}`),
      ' and ',
    )
    return [
      sql`create temporary table ${stage} as select * from (${spec.rows}) r`,
      sql`delete from ${target} using ${stage} s where ${match}`,
      sql`insert into ${target} (${columns}) select ${columns} from ${stage}`,
      sql`drop table ${stage}`,
    ]
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
