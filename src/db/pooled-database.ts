import type { QueryResult, Row, Statement, Transaction } from './database.js'
import { DatabaseBase } from './database-base.js'
import { closedError, connectionError } from './database-errors.js'

/**
 * A server reached through a driver's connection pool (Postgres, MySQL): the pool is made on first
 * use, statements check a client out and back in, a transaction holds one client from `begin` to
 * `commit`, and a client left in an unknown state is dropped rather than reused. A dialect supplies
 * its driver's calls.
 * @internal
 */
export abstract class PooledDatabase<Pool, Client> extends DatabaseBase {
  /** The statement that opens a transaction. */
  protected readonly beginStatement: string = 'begin'
  #pool: Promise<Pool> | undefined
  #closed = false

  /** Loads the driver and makes the pool; it connects nothing yet. Called once, by the first use. */
  protected abstract createPool(): Promise<Pool>
  /** Checks a client out of the pool. */
  protected abstract checkout(pool: Pool): Promise<Client>
  /** Returns a client to the pool, or drops it when `reusable` is false (it may be mid-statement or mid-transaction). */
  protected abstract release(client: Client, reusable: boolean): void
  /** Ends the pool and every client in it. */
  protected abstract endPool(pool: Pool): Promise<void>
  /** Statements on one checked-out client. */
  protected abstract session(client: Client): Transaction

  async ping(): Promise<void> {
    this.release(await this.connect(), true)
  }

  async query<R extends Row = Row>(statement: Statement, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const client = await this.connect()
    try {
      return await this.session(client).query<R>(statement, params)
    } finally {
      this.release(client, true)
    }
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#transaction(this.beginStatement, work, 'commit')
  }

  /** Opened with the dialect's read-only begin (`start transaction read only`), and rolled back at the end. */
  readOnly<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#transaction(this.dialect.readOnlyBeginSql(), work, 'rollback')
  }

  async #transaction<T>(begin: string, work: (tx: Transaction) => Promise<T>, end: 'commit' | 'rollback'): Promise<T> {
    const client = await this.connect()
    const session = this.session(client)
    let reusable = true
    try {
      await session.query(begin)
      const result = await work(session)
      await session.query(end)
      return result
    } catch (error) {
      // A client whose rollback failed is in an unknown transaction state: never hand it out again.
      await session.query('rollback').catch(() => (reusable = false))
      throw error
    } finally {
      this.release(client, reusable)
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    // A pool still being made (the driver loading) is waited for and ended, so none outlives close().
    const pool = await this.#pool?.catch(() => undefined)
    if (pool !== undefined) await this.endPool(pool)
  }

  /** A client of the pool, which is made by the first call. Throws a coded error if closed or unreachable. */
  protected async connect(): Promise<Client> {
    if (this.#closed) throw closedError(this.label)
    const pool = await this.#poolOf()
    // close() may have run while the driver loaded; it ends that pool.
    if (this.#closed) throw closedError(this.label)
    try {
      return await this.checkout(pool)
    } catch (error) {
      throw connectionError(this.label, error)
    }
  }

  #poolOf(): Promise<Pool> {
    // One promise for every first use at once, so they share one pool; a failed load is tried again next time.
    this.#pool ??= this.createPool().catch((error: unknown) => {
      this.#pool = undefined
      throw connectionError(this.label, error)
    })
    return this.#pool
  }
}
