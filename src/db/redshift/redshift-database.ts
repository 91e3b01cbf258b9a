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
import { redshiftUnloadSql } from './redshift-copy-sql.js'
import { RedshiftLoader } from './redshift-loader.js'
import { RedshiftSession } from './redshift-session.js'
import { RedshiftStatements, SESSION_KEEP_ALIVE_SECONDS } from './redshift-statements.js'
import { redshiftDialect } from './redshift-dialect.js'

/** How long before the server would end an idle session it is no longer reused: a statement takes time to arrive. */
const SESSION_REUSE_MARGIN_SECONDS = 60

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
    const sessionId = await this.#begin(begin)
    const session = this.#session(sessionId)
    try {
      const result = await work(session)
      await session.query(end)
      this.#release(sessionId)
      return result
    } catch (error) {
      if (await session.query('rollback').then(() => true, () => false)) this.#release(sessionId)
      throw error
    }
  }

  /**
   * Begins a transaction in a session an earlier one left idle, or in a new session when none is
   * left or the one tried has ended (its keep-alive ran out on the server).
   */
  async #begin(begin: string): Promise<string | undefined> {
    for (let idle = this.#idle.pop(); idle; idle = this.#idle.pop()) {
      if (idle.until < Date.now()) continue
      const reused = await this.#statements.execute(begin, [], idle.id).then(() => true, () => false)
      if (reused) return idle.id
    }
    return (await this.#statements.execute(begin, [], 'start')).sessionId
  }

  /** Keeps a session whose transaction ended cleanly for the next one, until shortly before the server ends it. */
  #release(sessionId: string | undefined): void {
    if (sessionId !== undefined) this.#idle.push({ id: sessionId, until: Date.now() + (SESSION_KEEP_ALIVE_SECONDS - SESSION_REUSE_MARGIN_SECONDS) * 1000 })
  }

  // COPY is atomic by itself, so a load outside a transaction needs no session.
  override bulkLoad(table: TableRef, csv: CsvSource, options?: BulkLoadOptions): Promise<BulkLoadResult> {
    return this.#session(undefined).bulkLoad(table, csv, options)
  }

  /** COPY straight from an S3 object (or prefix) the lake already holds. */
  copyFromUri(table: TableRef, uri: string, options?: CopyFromUriOptions): Promise<BulkLoadResult> {
    return this.#session(undefined).copyFromUri(table, uri, options)
  }

  /** UNLOAD the query's result to `uri` (`<uri>000.csv` …), authenticated as COPY is. */
  async unloadToUri(query: string, uri: string): Promise<void> {
    this.#check()
    const auth = this.#loader.s3Auth(`UNLOAD to ${uri}`)
    await this.#statements.execute(redshiftUnloadSql({ query: query.trim().replace(/;\s*$/, ''), uri, auth }), [])
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

  /**
   * Sessions finished transactions left, for the next ones: the server keeps each alive for its
   * keep-alive whether used or not and caps how many there may be, so a run of many transactions
   * must not open a session for each.
   */
  readonly #idle: Array<{ readonly id: string; readonly until: number }> = []

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

