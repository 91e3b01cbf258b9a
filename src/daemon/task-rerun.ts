import { EtlError } from '../errors.js'
import type { TaskState } from '../scheduler/task-state.js'
import type { TaskStatus } from '../scheduler/task-status.js'
import type { DaemonContext } from './daemon-context.js'
import { checkParameterNames } from './schedules/run-arguments.js'
import { withoutMasks } from './masked-params.js'
import { launchView, type TaskLaunchView } from './task-launches.js'

/** The answer of a rerun: the task's status now and its launch, started. */
export interface RerunAnswer {
  taskId: string
  status: TaskStatus
  launch: TaskLaunchView
  /**
   * Parameters left off the rerun's command line: the daemon masked their values when it received
   * them (secrets), so the new process takes them from its config or environment, as `etl run` would.
   */
  maskedParams: string[]
}

/**
 * The UI's rerun: starts `etl run` for one task in a new process, in the folder and with the module
 * (and config) the task was registered from. A DONE task is cleared first, as Airflow's "Clear" is: the
 * daemon puts it back to PENDING and the launch runs `etl invalidate` before `etl run`, so the task
 * runs again instead of being found complete. Resolves once the process has started; a launch that
 * cannot start is an error, and its end, whenever it comes, is recorded on the task.
 */
export async function rerunTask(context: DaemonContext, taskId: string): Promise<RerunAnswer> {
  const { scheduler, schedules } = context
  const state = scheduler.task(taskId)
  if (!state?.known) throw unknownTask(taskId)
  if (!schedules) throw new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', 'rerun needs the daemon to start runs, and this one was started without schedules support')
  const origin = checkRerunnable(state)
  const going = schedules.runningTask(taskId)
  if (going) {
    throw new EtlError(
      'ETL_ERR_DAEMON_BAD_REQUEST',
      `a rerun of ${taskId} started at ${new Date(going.startedAt).toISOString()} (pid ${going.pid ?? '?'}) is still going; wait for it to end (the task's page follows it)`,
    )
  }
  checkParameterNames(state.family, state.params)

  const invalidateFirst = state.status === 'DONE'
  const { params, maskedParams } = withoutMasks(state.params)
  scheduler.rerun(taskId)
  const { record, launched } = schedules.runTask({ taskId, family: state.family, params, origin, invalidateFirst })
  if (!launched) throw launchFailed(taskId, origin.cwd, record.message ?? 'no reason given')
  try {
    await launched.spawned
  } catch (error) {
    throw launchFailed(taskId, origin.cwd, (error as Error).message)
  }
  const leftOff = maskedParams.length > 0 ? `; ${maskedParams.join(', ')} left off (masked secrets: the run takes them from its config)` : ''
  context.logger.info(`action rerun on ${taskId}: run ${record.runId ?? record.id} started in ${origin.cwd}${invalidateFirst ? ', invalidating it first' : ''}${leftOff}`)
  const after = scheduler.task(taskId)!
  return { taskId, status: after.status, launch: launchView(after.launch!, scheduler), maskedParams }
}

/** The task's origin, or why it cannot be rerun from the daemon. */
function checkRerunnable(state: Readonly<TaskState>): NonNullable<TaskState['origin']> {
  if (state.status === 'RUNNING') {
    throw new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', `${state.id} is RUNNING in worker ${state.worker ?? '?'}; rerun it once that attempt has ended`)
  }
  if (!state.origin) {
    throw new EtlError(
      'ETL_ERR_DAEMON_BAD_REQUEST',
      `${state.id} cannot be rerun from here: no worker that registered it said which module and folder it loaded it from (an etl older than this daemon, or build() called without origin); ` +
        'run it once with etl run in its project folder, and the daemon can rerun it from then on',
    )
  }
  return state.origin
}

function launchFailed(taskId: string, cwd: string, reason: string): EtlError {
  return new EtlError('ETL_ERR_DAEMON_LAUNCH_FAILED', `could not start the rerun of ${taskId} in ${cwd}: ${reason}; the task's page shows it`)
}

/** The error of an action on a task the scheduler does not hold. */
export function unknownTask(taskId: string): EtlError {
  return new EtlError('ETL_ERR_DAEMON_NOT_FOUND', `the scheduler does not know the task ${JSON.stringify(taskId)} (it may have been forgotten after its remove delay)`)
}
