import type { CompletionContext, Task, TaskContext } from 'etl'
import { currentExecution, type CurrentExecution } from './current-execution.js'

/** Where the demo and the web log step find the access log and IP ranges (tasks.ParseWeblog.weblogDir). */
export const DEFAULT_WEBLOG_DIR = 'data/weblog'

/**
 * A step of one execution sequence is complete only for the sequence its marker records: when the
 * warehouse moves to a new sequence every step has work again, and a deleted marker reruns that step.
 * Without the run's connections (a caller outside a run) the marker is all there is to go on.
 */
export async function completeForSequence(task: Task<any>, ctx: CompletionContext | undefined, weblogDir = DEFAULT_WEBLOG_DIR): Promise<boolean> {
  const marker = task.marker()
  if (!(await marker.exists())) return false
  if (!ctx) return true
  const current = await currentExecution(ctx.data, weblogDir)
  if (current.state === 'planned') return false
  const record = await marker.readRecord().catch(() => undefined)
  return record?.result?.seq === current.seq
}

/** The sequence this run works on; a step after StartExecution never sees a planned one. */
export async function runningSequence(ctx: TaskContext, weblogDir = DEFAULT_WEBLOG_DIR): Promise<CurrentExecution> {
  const current = await currentExecution(ctx.data, weblogDir)
  if (current.state === 'planned') throw new Error(`execution sequence ${current.seq} has not been started; StartExecution must run first`)
  return current
}
