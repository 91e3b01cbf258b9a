import type { CentralScheduler } from '../scheduler/central-scheduler.js'
import type { TaskLaunch } from '../scheduler/task-launch.js'
import type { ScheduleRunRecord } from './history/run-history.js'

/** A launch as the task's page shows it: `starting` until the daemon has heard from its worker. */
export interface TaskLaunchView extends Omit<TaskLaunch, 'status'> {
  status: 'starting' | 'running' | 'succeeded' | 'failed'
  /** True once a worker of the launch's run has called the daemon. */
  registered: boolean
}

/**
 * Files a record of a task's rerun on the task: the schedule runner reports every rerun's start and
 * end here (an end found after a restart too), so the task's page follows the process it started.
 */
export function noteTaskRun(scheduler: CentralScheduler, record: ScheduleRunRecord): void {
  if (record.taskId === undefined || (record.status !== 'running' && record.status !== 'succeeded' && record.status !== 'failed')) return
  scheduler.recordLaunch(record.taskId, {
    id: record.id,
    runId: record.runId,
    status: record.status,
    invalidateFirst: record.invalidateFirst ?? false,
    startedAt: record.startedAt,
    ...(record.endedAt !== undefined ? { endedAt: record.endedAt } : {}),
    ...(record.exitCode !== undefined ? { exitCode: record.exitCode } : {}),
    ...(record.message !== undefined ? { message: record.message } : {}),
    ...(record.outputTail !== undefined ? { outputTail: record.outputTail } : {}),
  })
}

/** A task's last launch for the UI (its message and output were masked when the runner recorded them). */
export function launchView(launch: TaskLaunch, scheduler: CentralScheduler): TaskLaunchView {
  const registered = launch.runId !== undefined && scheduler.run(launch.runId) !== undefined
  return {
    ...launch,
    status: launch.status === 'running' && !registered ? 'starting' : launch.status,
    registered,
  }
}
