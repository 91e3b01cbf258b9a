import { pipeline } from 'node:stream/promises'
import type { PoolConnection, ResultSetHeader } from 'mysql2'
import { EtlError } from '../../errors.js'
import { CsvDecoder } from '../../csv/csv-decoder.js'
import type { ConnectionLabel } from '../connection-label.js'
import type { BulkLoadOptions, BulkLoadResult, CsvSource, QueryResult, Row, Statement, Transaction } from '../database.js'
import { queryError } from '../database-errors.js'
import { planLoad } from '../load-plan.js'
import { tableLabel, tableName, type TableRef } from '../table-ref.js'
import { readMysqlColumns } from './mysql-describe.js'
import { loadDataStatement, MysqlLoadDataEncoder } from './mysql-load-data-encoder.js'
import { mysqlDialect } from './mysql-dialect.js'

/** MySQL's code when `local_infile` is off on the server (1148) or the client (3948). */
const LOCAL_INFILE_OFF = new Set(['ER_NOT_ALLOWED_COMMAND', 'ER_CLIENT_LOCAL_FILES_DISABLED'])

/** Statements on one pooled connection. @internal */
export class MysqlSession implements Transaction {
  readonly #connection: PoolConnection
  readonly #label: ConnectionLabel

  constructor(connection: PoolConnection, label: ConnectionLabel) {
    this.#connection = connection
    this.#label = label
  }

  query<R extends Row = Row>(statement: Statement, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const { text, values } = mysqlDialect.compile(statement, params)
    return new Promise((resolve, reject) => {
      this.#connection.query({ sql: text, values }, (error, result, fields) => {
        if (error) return reject(queryError(this.#label, error, text))
        if (Array.isArray(result)) {
          resolve({ rows: result as R[], rowCount: result.length, columns: (fields ?? []).map((field) => field.name) })
        } else {
          resolve({ rows: [], rowCount: (result as ResultSetHeader).affectedRows, columns: [] })
        }
      })
    })
  }

  async bulkLoad(table: TableRef, csv: CsvSource, options?: BulkLoadOptions): Promise<BulkLoadResult> {
    const plan = await planLoad(this.#label, table, () => readMysqlColumns(this, tableName(table)), csv, options)
    const encoder = new MysqlLoadDataEncoder(plan.columns)
    const text = loadDataStatement(mysqlDialect.quoteTable(table), plan.columns, (name) => mysqlDialect.quoteIdentifier(name))
    // The server asks for the "file" once it has parsed the statement; the CSV is decoded and
    // re-encoded on the way, so backpressure runs from the socket back to the source.
    const feeding = pipeline(plan.body, new CsvDecoder(), encoder).catch((error: unknown) => error)
    const result = await new Promise<ResultSetHeader>((resolve, reject) => {
      this.#connection.query({ sql: text, infileStreamFactory: () => encoder }, (error, header) => {
        if (error) reject(error)
        else resolve(header as ResultSetHeader)
      })
    }).catch(async (error: unknown) => {
      const fed = await feeding
      throw this.#rejected(table, fed instanceof Error ? fed : error)
    })
    const fed = await feeding
    if (fed instanceof Error) throw this.#rejected(table, fed)
    // LOCAL loads turn bad values and duplicate keys into warnings and go on; any warning means rows
    // did not load as written, so the load fails (and its transaction rolls back).
    if (result.warningStatus > 0) {
      const warnings = await this.query<{ Message: string }>('show warnings limit 3')
      throw new EtlError(
        'ETL_ERR_DB_LOAD_REJECTED',
        `bulk load into "${tableLabel(table)}" on connection "${this.#label.name}" was rolled back: MySQL changed or skipped values (${result.warningStatus} warnings), e.g. ${warnings.rows.map((row) => row.Message).join('; ')}. Fix the data or the column types`,
      )
    }
    return { rows: result.affectedRows }
  }

  #rejected(table: TableRef, error: unknown): EtlError {
    if (error instanceof EtlError) return error
    const code = (error as { code?: string }).code
    if (code !== undefined && LOCAL_INFILE_OFF.has(code)) {
      return new EtlError(
        'ETL_ERR_DB_LOAD_REJECTED',
        `bulk load into "${tableLabel(table)}" on connection "${this.#label.name}" needs LOAD DATA LOCAL INFILE, which the server refuses; enable it as an admin with SET GLOBAL local_infile = 1 (or local_infile=1 in the server config)`,
        { cause: error },
      )
    }
    const wrapped = queryError(this.#label, error, `load data into ${tableLabel(table)}`)
    return new EtlError('ETL_ERR_DB_LOAD_REJECTED', `bulk load into "${tableLabel(table)}" was rejected, nothing was loaded: ${wrapped.message}`, { cause: error })
  }
}
