import type { WorkerEvent } from '../worker/worker-events.js'
import { formatDuration } from '../util/format.js'

/**
 * Counts what a run has done from the worker's events and renders the live progress line:
 * `[12/40 done] 2 running, 1 failed, 0:12 | LoadStore: orders (3/6)`.
 */
export class ProgressTracker {
  readonly #startedAt = Date.now()
  readonly #running = new Map<string, string>()
  #total = 0
  #done = 0
  #failed = 0

  /** Feeds one event; returns true when the line changed. */
  update(event: WorkerEvent): void {
    switch (event.type) {
      case 'discovered':
        this.#total += event.pending
        break
      case 'task-started':
        this.#running.set(event.task.id, event.task.family)
        break
      case 'task-progress':
        this.#running.set(event.task.id, `${event.task.family}: ${event.message}${event.counts ? ` (${event.counts.done}/${event.counts.total})` : ''}`)
        break
      case 'task-finished':
        this.#running.delete(event.task.id)
        if (event.outcome.status === 'DONE') this.#done += 1
        else this.#failed += 1
        // Tasks added while running (ctx.require) were not in the first count.
        this.#total = Math.max(this.#total, this.#done + this.#failed + this.#running.size)
        break
      case 'task-retry':
        break
    }
  }

  line(): string {
    const elapsed = formatDuration(Date.now() - this.#startedAt)
    const failed = this.#failed ? `, ${this.#failed} failed` : ''
    const current = [...this.#running.values()].at(-1)
    return `[${this.#done}/${this.#total} done] ${this.#running.size} running${failed}, ${elapsed}${current ? ` | ${current}` : ''}`
  }
}
