import { randomUUID } from 'node:crypto'
import os from 'node:os'
import pLimit, { type LimitFunction } from 'p-limit'
import type { Logger } from 'pino'
import { EtlError, firstLine } from '../errors.js'
import { DataServices } from '../db/data-services.js'
import type { RetryPolicy } from '../core/retry-policy.js'
import { flatten, type Structure } from '../core/structure.js'
import { isTask, type TaskLike } from '../core/task-like.js'
import { RpcError } from '../scheduler/rpc-error.js'
import type { Scheduler, TaskError, TaskFinishedRequest, TaskRecord } from '../scheduler/scheduler.js'
import type { TaskOrigin } from '../scheduler/task-origin.js'
import { BLOCKING_STATUSES, type TaskStatus } from '../scheduler/task-status.js'
import { silentLogger } from '../util/logger.js'
import { Wakeup } from '../util/wakeup.js'
import { CompletionCache, DEFAULT_COMPLETION_CONCURRENCY } from './completion-cache.js'
import { discover } from './graph-discovery.js'
import { SecretMasker } from './secret-masker.js'
import { halves, registerBatches } from './register-batches.js'
import { fitFinishedReport, REPORTED_PROGRESS_CHARS, shrinkFinishedReport } from './report-fitting.js'
import { TaskLogShipper } from './task-log-shipper.js'
import { TaskRunner } from './task-runner.js'
import type { TaskOutcome, WorkerEvent, WorkerEventListener } from './worker-events.js'
import type { EventHub } from '../events/event-hub.js'
import { runEventOf } from '../events/worker-run-event.js'

export interface WorkerOptions {
  scheduler: Scheduler
  /** Connections and lake for tasks (`ctx.db()`, `ctx.lake`). @defaultValue the embedded defaults */
  data?: DataServices
  /** @defaultValue `<host>-<pid>-<random>` */
  workerId?: string
  /** Tasks run at once. @defaultValue 1 */
  workers?: number
  logger?: Logger
  /** Retry defaults (the config's `retry`); a task's own `retry` fields win. */
  retry?: Partial<RetryPolicy>
  onEvent?: WorkerEventListener
  /**
   * Where the run's events go (task started, succeeded, failed, retried, missing external data) for
   * handlers and notification channels, every text masked of the run's secrets.
   */
  events?: EventHub
  /** The run the events belong to. @defaultValue the first task added, as `Family(params)` */
  run?: string
  /** Where a task's page is, for its events (the daemon's UI when there is one). */
  taskLink?: (taskId: string) => string
  /** Aborting it cancels the run: running tasks see their `ctx.signal` abort. */
  signal?: AbortSignal
  /** How often to ask again when the next task waits on another worker. @defaultValue 1000 */
  pollIntervalMs?: number
  /** How often to tell the scheduler this worker is alive. @defaultValue 10000 */
  heartbeatMs?: number
  /** `complete()` checks at once while building the graph. @defaultValue 16 */
  completionConcurrency?: number
  /**
   * The module and folder the tasks were loaded from, sent with every registration so the daemon's UI
   * can rerun a task there (`etl run` sets it). Without it the daemon can show the task but not rerun it.
   */
  origin?: TaskOrigin
  /**
   * Reopen the registered tasks the scheduler holds as FAILED or DISABLED from earlier runs (`etl run
   * --forgive`), so they run again now rather than after the retry delay, or never. @defaultValue false
   */
  forgive?: boolean
}

/** Task ids asked about per `taskStatuses` call, well under the daemon's `maxTasksPerCall`. */
const STATUS_BATCH = 2000
/** At most one progress message per task per interval reaches the scheduler. */
const PROGRESS_INTERVAL_MS = 1000

interface Waiter {
  ids: Set<string>
  resolve: () => void
  reject: (error: Error) => void
}

/**
 * Takes tasks from a scheduler and runs them, up to `workers` at a time. `add()` walks the graph from the
 * roots and registers it; `run()` asks for work until nothing it registered can change. The worker only
 * speaks the `Scheduler` interface, so it runs the same against the in-process scheduler and the daemon.
 */
