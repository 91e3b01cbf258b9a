import type { TaskError, TaskFinishedRequest, TaskLogLine, TaskRecord } from './scheduler.js'
import type { RunInfo } from './run-registry.js'
import type { TaskLaunch } from './task-launch.js'
import type { TaskOrigin } from './task-origin.js'
import type { WorkerInfo, WorkerMeta } from './worker-registry.js'

/**
 * One change to the central scheduler's state, as written to its journal. Replaying the ops written
 * since the last snapshot, in order, rebuilds exactly the state the daemon had: every op carries the time
 * it happened at, and applying an op reads the time from it, never from the clock.
 */
export type SchedulerOp =
  | { op: 'add'; at: number; workerId: string; tasks: TaskRecord[]; origin?: TaskOrigin }
  | { op: 'take'; at: number; workerId: string; taskId: string; lease?: string | undefined; recheck?: boolean; requestId?: string }
  | { op: 'finish'; at: number; request: TaskFinishedRequest }
  | { op: 'release'; at: number; workerId: string; reason: 'stopped' | 'lost'; taskIds?: string[] }
  | { op: 'retry'; at: number; taskId: string }
  | { op: 'enable'; at: number; taskId: string }
  | { op: 'forgive'; at: number; taskId: string }
  | { op: 'rerun'; at: number; taskId: string }
  | { op: 'launch'; at: number; taskId: string; launch: TaskLaunch }
  | { op: 'worker'; at: number; workerId: string; meta: WorkerMeta }
  | { op: 'prune'; at: number; taskIds: string[]; workerIds: string[]; runIds: string[] }

/** Where the central scheduler writes its ops; called synchronously, before the change is acknowledged. */
export interface SchedulerJournal {
  append(op: SchedulerOp): void
}

/** One attempt at a task: a worker took it at `takenAt`. */
export interface AttemptKey {
  taskId: string
  workerId: string
  takenAt: number
}

/** An attempt as the run history records it. */
export interface AttemptRecord extends AttemptKey {
  family: string
  params: Record<string, string>
  runId: string
  /** RUNNING while it goes; LOST when its worker stopped or stopped answering before it ended. */
  status: 'RUNNING' | 'DONE' | 'FAILED' | 'LOST'
  startedAt: number
  endedAt?: number
  error?: TaskError
  result?: unknown
  log?: TaskLogLine[]
}

/**
 * What the central scheduler tells its listener (the run history, the metrics). `replay` is true while
 * the daemon rebuilds its state at start: the event happened before and may already be recorded.
 */
export type SchedulerEvent =
  | { type: 'attempt'; replay: boolean; attempt: AttemptRecord }
  | { type: 'run'; replay: boolean; run: RunInfo }
  | { type: 'worker'; replay: boolean; worker: WorkerInfo }

export type SchedulerListener = (event: SchedulerEvent) => void
