import type { Logger } from 'pino'
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
