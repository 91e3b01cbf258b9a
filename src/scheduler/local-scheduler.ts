import { randomUUID } from 'node:crypto'
import TinyQueue from 'tinyqueue'
import { systemClock, type Clock } from '../util/clock.js'
import type {
  AddTasksRequest,
  GetWorkRequest,
  GetWorkResponse,
  Scheduler,
  TaskError,
  TaskFinishedRequest,
  TaskProgressRequest,
  TaskRecord,
  TaskStatusesRequest,
  WorkerRequest,
  WorkerStoppedRequest,
} from './scheduler.js'
import { newTaskState, type TaskState } from './task-state.js'
import { BLOCKING_STATUSES, OPEN_STATUSES, type TaskStatus } from './task-status.js'

export interface LocalSchedulerOptions {
  /** Capacity of each named resource; a resource a task names but the config does not has 1 unit, as in Luigi. */
  resources?: Readonly<Record<string, number>>
  clock?: Clock
}

/** Units of a resource nobody configured. */
const DEFAULT_RESOURCE_CAPACITY = 1

/**
 * The scheduling state machine, in process: tasks become ready when everything they require is DONE,
 * ready tasks go out highest priority first (then first come, first served) within the resource caps,
 * and a failure marks everything downstream UPSTREAM_FAILED while independent branches keep going.
 *
 * Every operation is O(log n) in the number of tasks, or proportional to the edges it touches, so
 * 100,000-task graphs schedule as fast per task as 1,000-task ones.
 */
export class LocalScheduler implements Scheduler {
  protected readonly tasks = new Map<string, TaskState>()
  protected readonly clock: Clock
  readonly #ready = new TinyQueue<TaskState>([], (a, b) => b.priority - a.priority || a.seq - b.seq)
  readonly #capacity: Readonly<Record<string, number>>
  readonly #inUse = new Map<string, number>()
  readonly #openByWorker = new Map<string, number>()
  #running = 0
  #seq = 0

  constructor(options: LocalSchedulerOptions = {}) {
    this.#capacity = { ...options.resources }
    this.clock = options.clock ?? systemClock
  }

  async addTasks({ workerId, tasks }: AddTasksRequest): Promise<void> {
    for (const record of tasks) this.addTask(workerId, record)
  }

  async getWork({ workerId }: GetWorkRequest): Promise<GetWorkResponse> {
    return this.chooseWork(workerId)
  }

  /**
   * `getWork` without the promise: picks, takes and answers in one synchronous step, so a subclass can
   * record the choice before anything else runs.
   */
  protected chooseWork(workerId: string): GetWorkResponse {
    const skipped: TaskState[] = []
    let chosen: TaskState | undefined
    while (this.#ready.length > 0) {
      const state = this.#ready.pop()!
      if (state.status !== 'PENDING' || state.waitingOn > 0 || this.tasks.get(state.id) !== state) continue // stale entry
      if (state.workers.has(workerId) && this.#resourcesFree(state.resources)) {
        chosen = state
        break
      }
      skipped.push(state)
    }
    for (const state of skipped) this.#ready.push(state)
    if (chosen) {
      const lease = randomUUID()
      const recheck = chosen.lost === true
      this.takeTask(chosen, workerId, lease)
      return { taskId: chosen.id, done: false, lease, ...(recheck ? { recheck } : {}) }
    }
    const open = this.#openByWorker.get(workerId) ?? 0
    // Nothing ready, nothing running anywhere: the open tasks can never become ready.
    const stuck = open > 0 && this.#running === 0 && skipped.length === 0
    return { taskId: null, done: open === 0 || stuck }
  }

  async taskProgress({ taskId, lease, message }: TaskProgressRequest): Promise<void> {
    const state = this.tasks.get(taskId)
    if (state && this.holds(state, lease)) state.progress = message
  }

  async taskFinished(request: TaskFinishedRequest): Promise<void> {
    this.finishTask(request)
  }

  /** True while `lease` is the lease of the attempt running `state`. */
  protected holds(state: TaskState, lease: string | undefined): boolean {
    return state.status === 'RUNNING' && state.lease === lease
  }

  /**
   * What a report of an attempt's end is: `current` for the attempt running now, `repeat` for one
   * already recorded (a retried call whose first answer was lost), `stale` for anything else: an
   * attempt given back or handed to another worker, or a lease the task was never given.
   */
  protected leaseOf(request: Pick<TaskFinishedRequest, 'taskId' | 'workerId' | 'lease'>): 'current' | 'repeat' | 'stale' {
    const state = this.tasks.get(request.taskId)
    if (!state || state.lease !== request.lease) return 'stale'
    if (state.status === 'RUNNING') return state.worker === request.workerId ? 'current' : 'stale'
    // The attempt this lease was given for has ended, and its end was recorded: the same report again.
    return state.status === 'PENDING' ? 'stale' : 'repeat'
  }

