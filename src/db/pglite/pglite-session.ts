import type { Transaction as PgliteTransaction, PGlite } from '@electric-sql/pglite'
import { csvChunks } from '../../csv/csv-chunks.js'
import type { ConnectionLabel } from '../connection-label.js'
import type { BulkLoadOptions, BulkLoadResult, CsvSource, QueryResult, Row, Statement, Transaction } from '../database.js'
import { queryError } from '../database-errors.js'
import { planLoad } from '../load-plan.js'
import { loadRejected } from '../postgres/postgres-session.js'
import { readPostgresColumns } from '../postgres/postgres-describe.js'
import { postgresCopyTarget } from '../postgres/postgres-copy-target.js'
import { postgresSyntax } from '../postgres/postgres-syntax.js'
import { compileSql, Sql } from '../sql.js'
import { tableName, type TableRef } from '../table-ref.js'

/** PGlite's client or one of its transactions: both run queries the same way. */
export type PgliteQueryable = Pick<PGlite | PgliteTransaction, 'query' | 'exec'>

/** Statements on the embedded database, inside or outside a transaction. @internal */
export class PgliteSession implements Transaction {
  readonly #db: PgliteQueryable
  readonly #label: ConnectionLabel
  readonly #chunkBytes: number

  constructor(db: PgliteQueryable, label: ConnectionLabel, chunkBytes: number) {
    this.#db = db
    this.#label = label
    this.#chunkBytes = chunkBytes
  }

  async query<R extends Row = Row>(statement: Statement, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const { text, values } = statement instanceof Sql ? compileSql(statement, postgresSyntax) : { text: statement, values: [...params] }
    try {
      if (values.length === 0) {
        // exec runs a script of several statements (the simple protocol); the result is the last one's.
        const results = await this.#db.exec(text)
        const last = results[results.length - 1]
        if (!last) return { rows: [], rowCount: 0, columns: [] }
        return { rows: last.rows as R[], rowCount: last.affectedRows || last.rows.length, columns: last.fields.map((f) => f.name) }
      }
      const result = await this.#db.query<R>(text, values)
      return { rows: result.rows, rowCount: result.affectedRows || result.rows.length, columns: result.fields.map((f) => f.name) }
    } catch (error) {
      throw queryError(this.#label, error, text)
    }
  }

  async bulkLoad(table: TableRef, csv: CsvSource, options?: BulkLoadOptions): Promise<BulkLoadResult> {
    const plan = await planLoad(this.#label, table, () => readPostgresColumns(this, tableName(table)), csv, options)
    const target = postgresCopyTarget(table, plan.columns)
    const copy = `copy ${target} from '/dev/blob' with (format csv)`
    // PGlite's COPY reads a whole blob; handing it bounded pieces that end on record boundaries keeps
    // memory flat, and the surrounding transaction keeps the load all-or-nothing.
    let rows = 0
    try {
      for await (const piece of csvChunks(plan.body, this.#chunkBytes)) {
        const result = await this.#db.query(copy, [], { blob: new Blob([piece]) })
        rows += result.affectedRows ?? 0
      }
    } catch (error) {
      throw loadRejected(this.#label, table, error)
    }
    return { rows }
  }
}
