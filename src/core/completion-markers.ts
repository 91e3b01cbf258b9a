import fs from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from './atomic-file.js'
import { getLayout } from './layout.js'
import type { TaskResult } from './output-marker.js'

/** One finished item of a looping task. */
export interface CompletionRecord {
  item: string
  completedAt: string
  result: TaskResult | null
}

/** What `each` did: items it ran now and items an earlier attempt had finished. */
export interface LoopOutcome<R> {
  ran: { item: string; result: R }[]
  skipped: string[]
}

/**
 * Per-item completion markers for a task that loops over many items (tables, files, days): each finished
 * item gets `completed/<Family>/<taskId>/<item>.json`, so a rerun after a failure skips the items an
 * earlier attempt finished. The worker clears them once the whole task succeeds, so deleting the task's
 * output marker reruns every item; deleting one item's file reruns just that item.
 *
 * ```ts
 * async run(ctx) {
 *   await ctx.completed.each(tables, async (table) => upsert(table))
 * }
 * ```
 */
export class CompletionMarkers {
  readonly dir: string
  readonly #mask: <T>(value: T) => T

  /**
   * `options.mask` masks what goes into a marker, item names and file names included (the worker's
   * gives each running task one that hides the run's secrets); the same item always gives the same
   * file, so resuming works as without it.
   */
  constructor(family: string, taskId: string, options: { mask?: <T>(value: T) => T } = {}) {
    this.dir = path.join(getLayout().completedDir, family, taskId)
    this.#mask = options.mask ?? ((value) => value)
  }

  async has(item: string): Promise<boolean> {
    try {
      await fs.access(this.#file(item))
      return true
    } catch {
      return false
    }
  }

  /** Records that `item` is done; written atomically, so a crash never marks a half-done item. */
  mark(item: string, result: TaskResult | null = null): Promise<void> {
    const record: CompletionRecord = { item: this.#mask(item), completedAt: new Date().toISOString(), result: this.#mask(result) }
    return writeFileAtomic(this.#file(item), `${JSON.stringify(record)}\n`)
  }

  /** Every item marked so far. */
  async list(): Promise<CompletionRecord[]> {
    let names: string[]
    try {
      names = await fs.readdir(this.dir)
    } catch {
      return []
    }
    const files = names.filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    return Promise.all(files.map(async (name) => JSON.parse(await fs.readFile(path.join(this.dir, name), 'utf8'))))
  }

  async clear(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true })
  }

  /**
   * Runs `fn` for each item in order, skipping items already marked and marking each one as soon as
   * `fn` resolves. An error stops the loop; the items finished before it stay marked.
   */
  async each<R extends TaskResult | void>(
    items: readonly string[],
    fn: (item: string, index: number) => Promise<R>,
  ): Promise<LoopOutcome<R>> {
    const outcome: LoopOutcome<R> = { ran: [], skipped: [] }
    for (const [index, item] of items.entries()) {
      if (await this.has(item)) {
        outcome.skipped.push(item)
        continue
      }
      const result = await fn(item, index)
      await this.mark(item, result ?? null)
      outcome.ran.push({ item, result })
    }
    return outcome
  }

  #file(item: string): string {
    if (item === '') throw new Error('a completion marker needs a non-empty item name')
    // Item names become file names: keep them readable but never let one escape the folder.
    return path.join(this.dir, `${encodeURIComponent(this.#mask(item)).replace(/^\./, '%2E')}.json`)
  }
}
