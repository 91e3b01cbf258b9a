import pLimit, { type LimitFunction } from 'p-limit'
import { requiredTasks } from '../core/task.js'
import type { TaskLike } from '../core/task-like.js'

/** What checking a task found: complete or not, or the error its `complete()` threw. */
export type CompletionCheck = { complete: boolean; error?: undefined } | { complete: false; error: unknown }

/** How many `complete()` checks run at once: enough to hide I/O latency, few enough to spare the source. */
export const DEFAULT_COMPLETION_CONCURRENCY = 16

/**
 * Checks each task's completeness once per run, many at a time. A wrapper's answer is its requirements'
 * answers, taken from the same cache, so a wrapper over 10,000 tasks costs 10,000 checks, not 20,000.
 */
export class CompletionCache {
  readonly #checks = new Map<string, Promise<CompletionCheck>>()
  readonly #limit: LimitFunction

  constructor(concurrency = DEFAULT_COMPLETION_CONCURRENCY) {
    this.#limit = pLimit(concurrency)
  }

  check(task: TaskLike): Promise<CompletionCheck> {
    let check = this.#checks.get(task.id)
    if (!check) {
      check = this.#compute(task)
      this.#checks.set(task.id, check)
    }
    return check
  }

  /** Records what is now known without asking (a task that just ran). */
  set(taskId: string, complete: boolean): void {
    this.#checks.set(taskId, Promise.resolve({ complete }))
  }

  async #compute(task: TaskLike): Promise<CompletionCheck> {
    try {
      // A wrapper waits on its children's checks without holding a slot, so nesting cannot deadlock.
      if (task.kind === 'wrapper') {
        const children = await Promise.all(requiredTasks(task).map((child) => this.check(child)))
        const failed = children.find((child) => child.error !== undefined)
        return failed ?? { complete: children.every((child) => child.complete) }
      }
      return { complete: await this.#limit(() => task.complete()) }
    } catch (error) {
      return { complete: false, error }
    }
  }
}
