import type { CentralScheduler } from '../scheduler/central-scheduler.js'
import type { SchedulerEvent } from '../scheduler/scheduler-op.js'
import type { ScheduleRunRecord } from './history/run-history.js'
import type { MetricFamily } from './prometheus-text.js'
import { countTasks } from './task-query.js'

/** Upper bounds of the task duration histogram, in seconds: from no-op tasks to nightly loads. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600]

interface Histogram {
  buckets: number[]
  sum: number
  count: number
}

/**
 * What `/metrics` reports: tasks by status and workers (read from the scheduler when scraped), task
 * durations and attempts by outcome (counted as attempts end), and scheduled runs by outcome.
 */
export class DaemonMetrics {
  readonly #durations = new Map<string, Histogram>()
  readonly #attempts = new Map<string, number>()
  readonly #scheduleRuns = new Map<string, number>()

  /** The scheduler's listener; replayed events were counted before the restart and are skipped. */
  readonly listener = (event: SchedulerEvent): void => {
    if (event.replay || event.type !== 'attempt' || event.attempt.status === 'RUNNING') return
    const { family, status, startedAt, endedAt } = event.attempt
    const key = `${family}\u0000${status}`
    this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1)
    if (endedAt === undefined || status === 'LOST') return
    let histogram = this.#durations.get(key)
    if (!histogram) {
      histogram = { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 }
      this.#durations.set(key, histogram)
    }
    const seconds = Math.max(0, endedAt - startedAt) / 1000
    DURATION_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) histogram.buckets[index]! += 1
    })
    histogram.sum += seconds
    histogram.count += 1
  }

  recordScheduleRun(record: ScheduleRunRecord): void {
    if (record.status === 'running') return
    const key = `${record.schedule}\u0000${record.status}`
    this.#scheduleRuns.set(key, (this.#scheduleRuns.get(key) ?? 0) + 1)
  }

  collect(scheduler: CentralScheduler, extra: { historyPending?: number } = {}): MetricFamily[] {
    const counts = countTasks(scheduler.allTasks())
    const workers = { active: 0, stopped: 0, lost: 0 }
    for (const worker of scheduler.workers()) workers[worker.state] += 1
    const families: MetricFamily[] = [
      {
        name: 'etl_tasks',
        help: 'Tasks the scheduler knows, by status.',
        type: 'gauge',
        samples: Object.entries(counts.byStatus).map(([status, value]) => ({ labels: { status }, value })),
      },
      {
        name: 'etl_workers',
        help: 'Workers the scheduler knows, by state (active: calling in; lost: silent past the timeout).',
        type: 'gauge',
        samples: Object.entries(workers).map(([state, value]) => ({ labels: { state }, value })),
      },
      {
        name: 'etl_task_attempts_total',
        help: 'Task attempts that ended, by family and outcome (LOST: its worker went away).',
        type: 'counter',
        samples: [...this.#attempts].map(([key, value]) => ({ labels: splitKey(key, 'family', 'status'), value })),
      },
      {
        name: 'etl_task_duration_seconds',
        help: 'How long finished task attempts ran, by family and outcome.',
        type: 'histogram',
        samples: [...this.#durations].flatMap(([key, histogram]) => {
          const labels = splitKey(key, 'family', 'status')
          return [
            ...DURATION_BUCKETS.map((bound, index) => ({ suffix: '_bucket', labels: { ...labels, le: String(bound) }, value: histogram.buckets[index]! })),
            { suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: histogram.count },
            { suffix: '_sum', labels, value: histogram.sum },
            { suffix: '_count', labels, value: histogram.count },
          ]
        }),
      },
      {
        name: 'etl_resource_units_in_use',
        help: 'Units of each named resource held by running tasks.',
        type: 'gauge',
        samples: Object.entries(scheduler.resourceUsage()).map(([resource, usage]) => ({ labels: { resource }, value: usage.used })),
      },
      {
        name: 'etl_scheduled_runs_total',
        help: 'Scheduled runs that ended, were skipped or were missed, by schedule and outcome.',
        type: 'counter',
        samples: [...this.#scheduleRuns].map(([key, value]) => ({ labels: splitKey(key, 'schedule', 'status'), value })),
      },
    ]
    if (extra.historyPending !== undefined) {
      families.push({ name: 'etl_history_pending_rows', help: 'Run history rows waiting to be written.', type: 'gauge', samples: [{ value: extra.historyPending }] })
    }
    return families
  }
}

function splitKey(key: string, first: string, second: string): Record<string, string> {
  const [a = '', b = ''] = key.split('\u0000')
  return { [first]: a, [second]: b }
}
