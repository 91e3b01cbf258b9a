import type { ParamSpec } from '../../core/param.js'
import type { CompletionContext } from '../../core/task-context.js'
import { ABSTRACT_TASK } from '../../core/task-like.js'
import { Task, withParams, type TaskClassWith } from '../../core/task.js'
import type { SequencePipeline } from './sequence-pipeline.js'

/**
 * A step of a sequence pipeline: complete only for the pipeline's current sequence, in this
 * warehouse (see `SequencePipeline.isCompleteFor`). Extend a pipeline's `Step`, not this.
 */
export abstract class SequenceStep<S extends ParamSpec = {}> extends Task<S> {
  /** The pipeline the step belongs to; `pipeline.Step` sets it. */
  static readonly pipeline: SequencePipeline

  static override with<const S extends ParamSpec>(spec: S): TaskClassWith<S, SequenceStep<S>> {
    return withParams(this, spec) as unknown as TaskClassWith<S, SequenceStep<S>>
  }

  /** The pipeline this step belongs to. */
  get pipeline(): SequencePipeline {
    return (this.constructor as typeof SequenceStep).pipeline
  }

  override complete(ctx?: CompletionContext): Promise<boolean> {
    return this.pipeline.isCompleteFor(this, ctx)
  }
}
Object.defineProperty(SequenceStep, ABSTRACT_TASK, { value: true })

/** `SequenceStep` bound to one pipeline, as its `Step`. */
export type StepClass = typeof SequenceStep

/** The step base class of `pipeline`. @internal */
export function stepOf(pipeline: SequencePipeline): StepClass {
  abstract class Step<S extends ParamSpec = {}> extends SequenceStep<S> {
    static override readonly pipeline = pipeline
  }
  Object.defineProperty(Step, ABSTRACT_TASK, { value: true })
  return Step as unknown as StepClass
}