  /** `taskFinished` without the promise; false when the report is not the running attempt's and nothing changed. */
  protected finishTask(request: TaskFinishedRequest): boolean {
    const state = this.tasks.get(request.taskId)
    if (!state || this.leaseOf(request) !== 'current') return false
    this.#release(state)
    state.startedAt = request.startedAt
    state.endedAt = request.endedAt
    state.attempts += request.attempts
    state.result = request.result ?? null
    if (request.status === 'DONE') this.markDone(state)
    else this.markFailed(state, request.error ?? { message: 'failed without an error message' })
    return true
  }

  async ping(_request: WorkerRequest): Promise<void> {}

  async workerStopped({ workerId, leases }: WorkerStoppedRequest): Promise<void> {
    this.releaseWorker(workerId, new Set(leases ?? []))
  }

  /**
   * Puts the tasks `workerId` is running back to PENDING: those whose lease is in `leases` (it stopped
   * and gave them back), or all of them (`leases` undefined: it stopped answering).
   */
  protected releaseWorker(workerId: string, leases?: ReadonlySet<string>): TaskState[] {
    const released: TaskState[] = []
    for (const state of this.tasks.values()) {
      if (state.status === 'RUNNING' && state.worker === workerId && (!leases || leases.has(state.lease ?? ''))) {
        this.#release(state)
        state.lease = undefined
        state.lost = true
        this.setStatus(state, 'PENDING')
        this.#pushIfReady(state)
        released.push(state)
      }
    }
    return released
  }

  async taskStatuses({ taskIds }: TaskStatusesRequest): Promise<Record<string, TaskStatus>> {
    const statuses: Record<string, TaskStatus> = {}
    for (const id of taskIds) {
      const state = this.tasks.get(id)
      if (state?.known) statuses[id] = state.status
    }
    return statuses
  }

  /** A task's full state, for summaries and the web UI. */
  task(id: string): Readonly<TaskState> | undefined {
    return this.tasks.get(id)
  }

  /** Every task the scheduler knows, in the order it learnt of them. */
  allTasks(): IterableIterator<Readonly<TaskState>> {
    return this.tasks.values()
  }

