import { firstLine } from '../errors.js'
import type { EventHub } from '../events/event-hub.js'
import type { RunEvent } from '../events/run-event.js'
import type { CentralScheduler } from '../scheduler/central-scheduler.js'
import type { ScheduleRunRecord } from './history/run-history.js'
import type { ScheduleRunner } from './schedules/schedule-runner.js'

/** The daemon UI's page for a task, or its schedule history. */
export type UiLink = (taskId?: string) => string | undefined

/**
 * The events only the daemon sees, into its event hub: a task it disabled after too many failures,
 * a scheduled run it missed while it was down, and a scheduled run that ended without being able to
 * say so itself (it could not start, or was killed). A run that ends on its own sends its own
 * `run_finished`, so the daemon does not repeat it.
 */
export function feedDaemonEvents(hub: EventHub, scheduler: CentralScheduler, schedules: ScheduleRunner | undefined, link: UiLink): void {
  scheduler.onEvent((event) => {
    if (event.replay || event.type !== 'attempt' || event.attempt.status !== 'FAILED') return
    const state = scheduler.task(event.attempt.taskId)
    if (state?.status !== 'DISABLED') return
    const params = state.params
    const label = `${state.family}(${Object.entries(params).map(([name, text]) => `${name}=${text}`).join(', ')})`
    hub.emit(withLink({
      event: 'disabled',
      at: new Date(event.attempt.endedAt ?? Date.now()).toISOString(),
      run: event.attempt.runId,
      task: { id: state.id, label, family: state.family, params },
      error: `disabled after failing too often; enable it in the UI once fixed. Last error: ${firstLine(event.attempt.error?.message ?? 'failed')}`,
    }, link(state.id)))
  })
  schedules?.onRecord((record) => {
    const event = scheduleEvent(record)
    if (event) hub.emit(withLink(event, link()))
  })
}

function scheduleEvent(record: ScheduleRunRecord): RunEvent | undefined {
  const at = new Date(record.endedAt ?? record.dueAt).toISOString()
  const run = `${record.schedule}: ${record.task}`
  if (record.status === 'missed') return { event: 'schedule_missed', at, run, schedule: record.schedule, error: record.message ?? 'missed' }
  // With no exit code the run never reached its own end (not started, or killed): no one else will tell.
  if (record.status === 'failed' && (record.exitCode === undefined || record.exitCode === null)) {
    return { event: 'run_finished', at, run, schedule: record.schedule, exitCode: 1, summary: record.message ?? 'the scheduled run failed' }
  }
  return undefined
}

function withLink(event: RunEvent, link: string | undefined): RunEvent {
  return link ? { ...event, link } : event
}
