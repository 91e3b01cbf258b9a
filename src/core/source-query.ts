import type { Statement } from '../db/database.js'

/**
 * One query a task reads a source with, declared by its `sourceQueries()` so that `etl check` can
 * run it without running the task: counted (`select count(*) from (<statement>) q`) in a read-only
 * transaction that is always rolled back, so a dictionary naming a column the source lacks, a
 * missing table or a typo shows before a run starts.
 *
 * ```ts
 * export class ExtractOrders extends Task {
 *   override sourceQueries(): SourceQuery[] {
 *     return [{ connection: 'source', label: 'orders', statement: sql`select ${sql.id('order_no')} from ${sql.id('orders')}` }]
 *   }
 * }
 * ```
 */
export interface SourceQuery {
  /** The connection it runs on, as the config names it (`source`). */
  readonly connection: string
  /** What `etl check` calls it: the table or the question it reads. */
  readonly label: string
  /**
   * The query: a `sql` template (compiled for the connection's dialect), or plain text in its
   * dialect. One `select` (a trailing `;` is dropped): it is counted as a subquery.
   */
  readonly statement: Statement
}
