import type { Logger } from 'pino'
import type { DataServices } from '../db/data-services.js'
import type { Database } from '../db/database.js'
import type { Storage } from '../lake/storage.js'
import type { CompletionMarkers } from './completion-markers.js'
import type { Structure } from './structure.js'
import type { TaskLike } from './task-like.js'

/** What a running task gets from the worker. */
export interface TaskContext {
  /** Aborted when the task's timeout passes or the run is cancelled; pass it to anything that accepts one. */
  readonly signal: AbortSignal
  /** A logger scoped to this task (its id and family are on every line). */
  readonly log: Logger
  /** 1 for the first try, 2 for the first retry, and so on. */
  readonly attempt: number
  /** Per-item completion markers, for tasks that loop over tables or files. */
  readonly completed: CompletionMarkers
  /**
   * A named database connection from the config (`source`, `warehouse`, …; both embedded by default),
   * opened and checked on first use and shared by every task of the run.
   */
  db(name: string): Promise<Database>
  /** The lake (a local folder by default, or S3). */
  readonly lake: Storage
  /** The run's data services, behind `db()` and `lake` (for `loadFromLake` and the like). */
  readonly data: DataServices
  /** Reports progress; a terminal shows it on the live progress line. */
  progress(message: string, counts?: { done: number; total: number }): void
  /**
   * Adds dependencies found while running and waits until they are complete; resolves with the same
   * structure. Throws when one of them fails. The task's worker slot is free while it waits.
   *
   * ```ts
   * const files = await listFiles()
   * await ctx.require(files.map((file) => new LoadFile({ file })))
   * ```
   */
  require<R extends Structure<TaskLike>>(requirements: R): Promise<R>
}

/**
 * What `complete()` may use while the worker builds the graph: the run's connections and lake, so a
 * task can be complete "for the warehouse's current state" (a marker table, a control table). Absent
 * when a caller has no data services (then a task should answer from its local markers alone).
 */
export interface CompletionContext {
  /** The named connection, shared with the run's tasks. */
  db(name: string): Promise<Database>
  /** The run's data services. */
  readonly data: DataServices
}