export class Worker {
  readonly id: string
  readonly #scheduler: Scheduler
  readonly #logger: Logger
  readonly #onEvent: WorkerEventListener
  readonly #limit: LimitFunction
  readonly #cache: CompletionCache
  readonly #runner: TaskRunner
  readonly #signal: AbortSignal
  readonly #pollIntervalMs: number
  readonly #heartbeatMs: number
  readonly #origin: TaskOrigin | undefined
  readonly #forgive: boolean
  #run: string | undefined
  readonly #tasks = new Map<string, TaskLike>()
  readonly #completeAtStart = new Set<string>()
  readonly #failedAtStart = new Map<string, TaskError>()
  readonly #waiters = new Set<Waiter>()
  readonly #waitingOwners = new Set<string>()
  readonly #lastProgress = new Map<string, number>()
  /** The lease of each task this worker runs now: every report about it presents it. */
  readonly #leases = new Map<string, string>()
  readonly #wakeup = new Wakeup()
  /** The secret values of every task this worker knows, masked in all it logs, writes and sends. */
  readonly #secrets = new SecretMasker()
  /** Only for a scheduler that keeps task logs (the daemon). */
  readonly #logs: TaskLogShipper | undefined

  constructor(options: WorkerOptions) {
    this.id = options.workerId ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`
    this.#scheduler = options.scheduler
    this.#logger = this.#secrets.logger((options.logger ?? silentLogger()).child({ workerId: this.id }))
    this.#onEvent = withRunEvents(options.onEvent ?? (() => {}), options.events, () => this.#run ?? this.id, (text) => this.#secrets.text(text), options.taskLink)
    this.#run = options.run
    this.#limit = pLimit(options.workers ?? 1)
    const data = options.data ?? new DataServices()
    this.#cache = new CompletionCache(options.completionConcurrency ?? DEFAULT_COMPLETION_CONCURRENCY, { data, db: (name) => data.database(name) })
    this.#signal = options.signal ?? new AbortController().signal
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000
    this.#heartbeatMs = options.heartbeatMs ?? 10_000
    this.#origin = options.origin
    this.#forgive = options.forgive ?? false
    const scheduler = this.#scheduler
    this.#logs = scheduler.taskLog ? new TaskLogShipper((taskId, lines) => scheduler.taskLog!({ workerId: this.id, taskId, lease: this.#leaseOf(taskId), lines })) : undefined
    this.#runner = new TaskRunner({
      data,
      logger: this.#logger,
      retry: options.retry ?? {},
      onEvent: this.#onEvent,
      signal: this.#signal,
      require: (owner, requirements, signal) => this.#require(owner, requirements, signal),
      progress: (task, message) => this.#reportProgress(task, message),
      secrets: this.#secrets,
      // Masked outside the tap too, so the shipper only ever sees masked lines.
      ...(this.#logs ? { tapLog: (task: TaskLike, log: Logger) => this.#secrets.logger(this.#logs!.tap(task.id, log)) } : {}),
    })
  }

  /** Every task this worker has registered, by id. */
  get tasks(): ReadonlyMap<string, TaskLike> {
    return this.#tasks
  }

  /** Tasks found complete when they were registered. */
  get completeAtStart(): ReadonlySet<string> {
    return this.#completeAtStart
  }

  /** Tasks whose completeness check failed when they were registered, with the error. */
  get failedAtStart(): ReadonlyMap<string, TaskError> {
    return this.#failedAtStart
  }

  /**
   * Walks the graph from `roots`, checks what is complete and registers the rest with the scheduler.
   * Throws (before registering anything) when the graph has a cycle or a malformed requirement.
   */
  async add(roots: readonly TaskLike[]): Promise<void> {
    this.#run ??= roots[0] ? this.#secrets.text(String(roots[0])) : undefined
    const { graph, records } = await discover(roots, this.#cache)
    this.#remember(graph.ids().map((id) => graph.node(id)!))
    await this.#register(records)
    if (this.#forgive) await this.#reopenFailed(records)
    const count = (status: TaskRecord['status']) => records.filter((record) => record.status === status).length
    this.#emit({ type: 'discovered', records: records.length, complete: count('DONE'), pending: count('PENDING'), failed: count('FAILED') })
  }

  /** Asks the scheduler to reopen what failed or was disabled before this run, and says what it reopened. */
  async #reopenFailed(records: readonly TaskRecord[]): Promise<void> {
    if (!this.#scheduler.reopenFailed) return
    const reopened = await this.#scheduler.reopenFailed({ taskIds: records.filter((record) => record.status !== 'DONE').map((record) => record.id) })
    const labels = reopened.map((id) => String(this.#tasks.get(id) ?? id))
    if (labels.length) this.#logger.info(`--forgive reopened ${labels.length} failed or disabled task${labels.length === 1 ? '' : 's'}: ${labels.join(', ')}`)
  }

  /** Runs tasks until the scheduler says nothing registered by this worker can change. Never throws for a task failure. */
  async run(): Promise<void> {
    const heartbeat = setInterval(() => this.#scheduler.ping({ workerId: this.id }).catch(() => {}), this.#heartbeatMs)
    heartbeat.unref()
    try {
      await this.#loop()
    } finally {
      clearInterval(heartbeat)
      this.#logs?.stop()
      await this.#scheduler.workerStopped({ workerId: this.id, leases: [...this.#leases.values()] }).catch(() => {})
    }
  }

  async #loop(): Promise<void> {
    for (;;) {
      let done = false
      // Once the run is cancelled no new task starts; the loop only waits for running ones to end.
      const cancelled = this.#signal.aborted
      while (!cancelled && this.#limit.activeCount + this.#limit.pendingCount < this.#limit.concurrency) {
        const work = await this.#scheduler.getWork({ workerId: this.id })
        done = work.done
        if (!work.taskId) break
        this.#leases.set(work.taskId, work.lease ?? '')
        this.#start(work.taskId, work.recheck === true)
      }
      if ((done || cancelled) && this.#limit.activeCount + this.#limit.pendingCount === 0) return
      await this.#idle()
    }
  }

  /** Waits until a task of ours ends, or the poll interval passes while waiting on someone else. */
  async #idle(): Promise<void> {
    // While our own tasks run, their ends wake us; polling only matters when we wait on others.
    const busy = this.#limit.activeCount > this.#waiters.size
    await this.#wakeup.wait(busy ? undefined : this.#pollIntervalMs)
    if (this.#waiters.size > 0) await this.#checkWaiters()
  }

  #start(taskId: string, recheck: boolean): void {
    const task = this.#tasks.get(taskId)
    // The wake-up comes after the slot is free again, or the loop could wake, find no slot, and sleep on.
    void this.#limit(async () => {
      const outcome = task ? await this.#runner.run(task, { recheck }) : unknownTask(taskId)
      await this.#finish(taskId, outcome)
    }).finally(() => this.#wakeup.notify())
  }

  async #finish(taskId: string, outcome: TaskOutcome): Promise<void> {
    this.#lastProgress.delete(taskId)
    if (outcome.status === 'DONE') this.#cache.set(taskId, true)
    const task = this.#tasks.get(taskId)
    const log = this.#logs?.take(taskId)
    const report = fitFinishedReport({
      workerId: this.id,
      taskId,
      lease: this.#leaseOf(taskId),
      status: outcome.status,
      startedAt: outcome.startedAt,
      endedAt: outcome.endedAt,
      attempts: outcome.attempts,
      result: outcome.result,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(log?.length ? { log } : {}),
    })
    try {
      await this.#reportFinished(report)
      // Reported: the attempt is over. A report that never arrived keeps its lease, given back when the worker stops.
      this.#leases.delete(taskId)
    } catch (error) {
      this.#logger.error({ err: error }, `could not report the end of ${task ?? taskId} to the scheduler`)
    }
    if (task) this.#emit({ type: 'task-finished', task, outcome })
    this.#settleWaiters(taskId, outcome.status === 'DONE' ? 'DONE' : 'FAILED')
  }

  /** Sends a task's end; a report the daemon refuses as too large goes again, much smaller, once. */
  async #reportFinished(report: TaskFinishedRequest): Promise<void> {
    try {
      await this.#scheduler.taskFinished(report)
    } catch (error) {
      if (!isTooLarge(error)) throw error
      this.#logger.warn(`the scheduler refused the report of ${report.taskId} as too large (${firstLine(error)}); sending it again with its result, log and error cut short`)
      await this.#scheduler.taskFinished(shrinkFinishedReport(report, error))
    }
  }

  /**
   * `ctx.require`: registers what the running task asks for, frees its slot, and waits for it (or for
   * the task's own signal: a timed-out or cancelled task stops waiting and gives the slot back).
   */
  async #require(owner: TaskLike, requirements: Structure<TaskLike>, signal: AbortSignal): Promise<void> {
    const wanted = flatten(requirements, isTask)
    if (wanted.length === 0) return
    // Every task waiting here is still running: reaching one of them again would wait forever.
    const forbidden = new Set([owner.id, ...this.#waitingOwners])
    const { graph, records } = await discover(wanted, this.#cache, { forbidden })
    const fresh = records.filter((record) => !this.#tasks.has(record.id))
    checkResources(owner, fresh)
    // Their secrets are known before anything about them is sent.
    for (const record of fresh) this.#secrets.addTask(graph.node(record.id)!)
    await this.#register(fresh)
    this.#remember(fresh.map((record) => graph.node(record.id)!))
    const ids = new Set(wanted.map((task) => task.id))
    this.#limit.concurrency += 1
    this.#waitingOwners.add(owner.id)
    this.#wakeup.notify()
    let waiter: Waiter | undefined
    const onAbort = () => {
      if (waiter && this.#waiters.delete(waiter)) waiter.reject(signal.reason as Error)
    }
    try {
      await new Promise<void>((resolve, reject) => {
        waiter = { ids, resolve, reject }
        this.#waiters.add(waiter)
        signal.addEventListener('abort', onAbort, { once: true })
        if (signal.aborted) onAbort()
        void this.#checkWaiters()
      })
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.#waitingOwners.delete(owner.id)
      this.#limit.concurrency -= 1
    }
  }

  async #register(found: TaskRecord[]): Promise<void> {
    const records = found.map((record) => this.#masked(record))
    for (const record of records) {
      if (record.status === 'DONE') this.#completeAtStart.add(record.id)
      else if (record.status === 'FAILED') this.#failedAtStart.set(record.id, record.error ?? { message: 'failed' })
    }
    for (const batch of registerBatches(records)) await this.#addBatch(batch)
  }

  /** One `addTasks` call; a daemon whose lowered limit refuses the batch gets it in halves, down to one record. */
  async #addBatch(batch: TaskRecord[]): Promise<void> {
    try {
      await this.#scheduler.addTasks({ workerId: this.id, tasks: batch, ...(this.#origin ? { origin: this.#origin } : {}) })
    } catch (error) {
      if (batch.length < 2 || !isTooLarge(error)) throw error
      for (const half of halves(batch)) await this.#addBatch(half)
    }
  }

  /** Keeps the task objects a walk found, so the worker can run whichever the scheduler hands it, and their secrets. */
  #remember(tasks: Iterable<TaskLike>): void {
    for (const task of tasks) {
      if (this.#tasks.has(task.id)) continue
      this.#tasks.set(task.id, task)
      this.#secrets.addTask(task)
    }
  }

  /**
   * A record as the scheduler may see it: a secret's value is already `••••`, and here the run's
   * secrets are masked wherever else they show (another parameter's text, a failed check's error).
   */
  #masked(record: TaskRecord): TaskRecord {
    if (this.#secrets.size === 0) return record
    const params = Object.fromEntries(Object.entries(record.params).map(([name, text]) => [name, this.#secrets.text(text)]))
    return { ...record, params, ...(record.error ? { error: this.#secrets.error(record.error) } : {}) }
  }

  /** Asks the scheduler about what waiting tasks need; a failed call is logged and the next poll retries. */
  async #checkWaiters(): Promise<void> {
    const ids = [...new Set([...this.#waiters].flatMap((waiter) => [...waiter.ids]))]
    if (ids.length === 0) return
    const statuses: Record<string, TaskStatus> = {}
    try {
      for (let start = 0; start < ids.length; start += STATUS_BATCH) Object.assign(statuses, await this.#scheduler.taskStatuses({ taskIds: ids.slice(start, start + STATUS_BATCH) }))
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not ask the scheduler about required tasks; asking again shortly')
      return
    }
    for (const [id, status] of Object.entries(statuses)) {
      if (status === 'DONE') this.#settleWaiters(id, 'DONE')
      else if (BLOCKING_STATUSES.has(status)) this.#settleWaiters(id, 'FAILED')
    }
  }

  #settleWaiters(taskId: string, status: 'DONE' | 'FAILED'): void {
    for (const waiter of this.#waiters) {
      if (!waiter.ids.has(taskId)) continue
      if (status === 'FAILED') {
        this.#waiters.delete(waiter)
        const task = this.#tasks.get(taskId)
        waiter.reject(new EtlError('ETL_ERR_TASK_DEPENDENCY_FAILED', `a task required while running failed: ${task ?? taskId}`))
        continue
      }
      waiter.ids.delete(taskId)
      if (waiter.ids.size === 0) {
        this.#waiters.delete(waiter)
        waiter.resolve()
      }
    }
  }

  #reportProgress(task: TaskLike, message: string): void {
    const now = Date.now()
    if (now - (this.#lastProgress.get(task.id) ?? 0) < PROGRESS_INTERVAL_MS) return
    this.#lastProgress.set(task.id, now)
    this.#scheduler.taskProgress({ workerId: this.id, taskId: task.id, lease: this.#leaseOf(task.id), message: this.#secrets.text(message).slice(0, REPORTED_PROGRESS_CHARS) }).catch(() => {})
  }

  #leaseOf(taskId: string): string {
    return this.#leases.get(taskId) ?? ''
  }

  #emit(event: WorkerEvent): void {
    this.#onEvent(event)
  }
}

/**
 * A running task keeps its resources while it waits on `ctx.require`, so asking for a task that needs
 * one of them could wait forever: refused up front, with the fix.
 */
function checkResources(owner: TaskLike, records: readonly TaskRecord[]): void {
  const held = Object.keys(owner.resources)
  if (held.length === 0) return
  const clash = records.find((record) => record.status === 'PENDING' && Object.keys(record.resources).some((name) => held.includes(name)))
  if (!clash) return
  const shared = Object.keys(clash.resources).filter((name) => held.includes(name))
  throw new EtlError(
    'ETL_ERR_TASK_BAD_REQUIREMENT',
    `${owner} holds resource ${shared.map((name) => `'${name}'`).join(', ')} and asked, while running, for ${clash.id}, which needs it too: ` +
      'it could wait forever for a unit the asking task holds; require it from requires() instead, or drop the resource from one of them',
  )
}

/** The listener, also feeding the run's event hub (when there is one) with what each worker event stands for. */
function withRunEvents(
  listener: WorkerEventListener,
  hub: EventHub | undefined,
  run: () => string,
  mask: (text: string) => string,
  link: ((taskId: string) => string) | undefined,
): WorkerEventListener {
  if (!hub) return listener
  return (event) => {
    listener(event)
    if (hub.size === 0) return
    const runEvent = runEventOf(event, run(), mask, link)
    if (runEvent) hub.emit(runEvent)
  }
}

/** The daemon refused a call as larger than one of its limits (HTTP 413). */
function isTooLarge(error: unknown): boolean {
  return error instanceof RpcError && error.status === 413
}

function unknownTask(taskId: string): TaskOutcome {
  const now = Date.now()
  return {
    status: 'FAILED',
    startedAt: now,
    endedAt: now,
    attempts: 1,
    result: null,
    error: { message: `this worker was handed ${taskId}, which it never registered; only the worker that registered a task can run it` },
  }
}
