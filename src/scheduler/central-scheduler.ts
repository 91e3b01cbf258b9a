import { systemClock } from '../util/clock.js'
import { EtlError } from '../errors.js'
import { CENTRAL_SCHEDULER_DEFAULTS, MAX_LOG_LINE_CHARS, type CentralSchedulerOptions } from './central-scheduler-options.js'
import { FrozenClock } from './frozen-clock.js'
import { LocalScheduler, sameDefinition } from './local-scheduler.js'
import { RunRegistry, type RunInfo } from './run-registry.js'
import type {
  AddTasksRequest,
  GetWorkRequest,
  GetWorkResponse,
  Scheduler,
  TaskError,
  TaskFinishedRequest,
  TaskLogLine,
  TaskLogRequest,
  TaskProgressRequest,
  WorkerRequest,
  WorkerStoppedRequest,
} from './scheduler.js'
import type { AttemptRecord, SchedulerEvent, SchedulerJournal, SchedulerOp } from './scheduler-op.js'
import type { TaskLaunch } from './task-launch.js'
import type { TaskOrigin } from './task-origin.js'
import { fromSnapshot, OriginTable, toSnapshot, type TaskSnapshot } from './task-snapshot.js'
import type { TaskState } from './task-state.js'
import type { TaskStatus } from './task-status.js'
import { WorkerRegistry, type WorkerInfo, type WorkerMeta } from './worker-registry.js'

/** Everything the central scheduler needs to come back after a restart. */
export interface CentralSchedulerSnapshot {
  version: 1
  tasks: TaskSnapshot[]
  /** The origins the tasks' `origin` indexes point into; absent in snapshots from before they were kept. */
  origins?: TaskOrigin[]
  workers: WorkerInfo[]
  runs: RunInfo[]
  /** The last `getWork` answer per worker, so a call retried across a restart gets the same task. */
  lastGetWork: { workerId: string; requestId: string; taskId: string; lease?: string; recheck?: boolean }[]
}

/** What a person may do to a task from the UI. */
export type TaskAction = 'enable' | 'forgive'

/**
 * The daemon's scheduler: the in-process state machine plus what many workers sharing one graph need.
 * Workers that stop calling lose their running tasks back to PENDING; failed tasks are retried after a
 * delay and DISABLED when they fail too often; every change goes to a journal before it is acknowledged,
 * so a restarted daemon replays it and nothing is run twice.
 *
 * ```ts
 * const scheduler = new CentralScheduler({ workerTimeoutMs: 30_000, journal: store.journal('scheduler') })
 * setInterval(() => scheduler.maintain(), 1000)
 * ```
 */
export class CentralScheduler extends LocalScheduler implements Scheduler {
  readonly options: Readonly<Required<Omit<CentralSchedulerOptions, 'journal' | 'listener' | 'clock' | 'resources'>>>
  readonly #time: FrozenClock
  readonly #workers = new WorkerRegistry()
  readonly #runs = new RunRegistry()
  readonly #lastGetWork = new Map<string, { requestId: string; taskId: string; lease?: string | undefined; recheck?: boolean | undefined }>()
  readonly #listeners: ((event: SchedulerEvent) => void)[] = []
  #journal: SchedulerJournal | undefined
  #replaying = false

  constructor(options: CentralSchedulerOptions = {}) {
    const time = new FrozenClock(options.clock ?? systemClock)
    super({ ...(options.resources ? { resources: options.resources } : {}), clock: time })
    this.#time = time
    this.#journal = options.journal
    if (options.listener) this.#listeners.push(options.listener)
    this.options = Object.freeze({
      workerTimeoutMs: options.workerTimeoutMs ?? CENTRAL_SCHEDULER_DEFAULTS.workerTimeoutMs,
      retryDelayMs: options.retryDelayMs ?? CENTRAL_SCHEDULER_DEFAULTS.retryDelayMs,
      disableAfterFailures: options.disableAfterFailures ?? CENTRAL_SCHEDULER_DEFAULTS.disableAfterFailures,
      disableWindowMs: options.disableWindowMs ?? CENTRAL_SCHEDULER_DEFAULTS.disableWindowMs,
      removeDelayMs: options.removeDelayMs ?? CENTRAL_SCHEDULER_DEFAULTS.removeDelayMs,
      logTailLines: options.logTailLines ?? CENTRAL_SCHEDULER_DEFAULTS.logTailLines,
    })
  }

