import type { ConnectionLabel } from '../connection-label.js'
import type { BulkLoadOptions, BulkLoadResult, CopyFromUriOptions, CsvSource, QueryResult, Row, Statement, Transaction } from '../database.js'
import { tableMissingError } from '../database-errors.js'
import { rowsOf } from './redshift-rows.js'
import { readPostgresColumns } from '../postgres/postgres-describe.js'
import { tableName, type TableRef } from '../table-ref.js'
import type { RedshiftLoader } from './redshift-loader.js'
import type { RedshiftStatements } from './redshift-statements.js'
import { redshiftDialect } from './redshift-dialect.js'

/**
 * Statements in one Data API session: a transaction's BEGIN, its statements and its COMMIT run on the
 * same Redshift connection.
 * @internal
 */
export class RedshiftSession implements Transaction {
  readonly #statements: RedshiftStatements
  readonly #loader: RedshiftLoader
  readonly #label: ConnectionLabel
  readonly #sessionId: string | undefined

  constructor(statements: RedshiftStatements, loader: RedshiftLoader, label: ConnectionLabel, sessionId: string | undefined) {
    this.#statements = statements
    this.#loader = loader
    this.#label = label
    this.#sessionId = sessionId
  }

  async query<R extends Row = Row>(statement: Statement, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const { text, values } = redshiftDialect.compile(statement, params)
    const finished = await this.#statements.execute(text, values, this.#sessionId)
    if (!finished.hasResultSet) return { rows: [], rowCount: finished.rowCount, columns: [] }
    return rowsOf<R>(this.#statements.results(finished.id))
  }

  bulkLoad(table: TableRef, csv: CsvSource, options?: BulkLoadOptions): Promise<BulkLoadResult> {
    return this.#loader.load(
      table,
      csv,
      options,
      () => readPostgresColumns(this, tableName(table)),
      async (text) => ({ rowCount: (await this.#statements.execute(text, [], this.#sessionId)).rowCount }),
    )
  }

  async copyFromUri(table: TableRef, uri: string, options: CopyFromUriOptions = {}): Promise<BulkLoadResult> {
    const auth = this.#loader.auth(table)
    const described = await readPostgresColumns(this, tableName(table))
    if (described.length === 0) throw tableMissingError(this.#label, table)
    const columns = options.columns ?? described.map((column) => column.name)
    const finished = await this.#statements.execute(this.#loader.copySql(table, columns, uri, options.header ?? true, auth), [], this.#sessionId)
    return { rows: finished.rowCount }
  }

  get label(): ConnectionLabel {
    return this.#label
  }
}
