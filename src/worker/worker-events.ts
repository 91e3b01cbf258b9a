import type { TaskResult } from '../core/output-marker.js'
import type { TaskLike } from '../core/task-like.js'
import type { TaskError } from '../scheduler/scheduler.js'

/** How one task's run ended, as the worker reports it. */
export interface TaskOutcome {
  status: 'DONE' | 'FAILED'
  startedAt: number
  endedAt: number
  attempts: number
  result: TaskResult | null
  error?: TaskError
}

/** What a worker tells its listener (the CLI's progress line and summary, the tests). */
export type WorkerEvent =
  | { type: 'discovered'; records: number; complete: number; pending: number; failed: number }
  | { type: 'task-started'; task: TaskLike; at: number }
  | { type: 'task-progress'; task: TaskLike; message: string; counts?: { done: number; total: number } }
  | { type: 'task-retry'; task: TaskLike; attempt: number; delayMs: number; error: TaskError }
  | { type: 'task-finished'; task: TaskLike; outcome: TaskOutcome }

export type WorkerEventListener = (event: WorkerEvent) => void
