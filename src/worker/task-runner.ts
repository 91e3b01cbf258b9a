import os from 'node:os'
import type { Logger } from 'pino'
import { EtlError, UnrecoverableTaskError } from '../errors.js'
import { isOutputMarker, type TaskResult } from '../core/output-marker.js'
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../core/retry-policy.js'
import type { Structure } from '../core/structure.js'
import { outputTargets } from '../core/task.js'
import type { CompletionContext, TaskContext } from '../core/task-context.js'
import type { TaskLike } from '../core/task-like.js'
import { CompletionMarkers } from '../core/completion-markers.js'
import type { Target } from '../core/target.js'
import type { DataServices } from '../db/data-services.js'
import { sleep } from '../util/sleep.js'
import type { SecretMasker } from './secret-masker.js'
import { toTaskError } from './task-error.js'
import type { TaskOutcome, WorkerEventListener } from './worker-events.js'

/** What the runner needs from the worker around it. */
export interface TaskRunnerOptions {
  /** The run's connections and lake, handed to tasks as `ctx.db()` and `ctx.lake`. */
  data: DataServices
  logger: Logger
  retry: Partial<RetryPolicy>
  onEvent: WorkerEventListener
  /** Aborted when the whole run is cancelled (Ctrl-C). */
  signal: AbortSignal
  require: (owner: TaskLike, requirements: Structure<TaskLike>, signal: AbortSignal) => Promise<void>
  progress: (task: TaskLike, message: string) => void
  /** Wraps each task's logger (to ship its lines to the scheduler daemon). */
  tapLog?: (task: TaskLike, log: Logger) => Logger
  /** The run's secret values, masked in the results, errors, progress and markers the runner makes. */
  secrets: SecretMasker
}

/**
 * Runs one task to an outcome and never throws: retries within the attempt as its policy says, aborts
 * it through `ctx.signal` at its timeout, writes its output marker only after `run` succeeded and its
 * outputs check out, and on failure removes any output this attempt created, so a failed task never
 * looks complete.
 */
export class TaskRunner {
  readonly #options: TaskRunnerOptions
  /** What `complete()` gets after a run, as during graph building: the run's data services. */
  readonly #completion: CompletionContext

  constructor(options: TaskRunnerOptions) {
    this.#options = options
    const data = options.data
    this.#completion = { data, db: (name) => data.database(name) }
  }

  /**
   * `recheck`: the task's last attempt was lost with its worker, which may have completed it without
   * saying so; if the task is complete now it is reported done rather than run a second time.
   */
  async run(task: TaskLike, options: { recheck?: boolean } = {}): Promise<TaskOutcome> {
    if (options.recheck) {
      const found = await this.#foundComplete(task)
      if (found) return found
    }
    const startedAt = Date.now()
    this.#options.onEvent({ type: 'task-started', task, at: startedAt })
    // A child logger per task costs more than a no-op task's whole run, so it is made only when used.
    let scoped: Logger | undefined
    const log = () => {
      if (!scoped) {
        const child = this.#options.logger.child({ taskId: task.id, family: task.family })
        scoped = this.#options.tapLog ? this.#options.tapLog(task, child) : child
      }
      return scoped
    }
    const info = this.#options.logger.isLevelEnabled('info')
    if (info) log().info(`running ${task}`)
    let outputs: Target[] = []
    const tries = { count: 0 }
    const used = { completed: false }
    try {
      outputs = outputTargets(task)
      const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...this.#options.retry, ...task.retry }
      const ran = task.kind === 'external' ? await this.#awaitExternal(task, tries) : await this.#runWithRetries(task, policy, log, tries, used)
      const result = this.#options.secrets.value(ran)
      await this.#commit(task, outputs, { startedAt, attempts: tries.count, result, clearItems: used.completed })
      const outcome: TaskOutcome = { status: 'DONE', startedAt, endedAt: Date.now(), attempts: tries.count, result }
      if (info) log().info({ durationMs: outcome.endedAt - startedAt }, `done ${task}`)
      await this.#hook(task, 'onSuccess', result, tries.count, log)
      return outcome
    } catch (error) {
      if (task.kind !== 'external') await this.#rollback(outputs, log)
      const outcome: TaskOutcome = {
        status: 'FAILED',
        startedAt,
        endedAt: Date.now(),
        attempts: Math.max(tries.count, 1),
        result: null,
        error: this.#options.secrets.error(toTaskError(error)),
      }
      log().error({ err: error }, `failed ${task}`)
      await this.#hook(task, 'onFailure', error instanceof Error ? error : new Error(String(error)), outcome.attempts, log)
      return outcome
    }
  }

