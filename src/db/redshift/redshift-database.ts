import type { Storage } from '../../lake/storage.js'
import type { ColumnDescription } from '../column-type.js'
import type { ConnectionLabel } from '../connection-label.js'
import { DatabaseBase } from '../database-base.js'
import type { BulkLoadOptions, BulkLoadResult, CopyFromUriOptions, CsvSource, QueryResult, Row, Statement, Transaction } from '../database.js'
import { closedError } from '../database-errors.js'
import { readPostgresColumns, readPostgresTableNames } from '../postgres/postgres-describe.js'
import type { RowBatch } from '../row-batch.js'
import type { TableName, TableRef } from '../table-ref.js'
import type { RedshiftConnectionConfig } from './redshift-config.js'
import { RedshiftLoader } from './redshift-loader.js'
import { RedshiftSession } from './redshift-session.js'
import { RedshiftStatements } from './redshift-statements.js'
import { redshiftDialect } from './redshift-dialect.js'

export interface RedshiftDatabaseOptions {
  /** An S3 lake to stage streamed bulk loads in (COPY reads only S3). */
  staging?: Storage | undefined
}

/**
 * Amazon Redshift through the Data API. Statements are submitted, polled until they end and their
 * results paged; a transaction runs in one Data API session. Bulk loads are `COPY … FROM 's3://…'`.
 */
export class RedshiftDatabase extends DatabaseBase {
  readonly dialect = redshiftDialect
  readonly #statements: RedshiftStatements
  readonly #loader: RedshiftLoader
  #closed = false

  constructor(name: string, config: RedshiftConnectionConfig, options: RedshiftDatabaseOptions = {}) {
    super(redshiftLabel(name, config))
    this.#statements = new RedshiftStatements(config, this.label)
    this.#loader = new RedshiftLoader(config, this.label, options.staging)
  }

  async ping(): Promise<void> {
    await this.query('select 1')
  }

  query<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.#session(undefined).query<R>(statement, params)
  }

  /** Runs statements (without parameters) as one transaction in a single BatchExecuteStatement call. */
  async batch(statements: readonly string[]): Promise<void> {
    this.#check()
    await this.#statements.batch(statements)
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#transaction('begin', work, 'commit')
  }

  /** Opened with `start transaction read only` in a session of its own, and rolled back at the end. */
  readOnly<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#transaction(this.dialect.readOnlyBeginSql(), work, 'rollback')
  }

  async #transaction<T>(begin: string, work: (tx: Transaction) => Promise<T>, end: 'commit' | 'rollback'): Promise<T> {
    this.#check()
    const begun = await this.#statements.execute(begin, [], 'start')
    const session = this.#session(begun.sessionId)
    try {
      const result = await work(session)
      await session.query(end)
      return result
    } catch (error) {
      await session.query('rollback').catch(() => undefined)
      throw error
    }
  }

  // COPY is atomic by itself, so a load outside a transaction needs no session.
  override bulkLoad(table: TableRef, csv: CsvSource, options?: BulkLoadOptions): Promise<BulkLoadResult> {
    return this.#session(undefined).bulkLoad(table, csv, options)
  }

  /** COPY straight from an S3 object (or prefix) the lake already holds. */
  copyFromUri(table: TableRef, uri: string, options?: CopyFromUriOptions): Promise<BulkLoadResult> {
    return this.#session(undefined).copyFromUri(table, uri, options)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#statements.destroy()
  }

  protected async *streamBatches(statement: Statement, params?: readonly unknown[]): AsyncGenerator<RowBatch> {
    this.#check()
    const { text, values } = this.dialect.compile(statement, params)
    const finished = await this.#statements.execute(text, values)
    if (!finished.hasResultSet) {
      yield { columns: [], rows: [] }
      return
    }
    yield* this.#statements.results(finished.id)
  }

  protected readColumns(q: Transaction, table: TableName): Promise<ColumnDescription[]> {
    return readPostgresColumns(q, table)
  }

  protected readTableNames(q: Transaction): Promise<string[]> {
    return readPostgresTableNames(q)
  }

  #session(sessionId: string | undefined): RedshiftSession {
    this.#check()
    return new RedshiftSession(this.#statements, this.#loader, this.label, sessionId)
  }

  #check(): void {
    if (this.#closed) throw closedError(this.label)
  }
}

function redshiftLabel(name: string, config: RedshiftConnectionConfig): ConnectionLabel {
  const where = `${config.workgroupName ? `workgroup ${config.workgroupName}` : `cluster ${config.clusterIdentifier ?? '?'}`}/${config.database}`
  const secrets = [config.secretAccessKey, config.sessionToken, config.copySecretAccessKey, config.copySessionToken].filter((value): value is string => Boolean(value))
  return { name, dialect: 'redshift', where, secrets }
}

