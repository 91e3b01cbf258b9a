import type { Structure } from './structure.js'
import type { Target } from './target.js'
import type { RetryPolicy } from './retry-policy.js'
import type { CompletionContext, TaskContext } from './task-context.js'
import type { TaskResult } from './output-marker.js'
import type { Parameter } from './parameter.js'
import type { SourceQuery } from './source-query.js'

/** Marks task objects across copies of this package, where `instanceof` would fail. */
export const TASK_BRAND: unique symbol = Symbol.for('etl.task')

/** Marks framework base classes (`Task`, `WrapperTask`, `Task.with()` bases) so the registry skips them. */
export const ABSTRACT_TASK: unique symbol = Symbol.for('etl.abstractTask')

/** How a task's kind changes the way the worker treats it. */
export type TaskKind = 'task' | 'wrapper' | 'external'

/**
 * The shape the graph builder, scheduler and worker rely on. `Task` is the implementation users extend;
 * the rest of the framework depends only on this.
 */
export interface TaskLike {
  readonly [TASK_BRAND]: true
  readonly id: string
  readonly family: string
  readonly kind: TaskKind
  /** Parameter values in canonical text form, significant ones only (what the id hashes). */
  readonly serializedParams: Readonly<Record<string, string>>
  /** Every parameter's declaration and value, for display; a secret's `text` is `••••`. */
  readonly parameterEntries: readonly { name: string; parameter: Parameter<unknown>; text: string; secret?: boolean }[]
  /** The values of its secret parameters, for the worker to mask (absent: none, or a task from an older etl). */
  readonly secretValues?: readonly string[]
  readonly priority: number
  readonly resources: Readonly<Record<string, number>>
  readonly retry: Partial<RetryPolicy> | undefined
  readonly timeoutMs: number | undefined
  /** External tasks only: how long the worker waits for the data to appear, and how often it looks. */
  readonly pollTimeoutMs?: number
  readonly pollIntervalMs?: number
  /** External data: what is missing, in words, for the error when it never comes. */
  describeMissing?(): Promise<string>
  /**
   * Work to finish before `requires()` is asked, for a task whose requirements depend on what is
   * complete (a range requires only its missing instances, found in one bulk check). The worker and
   * `etl deps` await it once per task; `requires()` may then answer from what it found.
   */
  prepare?(ctx?: CompletionContext): Promise<void>
  requires(): Structure<TaskLike>
  output(): Structure<Target>
  /** `ctx` is given while the worker builds the graph (the run's data services); other callers may omit it. */
  complete(ctx?: CompletionContext): Promise<boolean>
  /**
   * Targets besides its outputs whose existence makes it complete (a marker row in a warehouse), so
   * that `etl invalidate` removes them too and the task runs again (absent: its outputs are all).
   */
  completionTargets?(ctx: CompletionContext): Promise<readonly Target[]>
  run(ctx: TaskContext): Promise<TaskResult | void> | TaskResult | void
  /** After the task is complete (its marker written). What it throws is logged and changes nothing. */
  onSuccess?(ctx: TaskContext, result: TaskResult | null): void | Promise<void>
  /** After the task's last attempt failed. What it throws is logged; the task's own error stands. */
  onFailure?(ctx: TaskContext, error: Error): void | Promise<void>
  /** The queries it reads its sources with, for `etl check` (absent: it declares none). */
  sourceQueries?(): readonly SourceQuery[] | Promise<readonly SourceQuery[]>
  toString(): string
}

/** True for a task object from any copy of this package. */
export function isTask(value: unknown): value is TaskLike {
  return typeof value === 'object' && value !== null && (value as Partial<TaskLike>)[TASK_BRAND] === true
}
