import type { Readable } from 'node:stream'
import type { ColumnDescription, TableDescription } from './column-type.js'
import type { Sql } from './sql.js'
import type { SqlDialect } from './sql-dialect.js'
import type { TableRef } from './table-ref.js'
import type { UpsertSpec } from './upsert.js'

/** A row as an object keyed by column name. */
export type Row = Record<string, unknown>

/**
 * A statement: a {@link Sql} template (portable: compiled to the dialect's placeholders), or plain
 * text in the dialect's own placeholder style with `params` (`$1` Postgres/PGlite, `?` MySQL,
 * `:p1` Redshift).
 */
export type Statement = string | Sql

/** What a query returns. Values keep their full precision: big integers, decimals and timestamps are strings. */
export interface QueryResult<R extends Row = Row> {
  readonly rows: R[]
  /** Rows returned, or rows changed by an insert, update or delete. */
  readonly rowCount: number
  /** Column names, in the order the statement returned them. */
  readonly columns: readonly string[]
}

/** CSV bytes for {@link Queryable.bulkLoad}: a stream or any async iterable of chunks. */
export type CsvSource = Readable | AsyncIterable<Buffer | string>

export interface BulkLoadOptions {
  /**
   * The columns of the CSV, in order, when it has no header record. By default the first record is
   * the header and names the columns, so a file loads by name whatever the table's column order.
   */
  columns?: readonly string[]
}

export interface BulkLoadResult {
  /** Rows loaded. */
  readonly rows: number
}

/** Runs statements and bulk loads: a database, or one transaction on it. */
export interface Queryable {
  /** Runs one statement with bound parameters and returns every row. */
  query<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<R>>
  /**
   * Loads RFC 4180 CSV (header first, NULL as an empty unquoted field, `""` for the empty string)
   * into an existing table with the database's own bulk path (COPY, LOAD DATA, COPY from S3). The
   * table and the header's columns are checked before anything is written; outside a transaction the
   * load is atomic on its own.
   */
  bulkLoad(table: TableRef, csv: CsvSource, options?: BulkLoadOptions): Promise<BulkLoadResult>
  /**
   * Loads a CSV object that is already in S3 (`s3://bucket/key`), without passing its bytes through
   * this process (Redshift's COPY). Present only where the dialect can; `DataServices.loadFromLake`
   * uses it when it is there.
   */
  copyFromUri?(table: TableRef, uri: string, options?: CopyFromUriOptions): Promise<BulkLoadResult>
}

export interface CopyFromUriOptions {
  /** The file's columns, in order. @defaultValue the table's columns */
  columns?: readonly string[]
  /** The file starts with a header record. @defaultValue true */
  header?: boolean
}

/** Statements inside {@link Database.transaction}: all of them commit together or none does. */
export type Transaction = Queryable

/** What a dialect can do beyond the common interface, for code that picks a faster path. */
export interface DatabaseCapabilities {
  /** `copyFromUri` loads straight from an `s3://` object (Redshift). @defaultValue false */
  readonly copyFromS3: boolean
  /** DDL takes part in transactions (Postgres yes, MySQL no: it commits implicitly). */
  readonly transactionalDdl: boolean
}

/**
 * One named connection (`source`, `warehouse`, …) to a database, whichever dialect serves it. Tasks
 * get it from `ctx.db(name)`; everything dialect-specific (drivers, placeholders, bulk paths, type
 * names) stays behind it.
 *
 * ```ts
 * const source = await ctx.db('source')
 * const csv = source.extractCsv(sql`select * from orders where updated_at >= ${since}`)
 * await ctx.lake.put('landing/orders/1.csv', csv)
 * ```
 */
