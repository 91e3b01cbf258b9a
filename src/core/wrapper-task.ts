import type { ParamSpec } from './param.js'
import type { Structure } from './structure.js'
import type { Target } from './target.js'
import type { CompletionContext } from './task-context.js'
import { Task, requiredTasks, withParams, type TaskClassWith } from './task.js'
import { ABSTRACT_TASK, type TaskKind } from './task-like.js'

/**
 * A task that only groups others: it has no outputs and is complete when everything it requires is.
 *
 * ```ts
 * export class RunJob extends WrapperTask {
 *   override requires() { return [new Reports(), new LoadWeblog()] }
 * }
 * ```
 */
export class WrapperTask<S extends ParamSpec = {}> extends Task<S> {
  static override with<const S extends ParamSpec>(spec: S): TaskClassWith<S, WrapperTask<S>> {
    return withParams(this, spec) as unknown as TaskClassWith<S, WrapperTask<S>>
  }

  override get kind(): TaskKind {
    return 'wrapper'
  }

  override output(): Structure<Target> {
    return []
  }

  override async complete(ctx?: CompletionContext): Promise<boolean> {
    const results = await Promise.all(requiredTasks(this).map((task) => task.complete(ctx)))
    return results.every(Boolean)
  }
}
Object.defineProperty(WrapperTask, ABSTRACT_TASK, { value: true })