  /** Sets where ops go from now on (the daemon opens its store after building the scheduler). */
  setJournal(journal: SchedulerJournal | undefined): void {
    this.#journal = journal
  }

  /** Adds a listener for attempts, runs and workers. */
  onEvent(listener: (event: SchedulerEvent) => void): void {
    this.#listeners.push(listener)
  }

  // ---- the worker API ----

  /**
   * Registers a worker's tasks. A task whose definition differs from the one registered already
   * (other requirements: two versions of the code) takes the new one only when nobody else is using
   * the old: while it runs, or another live worker registered it, the whole call is refused with both
   * definitions, rather than one of them being silently ignored.
   */
  override async addTasks({ workerId, tasks, origin }: AddTasksRequest): Promise<void> {
    this.touchWorker(workerId)
    this.#refuseConflicts(workerId, tasks)
    this.#apply({ op: 'add', at: this.#time.live(), workerId, tasks, ...(origin ? { origin } : {}) })
  }

  override async getWork({ workerId, requestId }: GetWorkRequest): Promise<GetWorkResponse> {
    this.touchWorker(workerId)
    const last = this.#lastGetWork.get(workerId)
    if (requestId !== undefined && last?.requestId === requestId) return { taskId: last.taskId, done: false, ...(last.lease ? { lease: last.lease } : {}), ...(last.recheck ? { recheck: true } : {}) }
    const at = this.#time.live()
    const response = this.#time.at(at, () => this.chooseWork(workerId))
    if (response.taskId === null) return response
    const op: SchedulerOp = {
      op: 'take',
      at,
      workerId,
      taskId: response.taskId,
      lease: response.lease,
      ...(response.recheck ? { recheck: true } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
    }
    try {
      this.#journal?.append(op)
    } catch (error) {
      // The journal refused the take (a full disk): it is undone, so memory and disk agree.
      this.#time.at(at, () => this.releaseWorker(workerId, new Set([response.lease ?? ''])))
      throw error
    }
    this.#afterTake(op)
    return response
  }

  /**
   * Records an attempt's end, if the report presents the attempt's lease. A repeat of a report
   * already recorded (a retried call) is accepted and changes nothing; any other is refused, so no
   * caller can end, or fail, an attempt it was not given.
   */
  override async taskFinished(request: TaskFinishedRequest): Promise<void> {
    this.touchWorker(request.workerId)
    const lease = this.leaseOf(request)
    if (lease === 'repeat') return
    if (lease === 'stale') {
      throw new EtlError(
        'ETL_ERR_DAEMON_LEASE_INVALID',
        `taskFinished for ${request.taskId}: the lease is not that of the attempt running it (the attempt was given back or handed to another worker, or this worker was never given it); the report is not recorded`,
      )
    }
    this.#apply({ op: 'finish', at: this.#time.live(), request })
  }

  override async taskProgress({ workerId, taskId, lease, message }: TaskProgressRequest): Promise<void> {
    this.touchWorker(workerId)
    const state = this.tasks.get(taskId)
    if (state && this.holds(state, lease)) state.progress = message
  }

  async taskLog({ workerId, taskId, lease, lines }: TaskLogRequest): Promise<void> {
    this.touchWorker(workerId)
    const state = this.tasks.get(taskId)
    if (state && this.holds(state, lease)) this.#appendLog(state, lines)
  }

  override async ping({ workerId }: WorkerRequest): Promise<void> {
    this.touchWorker(workerId)
  }

  /** The worker is leaving: the tasks whose leases it gives back go back to PENDING, and no others. */
  override async workerStopped({ workerId, leases }: WorkerStoppedRequest): Promise<void> {
    if (this.#workers.get(workerId)?.state !== 'active') return
    const given = new Set(leases ?? [])
    const taskIds = [...this.tasks.values()].filter((state) => state.worker === workerId && this.holds(state, state.lease) && given.has(state.lease ?? '')).map((state) => state.id)
    this.#apply({ op: 'release', at: this.#time.live(), workerId, reason: 'stopped', taskIds })
  }

  /**
   * Notes a sign of life from a worker; the first one registers it (with what its HTTP headers say
   * about it) and a lost worker that calls again is back.
   */
  touchWorker(workerId: string, meta: WorkerMeta = {}): void {
    const worker = this.#workers.get(workerId)
    if (worker?.state === 'active') {
      worker.lastSeen = this.#time.live()
      return
    }
    this.#apply({ op: 'worker', at: this.#time.live(), workerId, meta })
  }

  // ---- what a person and the daemon's timer do ----

  /**
   * Applies what time alone changes: workers silent past the timeout are lost, failed tasks whose retry
   * is due go back to PENDING, and what nobody needs any more is forgotten. The daemon calls it every
   * second; tests call it after moving their clock.
   */
  maintain(): void {
    const now = this.#time.live()
    for (const worker of this.#workers.all()) {
      if (worker.state === 'active' && now - worker.lastSeen > this.options.workerTimeoutMs) {
        this.#apply({ op: 'release', at: now, workerId: worker.id, reason: 'lost' })
      }
    }
    const alive = this.#workers.activeIds()
    for (const state of this.tasks.values()) {
      if (state.status === 'FAILED' && state.retryAt !== undefined && state.retryAt <= now && hasLiveWorker(state, alive)) {
        this.#apply({ op: 'retry', at: now, taskId: state.id })
      }
    }
    this.#prune(now, alive)
  }

  /**
   * `enable`: a DISABLED task goes back to PENDING with its failures forgotten. `forgive`: a FAILED task
   * is retried now instead of after the retry delay. Returns the task's status after, or undefined for a
   * task the scheduler does not know.
   */
  act(action: TaskAction, taskId: string): TaskStatus | undefined {
    const state = this.tasks.get(taskId)
    if (!state) return undefined
    const applies = action === 'enable' ? state.status === 'DISABLED' : state.status === 'FAILED'
    if (applies) this.#apply({ op: action, at: this.#time.live(), taskId })
    return state.status
  }

  /**
   * Puts a task back to PENDING because a person asked for it to run again in a new worker: a DISABLED
   * task is re-enabled, a FAILED one forgiven, a DONE one invalidated (the rerun removes its outputs).
   * Returns the status after, or undefined for a task the scheduler does not know.
   */
  rerun(taskId: string): TaskStatus | undefined {
    const state = this.tasks.get(taskId)
    if (!state) return undefined
    if (state.status === 'DISABLED' || state.status === 'FAILED' || state.status === 'DONE') this.#apply({ op: 'rerun', at: this.#time.live(), taskId })
    return state.status
  }

  /**
   * Records how the process started to rerun a task is doing. A launch that failed before its worker
   * registered leaves nobody to run the task, so a PENDING task no live worker holds becomes FAILED
   * with the launch's error, rather than waiting for ever.
   */
  recordLaunch(taskId: string, launch: TaskLaunch): void {
    if (!this.tasks.has(taskId)) return
    this.#apply({ op: 'launch', at: this.#time.live(), taskId, launch })
  }

  workers(): IterableIterator<WorkerInfo> {
    return this.#workers.all()
  }

  worker(id: string): WorkerInfo | undefined {
    return this.#workers.get(id)
  }

  runs(): IterableIterator<RunInfo> {
    return this.#runs.all()
  }

  run(id: string): RunInfo | undefined {
    return this.#runs.get(id)
  }

  // ---- persistence ----

  snapshot(): CentralSchedulerSnapshot {
    const origins = new OriginTable()
    return {
      version: 1,
      tasks: [...this.tasks.values()].map((state) => toSnapshot(state, origins)),
      origins: origins.origins,
      workers: this.#workers.snapshot(),
      runs: this.#runs.snapshot(),
      lastGetWork: [...this.#lastGetWork].map(([workerId, last]) => ({ workerId, ...last })),
    }
  }

  restore(snapshot: CentralSchedulerSnapshot): void {
    this.restoreTasks(snapshot.tasks.map((task) => fromSnapshot(task, snapshot.origins)))
    this.#workers.restore(snapshot.workers, this.#time.live())
    this.#runs.restore(snapshot.runs)
    this.#lastGetWork.clear()
    for (const { workerId, requestId, taskId, lease, recheck } of snapshot.lastGetWork) this.#lastGetWork.set(workerId, { requestId, taskId, lease, recheck })
  }

  /** Applies an op read back from the journal, as it was applied live. */
  replay(op: SchedulerOp): void {
    this.#replaying = true
    try {
      if (op.op === 'take') {
        const state = this.tasks.get(op.taskId)
        if (!state || state.status !== 'PENDING') return
        this.#time.at(op.at, () => this.takeTask(state, op.workerId, op.lease))
        this.#afterTake(op)
      } else {
        this.#apply(op)
      }
      // A worker that was active stays so: it gets a full timeout from now to call again.
      const worker = 'workerId' in op ? this.#workers.get(op.workerId) : undefined
      if (worker?.state === 'active') worker.lastSeen = this.#time.live()
    } finally {
      this.#replaying = false
    }
  }

  // ---- state changes ----

  protected override markFailed(state: TaskState, error: TaskError, status: TaskStatus = 'FAILED'): void {
    if (status === 'FAILED') {
      const now = this.clock.now()
      state.failures = state.failures.filter((at) => at > now - this.options.disableWindowMs)
      if (state.failures.length + 1 >= this.options.disableAfterFailures) status = 'DISABLED'
      else state.retryAt = now + this.options.retryDelayMs
    }
    if (status !== 'FAILED') state.retryAt = undefined
    super.markFailed(state, error, status)
  }

  #apply(op: SchedulerOp): void {
    // Written ahead: an op the journal refuses (a full disk) is not applied, so memory and disk agree.
    if (!this.#replaying) this.#journal?.append(op)
    this.#time.at(op.at, () => this.#applyAt(op))
  }

  #applyAt(op: SchedulerOp): void {
    switch (op.op) {
      case 'add':
        return this.#add(op.workerId, op.tasks, op.origin)
      case 'finish':
        return this.#finish(op.request)
      case 'release':
        return this.#release(op.workerId, op.reason, op.at, op.taskIds)
      case 'retry':
      case 'forgive': {
        const state = this.tasks.get(op.taskId)
        if (state?.status === 'FAILED') this.reopen(state)
        return
      }
      case 'enable': {
        const state = this.tasks.get(op.taskId)
        if (state?.status !== 'DISABLED') return
        state.failures = []
        this.reopen(state)
        return
      }
      case 'rerun':
        return this.#rerun(op.taskId)
      case 'launch':
        return this.#launch(op.taskId, op.launch)
      case 'worker':
        return this.#seeWorker(op.workerId, op.meta, op.at)
      case 'prune':
        return this.#forget(op)
      case 'take':
        return
    }
  }

  #add(workerId: string, records: AddTasksRequest['tasks'], origin: TaskOrigin | undefined): void {
    for (const record of records) {
      this.addTask(workerId, record)
      // The first worker to say where a task comes from wins: a later run from elsewhere (a copy of
      // the project, another machine) must not move where the UI reruns it.
      if (origin) this.tasks.get(record.id)!.origin ??= origin
    }
    const runId = this.#workers.get(workerId)?.runId
    const run = runId === undefined ? undefined : this.#runs.get(runId)
    const first = records[0]
    if (run && first && run.rootIds.length === 0) {
      run.rootIds = [first.id]
      if (!run.label) run.label = labelOf(first.family, first.params)
      this.#emit({ type: 'run', run })
    }
  }

  #refuseConflicts(workerId: string, records: AddTasksRequest['tasks']): void {
    const alive = this.#workers.activeIds()
    const conflicts: string[] = []
    for (const record of records) {
      const state = this.tasks.get(record.id)
      if (!state?.known || sameDefinition(state, record)) continue
      const others = [...state.workers].filter((id) => id !== workerId && alive.has(id))
      if (state.status !== 'RUNNING' && others.length === 0) continue
      const holder = state.status === 'RUNNING' ? `is running in worker ${state.worker}` : `is registered by live worker${others.length > 1 ? 's' : ''} ${others.slice(0, 3).join(', ')}`
      conflicts.push(`${record.id} ${holder} as ${describeDefinition(state)}; this worker's code makes it ${describeDefinition(record)}`)
    }
    if (conflicts.length === 0) return
    throw new EtlError(
      'ETL_ERR_DAEMON_REGISTRATION_CONFLICT',
      `addTasks: ${conflicts.length} task${conflicts.length > 1 ? 's are' : ' is'} defined differently by another version of the code: ${conflicts.slice(0, 5).join('; ')}${conflicts.length > 5 ? `; and ${conflicts.length - 5} more` : ''}. ` +
        'Let the workers running the other version finish or stop them; then this version takes over',
    )
  }

