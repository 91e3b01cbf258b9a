import type { TaskResult } from '../core/output-marker.js'
import type { TaskKind } from '../core/task-like.js'
import type { TaskError, TaskLogLine } from './scheduler.js'
import type { TaskLaunch } from './task-launch.js'
import type { TaskOrigin } from './task-origin.js'
import type { TaskStatus } from './task-status.js'

/** A scheduler's view of one task. */
export interface TaskState {
  readonly id: string
  family: string
  params: Record<string, string>
  kind: TaskKind
  priority: number
  resources: Record<string, number>
  deps: string[]
  dependents: string[]
  status: TaskStatus
  /** How many of `deps` are not DONE yet; the task is ready at 0. */
  waitingOn: number
  /** False while the task is only known as someone's dependency and its own record has not arrived. */
  known: boolean
  /** Workers that registered the task and so can run it. */
  workers: Set<string>
  /** The worker running it now. */
  worker: string | undefined
  /**
   * The lease of the latest attempt, given out with the task: reports of that attempt must present
   * it. Kept after the attempt ends, so a retried report of it is known for a repeat.
   */
  lease?: string | undefined
  /** The last attempt was lost with its worker: the next one checks first whether it completed. */
  lost?: boolean
  /** Insertion order, so equal priorities run first-come first-served. */
  readonly seq: number
  addedAt: number
  /** When the status last changed or a worker last registered the task. */
  updatedAt: number
  startedAt: number | undefined
  endedAt: number | undefined
  attempts: number
  progress: string | undefined
  result: TaskResult | null | undefined
  error: TaskError | undefined
  /** Times of recent failures, for the central scheduler's disable window. */
  failures: number[]
  /** When a FAILED task may go back to PENDING (central scheduler retries). */
  retryAt: number | undefined
  /** The tail of the running or last attempt's log (central scheduler only). */
  log?: TaskLogLine[]
  /** Where the first worker that said so loaded the task from (central scheduler only). */
  origin?: TaskOrigin
  /** The last process the daemon started to rerun the task (central scheduler only). */
  launch?: TaskLaunch
}

export function newTaskState(id: string, seq: number, now: number): TaskState {
  return {
    id,
    family: id.split('_', 1)[0] ?? id,
    params: {},
    kind: 'task',
    priority: 0,
    resources: {},
    deps: [],
    dependents: [],
    status: 'PENDING',
    waitingOn: 0,
    known: false,
    workers: new Set(),
    worker: undefined,
    seq,
    addedAt: now,
    updatedAt: now,
    startedAt: undefined,
    endedAt: undefined,
    attempts: 0,
    progress: undefined,
    result: undefined,
    error: undefined,
    failures: [],
    retryAt: undefined,
  }
}
