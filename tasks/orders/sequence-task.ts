import { ABSTRACT_TASK, Task, withParams, type CompletionContext, type JsonValue, type ParamSpec, type TaskClassWith, type TaskContext, type TaskResult } from 'etl'
import { currentExecution, type CurrentExecution } from './current-execution.js'

/**
 * A step of one execution sequence is complete only for the sequence its marker records, in the
 * warehouse it records: when the warehouse moves to a new sequence every step has work again, a
 * wiped or replaced warehouse (whose sequence 1 is not the old one's) has all its steps to do, and a
 * deleted marker reruns that step. Without the run's connections (a caller outside a run) the marker
 * is all there is to go on.
 */
export async function completeForSequence(task: Task<any>, ctx: CompletionContext | undefined): Promise<boolean> {
  const marker = task.marker()
  if (!(await marker.exists())) return false
  if (!ctx) return true
  const current = await currentExecution(ctx.data)
  if (current.state === 'planned') return false
  const result = (await marker.readRecord().catch(() => undefined))?.result
  return result?.seq === current.seq && (result.warehouse ?? undefined) === current.warehouse
}

/** A step of the pipeline: complete only for the current execution sequence (see `completeForSequence`). */
export class SequenceStep<S extends ParamSpec = {}> extends Task<S> {
  static override with<const S extends ParamSpec>(spec: S): TaskClassWith<S, SequenceStep<S>> {
    return withParams(this, spec) as unknown as TaskClassWith<S, SequenceStep<S>>
  }

  override complete(ctx?: CompletionContext): Promise<boolean> {
    return completeForSequence(this, ctx)
  }
}
Object.defineProperty(SequenceStep, ABSTRACT_TASK, { value: true })

/** The sequence this run works on; a step after StartExecution never sees a planned one. */
export async function runningSequence(ctx: TaskContext): Promise<CurrentExecution> {
  const current = await currentExecution(ctx.data)
  if (current.state === 'planned') throw new Error(`execution sequence ${current.seq} has not been started; StartExecution must run first`)
  return current
}

/**
 * A step's result: its figures, with the sequence and the warehouse they were made for, which its
 * marker then vouches for (see `completeForSequence`).
 */
export function stepResult(current: CurrentExecution, figures: Record<string, JsonValue> = {}): TaskResult {
  return { seq: current.seq, ...figures, warehouse: current.warehouse ?? null }
}
