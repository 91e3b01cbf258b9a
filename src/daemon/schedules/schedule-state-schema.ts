import { z } from 'zod'

// What the schedule runner's snapshot and journal ops must look like to be applied.

const running = z.object({
  id: z.string(),
  schedule: z.string(),
  task: z.string(),
  dueAt: z.number(),
  startedAt: z.number(),
  pid: z.number().optional(),
  runId: z.string(),
  taskId: z.string().optional(),
  invalidateFirst: z.boolean().optional(),
})

/** The schedules' part of `state.json`. */
export const scheduleSnapshotSchema = z.object({ lastDue: z.record(z.string(), z.number()), running: z.array(running) })

/** One schedules op of `journal.ndjson`. */
export const scheduleOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('due'), name: z.string(), at: z.number() }),
  z.object({ op: z.literal('started'), run: running }),
  z.object({ op: z.literal('ended'), schedule: z.string() }),
])