  async #runWithRetries(
    task: TaskLike,
    policy: RetryPolicy,
    log: () => Logger,
    tries: { count: number },
    used: { completed: boolean },
  ): Promise<TaskResult | null> {
    for (let attempt = 1; ; attempt++) {
      tries.count = attempt
      try {
        return (await this.#attempt(task, attempt, log, used)) ?? null
      } catch (error) {
        const final = attempt > policy.count || error instanceof UnrecoverableTaskError || this.#options.signal.aborted
        if (final) throw error
        const delayMs = retryDelayMs(policy, attempt)
        this.#options.onEvent({ type: 'task-retry', task, attempt, delayMs, error: this.#options.secrets.error(toTaskError(error)) })
        log().warn({ err: error, attempt, delayMs }, `retrying ${task} in ${delayMs}ms (attempt ${attempt} of ${policy.count + 1} failed)`)
        await sleep(delayMs, this.#options.signal)
      }
    }
  }

  async #attempt(task: TaskLike, attempt: number, log: () => Logger, used: { completed: boolean }): Promise<TaskResult | void> {
    let timer: NodeJS.Timeout | undefined
    let signal = this.#options.signal
    if (task.timeoutMs !== undefined) {
      const timeout = new AbortController()
      const error = new EtlError('ETL_ERR_TASK_TIMEOUT', `${task} timed out after ${task.timeoutMs}ms (its timeoutMs)`)
      timer = setTimeout(() => timeout.abort(error), task.timeoutMs)
      signal = AbortSignal.any([signal, timeout.signal])
    }
    const ctx = this.#context(task, attempt, signal, log, used)
    try {
      return await untilAborted(Promise.resolve().then(() => task.run(ctx)), signal)
    } finally {
      clearTimeout(timer)
    }
  }

  /** What `run` (and a hook) gets: the run's data services, this task's log, markers and progress. */
  #context(task: TaskLike, attempt: number, signal: AbortSignal, log: () => Logger, used: { completed: boolean }): TaskContext {
    let completed: CompletionMarkers | undefined
    const data = this.#options.data
    const secrets = this.#options.secrets
    return {
      signal,
      get log() {
        return log()
      },
      attempt,
      data,
      db: (name) => data.database(name),
      get lake() {
        return data.lake()
      },
      get completed() {
        used.completed = true
        completed ??= new CompletionMarkers(task.family, task.id, { mask: (value) => secrets.value(value) })
        return completed
      },
      progress: (text, counts) => {
        const message = secrets.text(text)
        this.#options.onEvent({ type: 'task-progress', task, message, ...(counts ? { counts } : {}) })
        this.#options.progress(task, counts ? `${message} (${counts.done}/${counts.total})` : message)
      },
      require: async (requirements) => {
        await this.#options.require(task, requirements, signal)
        return requirements
      },
    }
  }

  /**
   * Runs a task's `onSuccess` or `onFailure`. A hook reports on an outcome and never changes it: what
   * it throws is a warning, and the outcome the task earned is the one reported.
   */
  async #hook(task: TaskLike, hook: 'onSuccess' | 'onFailure', argument: unknown, attempt: number, log: () => Logger): Promise<void> {
    const method = task[hook] as ((ctx: TaskContext, argument: unknown) => void | Promise<void>) | undefined
    if (typeof method !== 'function') return
    try {
      await method.call(task, this.#context(task, attempt, this.#options.signal, log, { completed: false }), argument)
    } catch (error) {
      log().warn({ err: error }, `${hook} of ${task} threw (${this.#options.secrets.text((error as Error)?.message ?? String(error))}); the task's outcome stands`)
    }
  }

  /** External data: look, then keep looking every `pollIntervalMs` until `pollTimeoutMs` has passed. */
  async #awaitExternal(task: TaskLike, tries: { count: number }): Promise<null> {
    const deadline = Date.now() + (task.pollTimeoutMs ?? 0)
    for (let looks = 1; ; looks++) {
      tries.count = looks
      if (await task.complete(this.#completion)) return null
      if (Date.now() >= deadline) {
        const missing = task.describeMissing ? [await task.describeMissing()] : await missingTargets(outputTargets(task))
        const waited = task.pollTimeoutMs ? ` after waiting ${task.pollTimeoutMs}ms (${looks} looks)` : ''
        throw new EtlError(
          'ETL_ERR_TASK_MISSING_EXTERNAL_DATA',
          `external data for ${task} is missing${waited}: ${missing.join(', ') || 'complete() returned false'}; it must be produced outside etl`,
        )
      }
      await sleep(Math.min(task.pollIntervalMs ?? 10_000, Math.max(0, deadline - Date.now())), this.#options.signal)
    }
  }

  /** The outcome of a task found complete before it ran (a lost attempt finished it), or undefined. */
  async #foundComplete(task: TaskLike): Promise<TaskOutcome | undefined> {
    const at = Date.now()
    const complete = await task.complete(this.#completion).catch(() => false)
    if (!complete) return undefined
    this.#options.logger.info({ taskId: task.id }, `${task} is complete already: an attempt lost with its worker finished it, so it is not run again`)
    return { status: 'DONE', startedAt: at, endedAt: Date.now(), attempts: 0, result: null }
  }

  /** Writes the task's own marker, then insists the task is now complete; clears item markers after. */
  async #commit(
    task: TaskLike,
    outputs: Target[],
    run: { startedAt: number; attempts: number; result: TaskResult | null; clearItems: boolean },
  ): Promise<void> {
    const endedAt = Date.now()
    for (const target of outputs) {
      if (!isOutputMarker(target) || target.taskId !== task.id) continue
      await target.writeRecord({
        taskId: task.id,
        family: task.family,
        params: Object.fromEntries(task.parameterEntries.map(({ name, text }) => [name, this.#options.secrets.text(text)])),
        startedAt: new Date(run.startedAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        durationMs: endedAt - run.startedAt,
        attempts: run.attempts,
        result: run.result,
        host: os.hostname(),
        pid: process.pid,
      })
    }
    // A wrapper only runs once everything it requires is DONE: asking again would re-walk its children.
    if (task.kind !== 'wrapper' && !(await task.complete(this.#completion))) {
      const missing = await missingTargets(outputs)
      throw new EtlError(
        'ETL_ERR_TASK_OUTPUT_MISSING_AFTER_RUN',
        `${task} finished but is not complete: ${missing.length ? `missing ${missing.join(', ')}` : 'complete() is still false'}; its run() must write every output`,
      )
    }
    // Item markers only matter for resuming a failed attempt; once the task is complete they would make
    // a rerun (after its marker is deleted) skip every item.
    if (run.clearItems) await new CompletionMarkers(task.family, task.id).clear()
  }

  /**
   * Removes the outputs of a failed task, so it cannot look complete: whatever of them exists is partial
   * or stale, and the rerun writes them again.
   */
  async #rollback(outputs: Target[], log: () => Logger): Promise<void> {
    await Promise.all(
      outputs.map(async (target) => {
        if (!target.remove) return
        try {
          if (await target.exists()) await target.remove()
        } catch (error) {
          log().warn({ err: error }, `could not remove ${target} after the failure; remove it by hand before rerunning`)
        }
      }),
    )
  }
}

async function missingTargets(targets: Target[]): Promise<string[]> {
  const exists = await Promise.all(targets.map((target) => target.exists()))
  return targets.filter((_, index) => !exists[index]).map(String)
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts (a run that ignores its signal). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
