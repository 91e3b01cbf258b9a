import type { Transaction as PgliteTransaction, PGlite } from '@electric-sql/pglite'
import { csvChunks } from '../../csv/csv-chunks.js'
import type { ConnectionLabel } from '../connection-label.js'
import type { BulkLoadOptions, BulkLoadResult, CsvSource, QueryResult, Row, Statement, Transaction } from '../database.js'
import { queryError } from '../database-errors.js'
import { planLoad } from '../load-plan.js'
import { loadRejected } from '../postgres/postgres-session.js'
import { readPostgresColumns } from '../postgres/postgres-describe.js'
import { postgresCopyTarget } from '../postgres/postgres-copy-target.js'
import { postgresDialect } from '../postgres/postgres-dialect.js'
import { tableName, type TableRef } from '../table-ref.js'
import { PgliteCopyMessage } from './pglite-copy-message.js'

/** PGlite's client or one of its transactions: both run queries the same way. */
export type PgliteQueryable = Pick<PGlite | PgliteTransaction, 'query' | 'exec'>
/** PGlite's protocol-level calls, which a bulk load uses inside a transaction as well. */
export type PgliteProtocol = Pick<PGlite, 'execProtocol' | 'runExclusive'>

/** Statements on the embedded database, inside or outside a transaction. @internal */
export class PgliteSession implements Transaction {
  readonly #db: PgliteQueryable
  readonly #protocol: PgliteProtocol
  readonly #label: ConnectionLabel
  readonly #chunkBytes: number

  /** `db` runs this session's statements; `protocol` is the PGlite instance behind it, for COPY. */
  constructor(db: PgliteQueryable, protocol: PgliteProtocol, label: ConnectionLabel, chunkBytes: number) {
    this.#db = db
    this.#protocol = protocol
    this.#label = label
    this.#chunkBytes = chunkBytes
  }

  async query<R extends Row = Row>(statement: Statement, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const { text, values } = postgresDialect.compile(statement, params)
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
    const message = new PgliteCopyMessage(`copy ${postgresCopyTarget(table, plan.columns)} from stdin with (format csv)`, this.#chunkBytes)
    // PGlite runs a COPY in one synchronous call over data it already holds, so the stream goes in as
    // bounded pieces that end on record boundaries, which keeps memory flat; the surrounding
    // transaction keeps the load all-or-nothing. Each piece is one COPY FROM STDIN written as protocol
    // messages: `COPY … FROM '/dev/blob'` copied each piece three more times (into a Blob, out to an
    // ArrayBuffer, then byte by byte into Postgres) and cost a fifth of the load.
    let rows = 0
    try {
      for await (const piece of csvChunks(plan.body, this.#chunkBytes)) {
        const bytes = message.frame(piece)
        // execProtocol bypasses PGlite's query lock; runExclusive takes it, as PGlite's docs ask.
        const { messages } = await this.#protocol.runExclusive(() => this.#protocol.execProtocol(bytes))
        rows += copiedRows(messages)
      }
    } catch (error) {
      throw loadRejected(this.#label, table, error)
    }
    return { rows }
  }
}

/** The row count of a COPY's CommandComplete (`COPY 2000`). */
function copiedRows(messages: readonly { name: string; text?: string }[]): number {
  const done = messages.find((message) => message.name === 'commandComplete')
  return Number(/\d+$/.exec(done?.text ?? '')?.[0] ?? 0)
}
