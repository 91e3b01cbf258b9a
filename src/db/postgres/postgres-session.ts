import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { EtlError } from '../../errors.js'
import { lazyImport } from '../../util/lazy-import.js'
import type { ConnectionLabel } from '../connection-label.js'
import type { BulkLoadOptions, BulkLoadResult, CsvSource, QueryResult, Row, Statement, Transaction } from '../database.js'
import { queryError } from '../database-errors.js'
import { planLoad } from '../load-plan.js'
import { tableLabel, tableName, type TableRef } from '../table-ref.js'
import { readPostgresColumns } from './postgres-describe.js'
import { postgresCopyTarget } from './postgres-copy-target.js'
import { postgresDialect } from './postgres-dialect.js'

/** pg-copy-streams, loaded by the first bulk load. */
const loadCopyStreams = lazyImport(() => import('pg-copy-streams'))

/** Statements on one pooled client: a transaction, or the single statement of a load. @internal */
export class PostgresSession implements Transaction {
  readonly #client: pg.PoolClient
  readonly #label: ConnectionLabel

  constructor(client: pg.PoolClient, label: ConnectionLabel) {
    this.#client = client
    this.#label = label
  }

  async query<R extends Row = Row>(statement: Statement, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const { text, values } = postgresDialect.compile(statement, params)
    try {
      // Without values pg sends a simple query, so a script of several statements runs too; its
      // result is the last statement's.
      const results: pg.QueryResult | pg.QueryResult[] = await this.#client.query(values.length > 0 ? { text, values } : text)
      const result = Array.isArray(results) ? results[results.length - 1] : results
      if (!result) return { rows: [], rowCount: 0, columns: [] }
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length, columns: (result.fields ?? []).map((f: pg.FieldDef) => f.name) }
    } catch (error) {
      throw queryError(this.#label, error, text)
    }
  }

  async bulkLoad(table: TableRef, csv: CsvSource, options?: BulkLoadOptions): Promise<BulkLoadResult> {
    const plan = await planLoad(this.#label, table, () => readPostgresColumns(this, tableName(table)), csv, options)
    const target = postgresCopyTarget(table, plan.columns)
    const { from: copyFrom } = await loadCopyStreams()
    const copy = this.#client.query(copyFrom(`copy ${target} from stdin with (format csv)`))
    try {
      await pipeline(plan.body, copy)
    } catch (error) {
      throw loadRejected(this.#label, table, error)
    }
    return { rows: copy.rowCount }
  }
}

/** A COPY the server refused: its message and where in the data (`COPY orders, line 3, column id: …`). */
export function loadRejected(label: ConnectionLabel, table: TableRef, error: unknown): EtlError {
  if (error instanceof EtlError) return error
  const where = (error as { where?: string }).where
  const wrapped = queryError(label, error, `copy ${tableLabel(table)} from stdin`)
  return new EtlError('ETL_ERR_DB_LOAD_REJECTED', `bulk load into "${tableLabel(table)}" was rejected, nothing was loaded: ${wrapped.message}${where ? `\n  at: ${where}` : ''}`, { cause: error })
}