  /** Each named resource that is configured or in use: units held now and units that exist. */
  resourceUsage(): Record<string, { used: number; capacity: number }> {
    const usage: Record<string, { used: number; capacity: number }> = {}
    for (const name of new Set([...Object.keys(this.#capacity), ...this.#inUse.keys()])) {
      usage[name] = { used: this.#inUse.get(name) ?? 0, capacity: this.#capacityOf(name) }
    }
    return usage
  }

  /**
   * Registers a task for `workerId`. A task known already keeps its status, with three exceptions a
   * new run relies on to resume: found complete (DONE), failed to check (FAILED), and asked for again
   * after a failure (back to PENDING). None of them moves a RUNNING task (its lease holder ends it)
   * or a DISABLED one (only a person re-enables it). A task whose definition changed (another family
   * or other requirements: the code changed) takes the new one.
   */
  protected addTask(workerId: string, record: TaskRecord): void {
    const state = this.#stateFor(record.id)
    const isNew = !state.known
    if (isNew) this.#learn(state, record)
    else if (!sameDefinition(state, record)) this.#redefine(state, record)
    if (!state.workers.has(workerId)) {
      state.workers.add(workerId)
      if (OPEN_STATUSES.has(state.status)) this.#adjustOpen(workerId, +1)
    }
    state.updatedAt = this.clock.now()
    if (record.status === 'DONE' && state.status !== 'DONE' && state.status !== 'RUNNING' && state.status !== 'DISABLED') this.markDone(state)
    else if (record.status === 'FAILED' && state.status === 'PENDING') this.markFailed(state, record.error ?? { message: 'failed' })
    else if (!isNew && record.status === 'PENDING' && BLOCKING_STATUSES.has(state.status) && state.status !== 'DISABLED') {
      this.reopen(state)
    }
    this.#pushIfReady(state)
  }

  /** Marks a task DONE and lets its dependents move closer to ready. */
  protected markDone(state: TaskState): void {
    const wasDone = state.status === 'DONE'
    const wasBlocking = BLOCKING_STATUSES.has(state.status)
    this.setStatus(state, 'DONE')
    state.error = undefined
    state.retryAt = undefined
    if (wasDone) return
    for (const id of state.dependents) {
      const dependent = this.tasks.get(id)!
      dependent.waitingOn -= 1
      this.#pushIfReady(dependent)
    }
    if (wasBlocking) this.#unblockDownstream(state)
  }

  /** Marks a task FAILED and everything waiting on it, transitively, UPSTREAM_FAILED. */
  protected markFailed(state: TaskState, error: TaskError, status: TaskStatus = 'FAILED'): void {
    state.error = error
    state.failures.push(this.clock.now())
    this.setStatus(state, status)
    this.#blockDownstream(state)
  }

  /** The one place a status changes, so per-worker counts stay right. */
  protected setStatus(state: TaskState, status: TaskStatus): void {
    const wasOpen = OPEN_STATUSES.has(state.status)
    const isOpen = OPEN_STATUSES.has(status)
    if (state.status === 'RUNNING') this.#running -= 1
    if (status === 'RUNNING') this.#running += 1
    state.status = status
    state.updatedAt = this.clock.now()
    if (wasOpen !== isOpen) for (const workerId of state.workers) this.#adjustOpen(workerId, isOpen ? +1 : -1)
  }

  /**
   * Puts a FAILED, DISABLED or UPSTREAM_FAILED task back to PENDING (a new run asked for it again, or a
   * retry is due), and with it every task downstream that it alone was blocking.
   */
  protected reopen(state: TaskState): void {
    const blocked = state.deps.some((id) => BLOCKING_STATUSES.has(this.tasks.get(id)!.status))
    this.setStatus(state, blocked ? 'UPSTREAM_FAILED' : 'PENDING')
    state.error = undefined
    state.retryAt = undefined
    if (blocked) return
    this.#pushIfReady(state)
    this.#unblockDownstream(state)
  }

  /**
   * Puts a DONE task back to PENDING because its outputs are being removed so it runs again (`etl
   * invalidate`): everything that requires it waits for it again, as a restored graph would count it.
   * What depends on it stays as it is; only what is still to run waits.
   */
  protected invalidate(state: TaskState): void {
    if (state.status !== 'DONE') return
    for (const id of state.dependents) this.tasks.get(id)!.waitingOn += 1
    const blocked = state.deps.some((id) => BLOCKING_STATUSES.has(this.tasks.get(id)!.status))
    this.setStatus(state, blocked ? 'UPSTREAM_FAILED' : 'PENDING')
    if (!blocked) this.#pushIfReady(state)
  }

  /** Takes `state` for `workerId` under `lease`: RUNNING, resources held. */
  protected takeTask(state: TaskState, workerId: string, lease: string | undefined): void {
    this.setStatus(state, 'RUNNING')
    state.worker = workerId
    state.lease = lease
    state.lost = undefined
    state.startedAt = this.clock.now()
    state.endedAt = undefined
    state.progress = undefined
    for (const [name, amount] of Object.entries(state.resources)) this.#inUse.set(name, (this.#inUse.get(name) ?? 0) + amount)
  }

  /**
   * Replaces the whole state with `states` (a snapshot read back) and rebuilds everything derived from
   * it: who depends on whom, what is ready, the resources held and each worker's open tasks.
   */
  protected restoreTasks(states: readonly TaskState[]): void {
    this.tasks.clear()
    this.#inUse.clear()
    this.#openByWorker.clear()
    this.#running = 0
    while (this.#ready.length > 0) this.#ready.pop()
    for (const state of states) this.tasks.set(state.id, { ...state, dependents: [], waitingOn: 0 })
    this.#seq = Math.max(this.#seq, ...states.map((state) => state.seq + 1))
    for (const state of this.tasks.values()) {
      for (const id of state.deps) {
        const dep = this.#stateFor(id)
        dep.dependents.push(state.id)
        if (dep.status !== 'DONE') state.waitingOn += 1
      }
      if (state.status === 'RUNNING') {
        this.#running += 1
        for (const [name, amount] of Object.entries(state.resources)) this.#inUse.set(name, (this.#inUse.get(name) ?? 0) + amount)
      }
      if (OPEN_STATUSES.has(state.status)) for (const workerId of state.workers) this.#adjustOpen(workerId, +1)
    }
    for (const state of this.tasks.values()) this.#pushIfReady(state)
  }

  /**
   * Forgets tasks for good. Callers pass only tasks nothing left depends on (their dependents go with
   * them), so no remaining task waits on a task that is gone.
   */
  protected removeTasks(ids: ReadonlySet<string>): void {
    for (const id of ids) {
      const state = this.tasks.get(id)
      if (!state) continue
      if (state.status === 'RUNNING') {
        this.#release(state)
        this.#running -= 1
      }
      if (OPEN_STATUSES.has(state.status)) for (const workerId of state.workers) this.#adjustOpen(workerId, -1)
      this.tasks.delete(id)
    }
    for (const state of this.tasks.values()) {
      if (state.dependents.some((id) => ids.has(id))) state.dependents = state.dependents.filter((id) => !ids.has(id))
    }
  }

  /** Forgets a worker that has left for good: it no longer counts as able to run anything. */
  protected forgetWorker(workerId: string): void {
    for (const state of this.tasks.values()) state.workers.delete(workerId)
    this.#openByWorker.delete(workerId)
  }

  #unblockDownstream(state: TaskState): void {
    const stack = [...state.dependents]
    while (stack.length > 0) {
      const dependent = this.tasks.get(stack.pop()!)!
      if (dependent.status !== 'UPSTREAM_FAILED') continue
      if (dependent.deps.some((id) => BLOCKING_STATUSES.has(this.tasks.get(id)!.status))) continue
      this.setStatus(dependent, 'PENDING')
      this.#pushIfReady(dependent)
      stack.push(...dependent.dependents)
    }
  }

  #blockDownstream(state: TaskState): void {
    const stack = [...state.dependents]
    while (stack.length > 0) {
      const dependent = this.tasks.get(stack.pop()!)!
      if (dependent.status !== 'PENDING') continue
      this.setStatus(dependent, 'UPSTREAM_FAILED')
      stack.push(...dependent.dependents)
    }
  }

  #stateFor(id: string): TaskState {
    let state = this.tasks.get(id)
    if (!state) {
      state = newTaskState(id, this.#seq++, this.clock.now())
      this.tasks.set(id, state)
    }
    return state
  }

  /** Takes a changed definition: unhooked from its old requirements, hooked to the new ones. */
  #redefine(state: TaskState, record: TaskRecord): void {
    for (const id of state.deps) {
      const dep = this.tasks.get(id)
      if (dep) dep.dependents = dep.dependents.filter((dependent) => dependent !== state.id)
    }
    state.deps = []
    state.waitingOn = 0
    this.#learn(state, record)
    if (state.status === 'UPSTREAM_FAILED' && !state.deps.some((id) => BLOCKING_STATUSES.has(this.tasks.get(id)!.status))) this.setStatus(state, 'PENDING')
  }

  #learn(state: TaskState, record: TaskRecord): void {
    state.known = true
    state.family = record.family
    state.params = record.params
    state.kind = record.kind
    state.priority = record.priority
    state.resources = record.resources
    // Records from our own discovery are already deduplicated; anything else is made so here.
    const unique = new Set(record.deps)
    state.deps = unique.size === record.deps.length ? record.deps : [...unique]
    for (const id of state.deps) {
      const dep = this.#stateFor(id)
      dep.dependents.push(state.id)
      if (dep.status !== 'DONE') state.waitingOn += 1
      if (BLOCKING_STATUSES.has(dep.status) && state.status === 'PENDING') this.setStatus(state, 'UPSTREAM_FAILED')
    }
    const tooBig = Object.entries(record.resources).find(([name, amount]) => amount > this.#capacityOf(name))
    if (tooBig && record.status === 'PENDING') {
      const [name, amount] = tooBig
      this.markFailed(state, {
        message: `${record.family} needs ${amount} units of resource '${name}' but only ${this.#capacityOf(name)} exist: raise resources.${name} in etl.config.json`,
      })
    }
  }

  #pushIfReady(state: TaskState): void {
    if (state.known && state.status === 'PENDING' && state.waitingOn === 0) this.#ready.push(state)
  }

  #release(state: TaskState): void {
    state.worker = undefined
    for (const [name, amount] of Object.entries(state.resources)) this.#inUse.set(name, (this.#inUse.get(name) ?? 0) - amount)
  }

  #resourcesFree(resources: Record<string, number>): boolean {
    for (const [name, amount] of Object.entries(resources)) {
      if ((this.#inUse.get(name) ?? 0) + amount > this.#capacityOf(name)) return false
    }
    return true
  }

  #capacityOf(name: string): number {
    return this.#capacity[name] ?? DEFAULT_RESOURCE_CAPACITY
  }

  #adjustOpen(workerId: string, delta: number): void {
    this.#openByWorker.set(workerId, (this.#openByWorker.get(workerId) ?? 0) + delta)
  }
}

/**
 * Whether a registration describes the task as the scheduler knows it: same family, same
 * requirements. A record found complete, or failed to check, names no requirements (the worker does
 * not look below it), so only a PENDING one can disagree about them.
 */
export function sameDefinition(state: Pick<TaskState, 'family' | 'deps'>, record: Pick<TaskRecord, 'family' | 'deps' | 'status'>): boolean {
  if (state.family !== record.family) return false
  if (record.status !== 'PENDING') return true
  const deps = new Set(record.deps)
  return deps.size === state.deps.length && state.deps.every((id) => deps.has(id))
}
