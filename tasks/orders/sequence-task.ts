import { ABSTRACT_TASK, Task, withParams, type CompletionContext, type ParamSpec, type TaskClassWith, type TaskContext } from 'etl'
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

/**
 * A step of the pipeline: complete only for the current execution sequence (see `completeForSequence`).
 * Steps judged against another access-log folder override `weblogDir`.
 */
export class SequenceStep<S extends ParamSpec = {}> extends Task<S> {
  static override with<const S extends ParamSpec>(spec: S): TaskClassWith<S, SequenceStep<S>> {
    return withParams(this, spec) as unknown as TaskClassWith<S, SequenceStep<S>>
  }

  /** The access-log folder whose new lines also start a sequence. */
  protected get weblogDir(): string {
    return DEFAULT_WEBLOG_DIR
  }

  override complete(ctx?: CompletionContext): Promise<boolean> {
    return completeForSequence(this, ctx, this.weblogDir)
  }
}
Object.defineProperty(SequenceStep, ABSTRACT_TASK, { value: true })

/** The sequence this run works on; a step after StartExecution never sees a planned one. */
export async function runningSequence(ctx: TaskContext, weblogDir = DEFAULT_WEBLOG_DIR): Promise<CurrentExecution> {
  const current = await currentExecution(ctx.data, weblogDir)
  if (current.state === 'planned') throw new Error(`execution sequence ${current.seq} has not been started; StartExecution must run first`)
  return current
}
