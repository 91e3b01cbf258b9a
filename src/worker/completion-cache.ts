import pLimit, { type LimitFunction } from 'p-limit'
import { checkInBulk } from '../core/bulk-complete.js'
import { requiredTasks } from '../core/task.js'
import type { CompletionContext } from '../core/task-context.js'
import type { TaskLike } from '../core/task-like.js'

/** What checking a task found: complete or not, or the error its `complete()` threw. */
export type CompletionCheck = { readonly complete: boolean; readonly error?: undefined } | { readonly complete: false; readonly error: unknown }

/** How many `complete()` checks run at once: enough to hide I/O latency, few enough to spare the source. */
export const DEFAULT_COMPLETION_CONCURRENCY = 16

/** Checks started at once when walking a wide level or a wrapper's children: bounds memory on huge graphs. */
export const CHECK_CHUNK = 2000

// Shared answers: a 100,000-task graph holds one of these per task, not 100,000 objects.
const COMPLETE: CompletionCheck = Object.freeze({ complete: true })
const INCOMPLETE: CompletionCheck = Object.freeze({ complete: false })

/**
 * Checks each task's completeness once per run, many at a time, and remembers each task's requirements
 * while the graph is being walked, so `requires()` is evaluated once per task. A wrapper's answer is its
 * requirements' answers from the same cache, so a wrapper over 10,000 tasks costs 10,000 checks; and
 * tasks checked together are checked in bulk (`checkInBulk`), so 10,000 daily markers cost one listing
 * of their folder rather than 10,000 stats.
 */
export class CompletionCache {
  readonly #checks = new Map<string, CompletionCheck | Promise<CompletionCheck>>()
  readonly #requirements = new Map<string, TaskLike[]>()
  readonly #limit: LimitFunction
  readonly #context: CompletionContext | undefined

  /** `context` is handed to every `complete()` (the run's data services), when there is one. */
  constructor(concurrency = DEFAULT_COMPLETION_CONCURRENCY, context?: CompletionContext) {
    this.#limit = pLimit(concurrency)
    this.#context = context
  }

  async check(task: TaskLike): Promise<CompletionCheck> {
    const known = this.#checks.get(task.id)
    if (known) return known
    const pending = this.#compute(task).then((check) => {
      this.#checks.set(task.id, check)
      return check
    })
    this.#checks.set(task.id, pending)
    return pending
  }

  /**
   * The answers for many tasks, in order: those not asked about yet are checked together in bulk
   * (wrappers and tasks that prepare their requirements each on their own, as `check` does).
   */
  async checkAll(tasks: readonly TaskLike[]): Promise<CompletionCheck[]> {
    const fresh = new Map<string, TaskLike>()
    for (const task of tasks) if (!this.#checks.has(task.id) && task.kind !== 'wrapper' && !task.prepare) fresh.set(task.id, task)
    if (fresh.size > 1) {
      const group = [...fresh.values()]
      const answers = checkInBulk(group, this.#context, this.#limit)
      group.forEach((task, index) => {
        const pending = answers.then((checks) => shared(checks[index]!))
        this.#checks.set(task.id, pending)
        void pending.then((check) => this.#checks.set(task.id, check))
      })
    }
    return Promise.all(tasks.map((task) => this.check(task)))
  }

  /** The tasks `task` requires, evaluated once while the graph is walked. */
  requirements(task: TaskLike): TaskLike[] {
    let tasks = this.#requirements.get(task.id)
    if (!tasks) {
      tasks = requiredTasks(task)
      this.#requirements.set(task.id, tasks)
    }
    return tasks
  }

  /** Drops the remembered requirements once a walk is over; they are only needed during it. */
  forgetRequirements(): void {
    this.#requirements.clear()
  }

  /** Records what is now known without asking (a task that just ran). */
  set(taskId: string, complete: boolean): void {
    this.#checks.set(taskId, complete ? COMPLETE : INCOMPLETE)
  }

  /**
   * A wrapper's answer: its children's, checked a chunk at a time (a wrapper over 100,000 tasks must not
   * hold 100,000 pending checks), stopping at the first incomplete or failed chunk.
   */
  async #checkAll(children: readonly TaskLike[]): Promise<CompletionCheck> {
    for (let start = 0; start < children.length; start += CHECK_CHUNK) {
      const checks = await this.checkAll(children.slice(start, start + CHECK_CHUNK))
      const failed = checks.find((check) => check.error !== undefined)
      if (failed) return failed
      if (!checks.every((check) => check.complete)) return INCOMPLETE
    }
    return COMPLETE
  }

  async #compute(task: TaskLike): Promise<CompletionCheck> {
    try {
      // Before its requirements are asked for: what a range requires depends on what it finds here.
      if (task.prepare) await task.prepare(this.#context)
      // A wrapper waits on its children's checks without holding a slot, so nesting cannot deadlock.
      if (task.kind === 'wrapper') return await this.#checkAll(this.requirements(task))
      return (await this.#limit(() => task.complete(this.#context))) ? COMPLETE : INCOMPLETE
    } catch (error) {
      return { complete: false, error }
    }
  }
}

/** A plain answer as one of the shared objects. */
function shared(check: CompletionCheck): CompletionCheck {
  if (check.error !== undefined) return check
  return check.complete ? COMPLETE : INCOMPLETE
}
