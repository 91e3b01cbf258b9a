import type { CentralScheduler, CentralSchedulerSnapshot } from '../scheduler/central-scheduler.js'
import type { SchedulerOp } from '../scheduler/scheduler-op.js'
import type { TaskFinishedRequest, TaskRecord } from '../scheduler/scheduler.js'
import type { TaskLaunch } from '../scheduler/task-launch.js'
import type { TaskSnapshot } from '../scheduler/task-snapshot.js'
import { redactParams, redactSecrets, redactText } from '../util/redact.js'
import { redactError, redactRequest } from './request-redaction.js'
import { schedulerOpSchema, schedulerSnapshotSchema } from './scheduler-state-schema.js'
import { shapeProblem } from './shape-problem.js'
import type { StatePart } from './state-store.js'

/** The scheduler's snapshot as the store keeps it: marked as masked on the way in. */
type StoredSnapshot = CentralSchedulerSnapshot & { masked?: boolean }

/**
 * The central scheduler as a part of the daemon's state store: its snapshot and ops are checked for
 * shape before anything is restored or replayed (a damaged piece is reported, never half-applied), and
 * state an older daemon kept, from before secrets were masked on the way in, is masked as it is read.
 */
export function schedulerStatePart(scheduler: CentralScheduler): StatePart {
  let legacy = false
  return {
    snapshot: (): StoredSnapshot => ({ ...scheduler.snapshot(), masked: true }),
    checkSnapshot: (data) => shapeProblem(schedulerSnapshotSchema, data),
    checkOp: (op) => shapeProblem(schedulerOpSchema, op),
    restore: (data) => {
      const snapshot = data as StoredSnapshot
      legacy = snapshot.masked !== true
      scheduler.restore(legacy ? maskedSnapshot(snapshot) : snapshot)
    },
    // Ops after an older daemon's snapshot were written by it too.
    replay: (op) => scheduler.replay(legacy ? maskedOp(op as SchedulerOp) : (op as SchedulerOp)),
  }
}

function maskedSnapshot(snapshot: CentralSchedulerSnapshot): CentralSchedulerSnapshot {
  return { ...snapshot, tasks: snapshot.tasks.map(maskedTask), runs: snapshot.runs.map((run) => ({ ...run, label: redactText(run.label) })) }
}

function maskedTask(task: TaskSnapshot): TaskSnapshot {
  const masked: TaskSnapshot = { ...task, params: redactParams(task.params) }
  if (task.error) masked.error = redactError(task.error)
  if (task.log) masked.log = task.log.map((line) => ({ ...line, message: redactText(line.message) }))
  if (task.progress !== undefined) masked.progress = redactText(task.progress)
  if (task.result) masked.result = redactSecrets(task.result)
  if (task.launch) masked.launch = maskedLaunch(task.launch)
  return masked
}

function maskedLaunch(launch: TaskLaunch): TaskLaunch {
  return {
    ...launch,
    ...(launch.message !== undefined ? { message: redactText(launch.message) } : {}),
    ...(launch.outputTail !== undefined ? { outputTail: redactText(launch.outputTail) } : {}),
  }
}

function maskedOp(op: SchedulerOp): SchedulerOp {
  if (op.op === 'add') return { ...op, tasks: (redactRequest('addTasks', { tasks: op.tasks }) as { tasks: TaskRecord[] }).tasks }
  if (op.op === 'finish') return { ...op, request: redactRequest('taskFinished', op.request as unknown as Record<string, unknown>) as unknown as TaskFinishedRequest }
  if (op.op === 'launch') return { ...op, launch: maskedLaunch(op.launch) }
  if (op.op === 'worker' && op.meta.runLabel !== undefined) return { ...op, meta: { ...op.meta, runLabel: redactText(op.meta.runLabel) } }
  return op
}
