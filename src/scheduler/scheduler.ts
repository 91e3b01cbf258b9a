import type { TaskResult } from '../core/output-marker.js'
import type { TaskKind } from '../core/task-like.js'
import type { TaskOrigin } from './task-origin.js'
import type { TaskStatus } from './task-status.js'

/** A task as a worker registers it: everything a scheduler needs, nothing that cannot travel as JSON. */
export interface TaskRecord {
  id: string
  family: string
  /** Every parameter as canonical text (for display; the id already covers the significant ones). */
  params: Record<string, string>
  kind: TaskKind
  /** Ids of the tasks this one requires. */
  deps: string[]
  /**
   * DONE when the worker found it complete, FAILED when checking it failed (the error says why),
   * PENDING otherwise.
   */
  status: 'PENDING' | 'DONE' | 'FAILED'
  priority: number
  resources: Record<string, number>
  error?: TaskError
}

/** A failure as it travels to a scheduler and into summaries. */
export interface TaskError {
  message: string
  stack?: string
  code?: string
  /** True when the task failed because external data never appeared. */
  missingData?: boolean
}

export interface AddTasksRequest {
  workerId: string
  tasks: TaskRecord[]
  /**
   * The module and folder the worker loaded these tasks from (`etl run` always says). The daemon keeps
   * the first one it hears for each task, so its UI can rerun the task where it came from.
   */
  origin?: TaskOrigin
}

export interface GetWorkRequest {
  workerId: string
  /**
   * Names this call across retries of it: a scheduler that already answered the same id answers the
   * same again, so a retried call never takes a second task while the first one is held unseen.
   */
  requestId?: string
}

export interface GetWorkResponse {
  /** The task to run now, already RUNNING and held by this worker; null when none is ready for it. */
  taskId: string | null
  /**
   * The attempt's lease, with the task: only a call that presents it can report the attempt's
   * progress, log or end, or give the task back. A worker id is no credential (the UI shows it).
   */
  lease?: string
  /**
   * The task's last attempt was lost with its worker (stopped, killed, silent), which may have
   * finished it without saying so: check whether it is complete before running it again.
   */
  recheck?: boolean
  /** True when nothing this worker registered can still change: it may stop. */
  done: boolean
}

export interface TaskProgressRequest {
  workerId: string
  taskId: string
  /** The lease `getWork` gave with the task. */
  lease: string
  message: string
}

export interface TaskFinishedRequest {
  workerId: string
  taskId: string
  /** The lease `getWork` gave with the task: a report without it, or with another attempt's, is refused. */
  lease: string
  status: 'DONE' | 'FAILED'
  /** Milliseconds since the epoch. */
  startedAt: number
  endedAt: number
  attempts: number
  result?: TaskResult | null
  error?: TaskError
  /** The task's last log lines not yet sent with `taskLog`, so the tail is complete when the end is known. */
  log?: TaskLogLine[]
}

/** One line a running task logged, as it travels to a scheduler. */
export interface TaskLogLine {
  /** Milliseconds since the epoch. */
  at: number
  /** The pino level name: `info`, `warn`, `error`, ... */
  level: string
  message: string
}

export interface TaskLogRequest {
  workerId: string
  taskId: string
  /** The lease `getWork` gave with the task. */
  lease: string
  lines: TaskLogLine[]
}

export interface WorkerRequest {
  workerId: string
}

export interface WorkerStoppedRequest extends WorkerRequest {
  /** The leases of the tasks the worker still holds: those go back to PENDING, and only those. */
  leases?: string[]
}

export interface TaskStatusesRequest {
  taskIds: string[]
}

/**
 * What a worker asks of a scheduler. The in-process `LocalScheduler` and the central daemon's HTTP client
 * both implement it, and every request and response is plain JSON, so the worker cannot tell which one
 * it talks to.
 */
export interface Scheduler {
  /** Registers tasks (and their dependencies) that this worker can run. Adding a known task again is safe. */
  addTasks(request: AddTasksRequest): Promise<void>
  /** Hands out the highest-priority task that is ready for this worker, if any. */
  getWork(request: GetWorkRequest): Promise<GetWorkResponse>
  /** A progress message from a running task. */
  taskProgress(request: TaskProgressRequest): Promise<void>
  /** Reports how a task this worker ran ended. */
  taskFinished(request: TaskFinishedRequest): Promise<void>
  /** Heartbeat: the worker is alive. */
  ping(request: WorkerRequest): Promise<void>
  /** The worker is leaving; the tasks whose leases it gives back go back to PENDING. */
  workerStopped(request: WorkerStoppedRequest): Promise<void>
  /** The current status of each task asked about (unknown ids are left out). */
  taskStatuses(request: TaskStatusesRequest): Promise<Record<string, TaskStatus>>
  /**
   * Log lines of a running task, for the daemon's task page. Optional: a scheduler without it (the
   * in-process one) costs the worker nothing, because the worker only collects lines when it exists.
   */
  taskLog?(request: TaskLogRequest): Promise<void>
  /**
   * Puts the FAILED and DISABLED tasks among `taskIds` back to PENDING, for `etl run --forgive`, and
   * gives the ids it reopened. Optional: the in-process scheduler starts every run afresh, with no
   * failure from an earlier run to forgive. The daemon's client does it through the token-guarded
   * actions a person would use in the UI, not through the workers' calls.
   */
  reopenFailed?(request: TaskStatusesRequest): Promise<string[]>
}

/** The scheduler's methods, in one list, so the HTTP client and server expose exactly these. */
export const RPC_METHODS = [
  'addTasks',
  'getWork',
  'taskProgress',
  'taskFinished',
  'ping',
  'workerStopped',
  'taskStatuses',
  'taskLog',
] as const satisfies readonly (keyof Scheduler)[]
