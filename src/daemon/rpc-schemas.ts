import path from 'node:path'
import { z } from 'zod'
import { MAX_LOG_LINES_PER_CALL } from '../scheduler/rpc-limits.js'
import type { RPC_METHODS } from '../scheduler/scheduler.js'

const id = z.string().min(1).max(2000)
const lease = z.string().max(100)
/** Milliseconds since the epoch, as `Date.now()` gives them: the run history keeps them as bigint. */
const time = z.number().int().min(0).max(8.64e15)
const taskError = z.object({ message: z.string(), stack: z.string().optional(), code: z.string().optional(), missingData: z.boolean().optional() })
const logLine = z.object({ at: time, level: z.string().max(20), message: z.string() })
const json: z.ZodType<unknown> = z.unknown()
// Absolute, because the daemon starts processes with it from a folder of its own.
const absolutePath = z.string().min(1).max(4096).refine((text) => path.isAbsolute(text), 'must be an absolute path')
const origin = z.object({ module: absolutePath, cwd: absolutePath, config: absolutePath.optional() })

const taskRecord = z.object({
  id,
  family: z.string().min(1).max(500),
  params: z.record(z.string(), z.string()),
  kind: z.enum(['task', 'wrapper', 'external']),
  deps: z.array(id),
  status: z.enum(['PENDING', 'DONE', 'FAILED']),
  priority: z.number(),
  resources: z.record(z.string(), z.number().int({ error: 'expected whole units' }).nonnegative()),
  error: taskError.optional(),
})

/**
 * The request body of each scheduler method, checked before it reaches the state machine: a
 * malformed request is refused with what is wrong, and never half-applied.
 */
export const RPC_SCHEMAS = {
  addTasks: z.object({ workerId: id, tasks: z.array(taskRecord), origin: origin.optional() }),
  getWork: z.object({ workerId: id, requestId: z.string().max(200).optional() }),
  taskProgress: z.object({ workerId: id, taskId: id, lease, message: z.string().max(10_000) }),
  taskFinished: z.object({
    workerId: id,
    taskId: id,
    lease,
    status: z.enum(['DONE', 'FAILED']),
    startedAt: time,
    endedAt: time,
    attempts: z.number().int().nonnegative(),
    result: z.record(z.string(), json).nullable().optional(),
    error: taskError.optional(),
    log: z.array(logLine).max(MAX_LOG_LINES_PER_CALL).optional(),
  }),
  ping: z.object({ workerId: id }),
  workerStopped: z.object({ workerId: id, leases: z.array(lease).max(100_000).optional() }),
  taskStatuses: z.object({ taskIds: z.array(id) }),
  taskLog: z.object({ workerId: id, taskId: id, lease, lines: z.array(logLine).max(MAX_LOG_LINES_PER_CALL) }),
} satisfies Record<(typeof RPC_METHODS)[number], z.ZodType>
