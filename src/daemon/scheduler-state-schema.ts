import { z } from 'zod'
import { TASK_STATUSES } from '../scheduler/task-status.js'

// What the central scheduler's snapshot and journal ops must look like to be applied without
// breaking anything: the types its code reads, nothing stricter. Limits on sizes are the API's
// business; a journal an older daemon wrote within its own rules must still read back.

const text = z.string()
const num = z.number()
const optionalNum = num.nullable().optional()
const strings = z.array(text)
const params = z.record(text, text)
const taskError = z.object({ message: text, stack: text.optional(), code: text.optional(), missingData: z.boolean().optional() })
const logLine = z.object({ at: num, level: text, message: text })
const origin = z.object({ module: text, cwd: text, config: text.optional() })
const launch = z.object({
  id: text,
  runId: text.optional(),
  status: z.enum(['running', 'succeeded', 'failed']),
  invalidateFirst: z.boolean(),
  startedAt: optionalNum,
  endedAt: optionalNum,
  exitCode: optionalNum,
  message: text.optional(),
  outputTail: text.optional(),
})

const task = z.object({
  id: text,
  family: text,
  params,
  kind: text,
  priority: num,
  resources: z.record(text, num),
  deps: strings,
  status: z.enum(TASK_STATUSES),
  known: z.boolean(),
  workers: strings,
  worker: text.optional(),
  seq: num,
  addedAt: num,
  updatedAt: num,
  startedAt: optionalNum,
  endedAt: optionalNum,
  attempts: num,
  progress: text.optional(),
  error: taskError.optional(),
  failures: z.array(num),
  retryAt: optionalNum,
  log: z.array(logLine).optional(),
  origin: z.number().int().min(0).optional(),
  launch: launch.optional(),
})

const worker = z.object({ id: text, host: text.optional(), pid: num.optional(), runId: text, firstSeen: num, lastSeen: num, state: z.enum(['active', 'stopped', 'lost']), endedAt: optionalNum })
const run = z.object({ id: text, label: text, startedAt: num, endedAt: optionalNum, status: z.enum(['running', 'succeeded', 'failed']), rootIds: strings, workerIds: strings })

/** The scheduler's part of `state.json`. */
export const schedulerSnapshotSchema = z.object({
  version: z.literal(1),
  tasks: z.array(task),
  origins: z.array(origin).optional(),
  workers: z.array(worker),
  runs: z.array(run),
  lastGetWork: z.array(z.object({ workerId: text, requestId: text, taskId: text })),
  /** True once secrets were masked on the way in; a snapshot of an older daemon is masked when read. */
  masked: z.boolean().optional(),
})

const taskRecord = z.object({ id: text, family: text, params, kind: text, deps: strings, status: z.enum(['PENDING', 'DONE', 'FAILED']), priority: num, resources: z.record(text, num), error: taskError.optional() })
const finished = z.object({
  workerId: text,
  taskId: text,
  status: z.enum(['DONE', 'FAILED']),
  startedAt: num,
  endedAt: num,
  attempts: num,
  result: z.unknown().optional(),
  error: taskError.optional(),
  log: z.array(logLine).optional(),
})

/** One scheduler op of `journal.ndjson`. */
export const schedulerOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), at: num, workerId: text, tasks: z.array(taskRecord), origin: origin.optional() }),
  z.object({ op: z.literal('take'), at: num, workerId: text, taskId: text, requestId: text.optional() }),
  z.object({ op: z.literal('finish'), at: num, request: finished }),
  z.object({ op: z.literal('release'), at: num, workerId: text, reason: z.enum(['stopped', 'lost']) }),
  z.object({ op: z.enum(['retry', 'enable', 'forgive', 'rerun']), at: num, taskId: text }),
  z.object({ op: z.literal('launch'), at: num, taskId: text, launch }),
  z.object({ op: z.literal('worker'), at: num, workerId: text, meta: z.object({ host: text.optional(), pid: num.optional(), runId: text.optional(), runLabel: text.optional() }) }),
  z.object({ op: z.literal('prune'), at: num, taskIds: strings, workerIds: strings, runIds: strings }),
])