export interface Database extends Queryable {
  /** The connection's name in the config. */
  readonly name: string
  /** `connection "source" (mysql root@127.0.0.1:3306/shop)`: where it points, never a password. */
  readonly description: string
  /**
   * How this connection writes SQL, usable without it: `db.dialect.compile(…)`, its DDL and upsert
   * generators. PGlite's is Postgres' (`postgresDialect`).
   */
  readonly dialect: SqlDialect
  /**
   * The variants of a project SQL file this database runs, most specific first: `report.pglite.sql`,
   * then `report.postgres.sql`, before the plain `report.sql` (see `readSqlFiles`).
   */
  readonly sqlFlavours: readonly string[]
  readonly capabilities: DatabaseCapabilities
  /**
   * Streams a query's rows with backpressure: the next batch is fetched only when the consumer asks
   * for it, so memory stays flat however many rows there are.
   */
  stream<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): AsyncIterable<R>
  /**
   * Streams a query's result as CSV (header first), through the fastest path the dialect has
   * (`COPY … TO STDOUT` on Postgres). Values are written as the database wrote them.
   */
  extractCsv(statement: Statement, params?: readonly unknown[]): Readable
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
  /**
   * Runs `work` in a read-only transaction that is rolled back however `work` ends: the database
   * refuses any write in it (an insert, an update, a sequence's `nextval`), and nothing is kept.
   * For trying queries on a source without changing it (`etl check`). An embedded database that
   * does not exist yet is an error here, not created. On MySQL, DDL commits a transaction
   * implicitly and runs outside it: run queries in it, not DDL.
   */
  readOnly<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
  /**
   * Runs `work` in one transaction holding an exclusive lock on `table` (which must exist), so
   * concurrent callers take turns: a migration runs once however many first runs start at once.
   */
  exclusively<T>(table: TableRef, work: (tx: Transaction) => Promise<T>): Promise<T>
  /** One identifier, quoted for this dialect (`dialect.quoteIdentifier`). */
  quoteIdentifier(name: string): string
  /** A table reference, quoted and schema-qualified as given (`dialect.quoteTable`). */
  quoteTable(table: TableRef): string
  /** The table's columns with their native and portable types. Throws `ETL_ERR_DB_TABLE_MISSING` if it does not exist. */
  describeTable(table: TableRef): Promise<TableDescription>
  tableExists(table: TableRef): Promise<boolean>
  /** The tables and views in the schema (or, on MySQL, the database) that unqualified names resolve to, sorted. */
  listTables(): Promise<string[]>
  /**
   * `CREATE TABLE` for columns described on any database, in this dialect's types (a landing table):
   * `dialect.createTableSql`. Throws `ETL_ERR_DB_TYPE_UNMAPPABLE`, naming this connection, the column
   * and the fix, for a type it cannot hold.
   */
  createTableSql(table: TableRef, columns: readonly ColumnDescription[], options?: { ifNotExists?: boolean }): string
  /**
   * Gives `table` an index on `columns` (named `<table>_<columns>_idx`) unless it has one by that
   * name. Where the dialect has no indexes (Redshift, whose sort keys come with the table) it does
   * nothing. It is DDL, which commits on MySQL: call it outside a load's transaction.
   */
  ensureIndex(table: TableRef, columns: readonly string[]): Promise<void>
  /**
   * Creates `schema` (a database on MySQL) unless it exists, also when another session creates it at
   * the same moment: Postgres refuses the loser of that race even with `if not exists`.
   */
  ensureSchema(schema: string): Promise<void>
  /**
   * The statements that upsert `spec.rows` into `spec.target` on `spec.key`, in this dialect's way
   * (`INSERT … ON CONFLICT` on Postgres, `ON DUPLICATE KEY UPDATE` on MySQL, delete + insert on
   * Redshift): `dialect.upsertSql`. Run them in one transaction, in order.
   */
  upsertSql(spec: UpsertSpec): Sql[]
  /**
   * A token that changes whenever the data changes, read without opening a connection, or undefined
   * when the dialect cannot tell that cheaply (servers: ask them) or the data may have changed since
   * the token was recorded. Equal tokens mean the data is the same, so a caller may skip re-reading it.
   */
  dataVersion(): Promise<string | undefined>
  /**
   * The data version this database will have once this connection closes, for the data as it stands
   * now: what `dataVersion()` will read next time, for a caller that vouches for data it just wrote.
   */
  dataVersionOnClose(): Promise<string | undefined>
  /**
   * Writes a query's result as CSV objects (header first) under the S3 prefix `uri`, from the
   * database itself rather than through this process (Redshift's UNLOAD). Present only where the
   * dialect can; a caller reads the objects from the lake afterwards. The query is plain text with
   * no bound values.
   */
  unloadToUri?(query: string, uri: string): Promise<void>
  /** Checks the server answers (and the credentials work). Throws a clear coded error if not. */
  ping(): Promise<void>
  /** Closes every connection. The database cannot be used afterwards. */
  close(): Promise<void>
}
