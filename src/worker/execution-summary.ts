import { firstLine } from '../errors.js'
import type { TaskResult } from '../core/output-marker.js'
import type { TaskLike } from '../core/task-like.js'
import type { Scheduler } from '../scheduler/scheduler.js'
import type { TaskStatus } from '../scheduler/task-status.js'
import type { TaskOutcome, WorkerEvent } from './worker-events.js'
import type { Worker } from './worker.js'

/** How a run ended, from best to worst; the CLI maps each to an exit code. */
export type RunOutcome = 'ok' | 'task-failed' | 'missing-data' | 'interrupted'

/** One task's line in the summary. */
export interface SummaryLine {
  id: string
  /** `Family(param=value, …)`; computed when read, since a 100,000-task summary prints a few dozen. */
  readonly label: string
  family: string
  status: TaskStatus
  durationMs?: number
  attempts?: number
  result?: TaskResult | null
  /** First line of the error, for failed tasks. */
  error?: string
  missingData?: boolean
}

/** What a run did, for the end-of-run report and the exit code. */
export interface ExecutionSummary {
  outcome: RunOutcome
  /** True when every requested task is complete. */
  complete: boolean
  roots: SummaryLine[]
  startedAt: number
  endedAt: number
  /** Tasks this worker ran to completion. */
  ran: SummaryLine[]
  /** Tasks found complete before anything ran. */
  alreadyComplete: SummaryLine[]
  /** Tasks that failed (their run, or checking whether they were complete). */
  failed: SummaryLine[]
  /** Tasks that could not run because something they require failed. */
  upstreamFailed: SummaryLine[]
  /** Tasks another worker completed (central scheduler). */
  doneElsewhere: SummaryLine[]
  /** Tasks still pending, running elsewhere, or disabled (by an earlier run's failures) when this worker stopped. */
  notRun: SummaryLine[]
}

/** A summary line whose label is computed only when read (a 100,000-task summary prints a few dozen). */
class Line implements SummaryLine {
  readonly id: string
  readonly family: string
  readonly status: TaskStatus
  readonly #task: TaskLike | undefined
  durationMs?: number
  attempts?: number
  result?: TaskResult | null
  error?: string
  missingData?: boolean

  constructor(id: string, task: TaskLike | undefined, status: TaskStatus) {
    this.id = id
    this.family = task?.family ?? id
    this.status = status
    this.#task = task
  }

  get label(): string {
    return this.#task ? String(this.#task) : this.id
  }

  toJSON(): SummaryLine {
    return { ...this, label: this.label }
  }
}

/** Builds the summary from the worker's events and the scheduler's final word on each task. */
export class SummaryCollector {
  readonly #startedAt = Date.now()
  readonly #outcomes = new Map<string, TaskOutcome>()

  readonly listener = (event: WorkerEvent): void => {
    if (event.type === 'task-finished') this.#outcomes.set(event.task.id, event.outcome)
  }

  /** `interrupted`: the run was cancelled (Ctrl-C, SIGTERM), so what did not finish failed by that, not by the tasks. */
  async summarize(roots: readonly TaskLike[], worker: Worker, scheduler: Scheduler, interrupted = false): Promise<ExecutionSummary> {
    const ids = [...worker.tasks.keys()]
    const statuses = await scheduler.taskStatuses({ taskIds: ids })
    const summary: ExecutionSummary = {
      outcome: 'ok',
      complete: false,
      roots: [],
      startedAt: this.#startedAt,
      endedAt: Date.now(),
      ran: [],
      alreadyComplete: [],
      failed: [],
      upstreamFailed: [],
      doneElsewhere: [],
      notRun: [],
    }
    for (const id of ids) {
      const line = this.#line(id, statuses[id] ?? 'PENDING', worker)
      if (line.status === 'DONE') {
        if (this.#outcomes.has(id)) summary.ran.push(line)
        else if (worker.completeAtStart.has(id)) summary.alreadyComplete.push(line)
        else summary.doneElsewhere.push(line)
      } else if (line.status === 'FAILED' || (line.status === 'DISABLED' && this.#outcomes.get(id)?.status === 'FAILED')) {
        // A task whose failure here got it disabled failed in this run: it is listed with the failures.
        summary.failed.push(line)
      }
      else if (line.status === 'UPSTREAM_FAILED') summary.upstreamFailed.push(line)
      else summary.notRun.push(line)
    }
    summary.ran.sort((a, b) => (this.#outcomes.get(a.id)?.startedAt ?? 0) - (this.#outcomes.get(b.id)?.startedAt ?? 0))
    summary.roots = roots.map((root) => this.#line(root.id, statuses[root.id] ?? 'PENDING', worker))
    summary.complete = summary.roots.every((root) => root.status === 'DONE')
    summary.outcome = summary.complete ? 'ok' : interrupted ? 'interrupted' : summary.failed.some((line) => line.missingData) ? 'missing-data' : 'task-failed'
    return summary
  }

  #line(id: string, status: TaskStatus, worker: Worker): SummaryLine {
    const task = worker.tasks.get(id)
    const line = new Line(id, task, status)
    const outcome = this.#outcomes.get(id)
    if (outcome) {
      line.durationMs = outcome.endedAt - outcome.startedAt
      line.attempts = outcome.attempts
      line.result = outcome.result
    }
    const error = outcome?.error ?? (status === 'FAILED' ? worker.failedAtStart.get(id) : undefined)
    if (error) {
      line.error = firstLine(error.message)
      if (error.missingData) line.missingData = true
    }
    return line
  }
}