  #rerun(taskId: string): void {
    const state = this.tasks.get(taskId)
    if (state?.status === 'DONE') return this.invalidate(state)
    if (state?.status === 'DISABLED') state.failures = []
    if (state?.status === 'DISABLED' || state?.status === 'FAILED') this.reopen(state)
  }

  #launch(taskId: string, launch: TaskLaunch): void {
    const state = this.tasks.get(taskId)
    if (!state) return
    state.launch = launch
    const registered = launch.runId !== undefined && this.#runs.get(launch.runId) !== undefined
    if (launch.status !== 'failed' || registered || state.status !== 'PENDING' || hasLiveWorker(state, this.#workers.activeIds())) return
    this.markFailed(state, {
      code: 'ETL_ERR_DAEMON_LAUNCH_FAILED',
      message: `the rerun started from the UI ended before its worker registered: ${launch.message ?? 'no reason given'} (its output is on this task's page)`,
    })
  }

  #afterTake(op: Extract<SchedulerOp, { op: 'take' }>): void {
    if (op.requestId !== undefined) this.#lastGetWork.set(op.workerId, { requestId: op.requestId, taskId: op.taskId, lease: op.lease, recheck: op.recheck })
    const state = this.tasks.get(op.taskId)!
    state.log = []
    this.#emit({ type: 'attempt', attempt: { ...this.#attemptBase(state, op.workerId, op.at), status: 'RUNNING', startedAt: op.at } })
  }

  #finish(request: TaskFinishedRequest): void {
    const state = this.tasks.get(request.taskId)
    if (!state || state.status !== 'RUNNING' || state.worker !== request.workerId) return
    const takenAt = state.startedAt ?? request.startedAt
    if (request.log) this.#appendLog(state, request.log)
    this.finishTask(request)
    const attempt: AttemptRecord = {
      ...this.#attemptBase(state, request.workerId, takenAt),
      status: request.status,
      startedAt: request.startedAt,
      endedAt: request.endedAt,
      result: request.result ?? null,
      log: state.log ?? [],
    }
    if (request.error) attempt.error = request.error
    this.#emit({ type: 'attempt', attempt })
  }

  /** A worker stopped (giving back the tasks `taskIds`; all of them in a journal from before leases) or was lost (all of them). */
  #release(workerId: string, reason: 'stopped' | 'lost', at: number, taskIds?: readonly string[]): void {
    const held = [...this.tasks.values()].filter((state) => state.status === 'RUNNING' && state.worker === workerId && (!taskIds || taskIds.includes(state.id)))
    const takenAt = new Map(held.map((state) => [state.id, state.startedAt ?? at]))
    for (const state of this.releaseWorker(workerId, new Set(held.map((state) => state.lease ?? '')))) {
      const started = takenAt.get(state.id) ?? at
      const error = { message: `worker ${workerId} ${reason === 'lost' ? 'stopped answering' : 'stopped'} while running this task; it went back to PENDING` }
      this.#emit({ type: 'attempt', attempt: { ...this.#attemptBase(state, workerId, started), status: 'LOST', startedAt: started, endedAt: at, error, log: state.log ?? [] } })
    }
    const worker = this.#workers.end(workerId, reason, at)
    if (!worker) return
    this.#emit({ type: 'worker', worker })
    const run = this.#runs.get(worker.runId)
    if (!run || run.status !== 'running') return
    if (run.workerIds.some((id) => this.#workers.get(id)?.state === 'active')) return
    run.endedAt = at
    run.status = run.rootIds.length > 0 && run.rootIds.every((id) => this.tasks.get(id)?.status === 'DONE') ? 'succeeded' : 'failed'
    this.#emit({ type: 'run', run })
  }

  #seeWorker(workerId: string, meta: WorkerMeta, at: number): void {
    const worker = this.#workers.upsert(workerId, meta, at)
    this.#emit({ type: 'worker', worker })
    const run = this.#runs.join(worker.runId, workerId, meta.runLabel, at)
    this.#emit({ type: 'run', run })
  }

  /** Finds what nobody needs any more and forgets it in one op. */
  #prune(now: number, alive: ReadonlySet<string>): void {
    const expired = (at: number | undefined) => at !== undefined && now - at >= this.options.removeDelayMs
    const candidates = new Set<string>()
    for (const state of this.tasks.values()) {
      if (state.status === 'RUNNING' || state.status === 'DISABLED' || !expired(state.updatedAt) || hasLiveWorker(state, alive)) continue
      candidates.add(state.id)
    }
    // A task goes only with everything downstream of it, so nothing left waits on a task that is gone.
    const queue = [...candidates]
    while (queue.length > 0) {
      const id = queue.pop()!
      if (!candidates.has(id)) continue
      const state = this.tasks.get(id)!
      if (state.dependents.every((dependent) => candidates.has(dependent))) continue
      candidates.delete(id)
      queue.push(...state.deps.filter((dep) => candidates.has(dep)))
    }
    const workerIds = [...this.#workers.all()].filter((worker) => worker.state !== 'active' && expired(worker.endedAt)).map((worker) => worker.id)
    const runIds = [...this.#runs.all()].filter((run) => run.status !== 'running' && expired(run.endedAt)).map((run) => run.id)
    if (candidates.size + workerIds.length + runIds.length === 0) return
    this.#apply({ op: 'prune', at: now, taskIds: [...candidates], workerIds, runIds })
  }

  #forget(op: Extract<SchedulerOp, { op: 'prune' }>): void {
    this.removeTasks(new Set(op.taskIds))
    for (const id of op.workerIds) {
      this.#workers.delete(id)
      this.#lastGetWork.delete(id)
      this.forgetWorker(id)
    }
    for (const id of op.runIds) this.#runs.delete(id)
  }

  #appendLog(state: TaskState, lines: readonly TaskLogLine[]): void {
    const log = state.log ?? []
    for (const line of lines) {
      const message = String(line.message)
      log.push({ at: Number(line.at), level: String(line.level), message: message.length > MAX_LOG_LINE_CHARS ? `${message.slice(0, MAX_LOG_LINE_CHARS)}…` : message })
    }
    state.log = log.length > this.options.logTailLines ? log.slice(-this.options.logTailLines) : log
  }

  #attemptBase(state: TaskState, workerId: string, takenAt: number): Omit<AttemptRecord, 'status' | 'startedAt'> {
    return { taskId: state.id, family: state.family, params: state.params, workerId, takenAt, runId: this.#workers.get(workerId)?.runId ?? workerId }
  }

  #emit(event: { type: 'attempt'; attempt: AttemptRecord } | { type: 'run'; run: RunInfo } | { type: 'worker'; worker: WorkerInfo }): void {
    // Listeners get copies: they may keep them (a write queue) while the state moves on.
    const copy =
      event.type === 'attempt'
        ? { type: event.type, attempt: { ...event.attempt, ...(event.attempt.log ? { log: [...event.attempt.log] } : {}) } }
        : event.type === 'run'
          ? { type: event.type, run: { ...event.run, rootIds: [...event.run.rootIds], workerIds: [...event.run.workerIds] } }
          : { type: event.type, worker: { ...event.worker } }
    const full = { ...copy, replay: this.#replaying } as SchedulerEvent
    for (const listener of this.#listeners) listener(full)
  }
}

function hasLiveWorker(state: TaskState, alive: ReadonlySet<string>): boolean {
  for (const id of state.workers) if (alive.has(id)) return true
  return false
}

/** A task's family and requirements, as a conflict message shows them. */
function describeDefinition(task: Pick<TaskState, 'family' | 'deps'>): string {
  const deps = task.deps.length === 0 ? 'requiring nothing' : `requiring ${task.deps.slice(0, 3).join(', ')}${task.deps.length > 3 ? ` and ${task.deps.length - 3} more` : ''}`
  return `${task.family} ${deps}`
}

function labelOf(family: string, params: Record<string, string>): string {
  const values = Object.entries(params).map(([name, value]) => `${name}=${value}`)
  return `${family}(${values.join(', ')})`
}
