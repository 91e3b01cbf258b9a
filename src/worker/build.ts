import type { TaskLike } from '../core/task-like.js'
import { DataServices } from '../db/data-services.js'
import { LocalScheduler } from '../scheduler/local-scheduler.js'
import type { Scheduler } from '../scheduler/scheduler.js'
import { SummaryCollector, type ExecutionSummary } from './execution-summary.js'
import { Worker, type WorkerOptions } from './worker.js'
import type { WorkerEvent } from './worker-events.js'

export interface BuildOptions extends Omit<WorkerOptions, 'scheduler'> {
  /** @defaultValue a new in-process `LocalScheduler` */
  scheduler?: Scheduler
  /** Resource capacities for the in-process scheduler: `{ mysql: 2 }`. */
  resources?: Readonly<Record<string, number>>
}

/**
 * Runs `roots` and everything they need that is not complete yet, and reports what happened. Resolves
 * with a summary whether tasks failed or not; rejects only when the run cannot be scheduled at all
 * (a cycle, a malformed `requires()`), before any task has run.
 *
 * ```ts
 * const summary = await build(new RunJob(), { workers: 4 })
 * process.exitCode = summary.complete ? 0 : 1
 * ```
 */
export async function build(roots: TaskLike | readonly TaskLike[], options: BuildOptions = {}): Promise<ExecutionSummary> {
  const rootList = Array.isArray(roots) ? (roots as readonly TaskLike[]) : [roots as TaskLike]
  const scheduler = options.scheduler ?? new LocalScheduler(options.resources ? { resources: options.resources } : {})
  const collector = new SummaryCollector()
  const onEvent = (event: WorkerEvent) => {
    collector.listener(event)
    options.onEvent?.(event)
  }
  // Connections opened for this run are closed with it, unless the caller brought its own.
  const data = options.data ?? new DataServices()
  const worker = new Worker({ ...options, scheduler, onEvent, data })
  try {
    await worker.add(rootList)
    await worker.run()
    return await collector.summarize(rootList, worker, scheduler, options.signal?.aborted ?? false)
  } finally {
    if (!options.data) await data.close()
  }
}
