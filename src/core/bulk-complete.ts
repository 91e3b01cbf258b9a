import pLimit from 'p-limit'
import { EtlError } from '../errors.js'
import { completeByListing } from './listed-completion.js'
import type { CompletionContext } from './task-context.js'
import type { TaskLike } from './task-like.js'

/** What checking one task found: complete or not, or the error its check threw. */
export type BulkCheck = { readonly complete: boolean; readonly error?: undefined } | { readonly complete: false; readonly error: unknown }

/** Runs one check when a slot is free: the caller's limit on checks at once. */
export type CheckLimit = <T>(check: () => Promise<T>) => Promise<T>

/** A task class's own bulk check (`static bulkComplete`). */
type BulkCompleteHook = (tasks: readonly TaskLike[], ctx?: CompletionContext) => Promise<readonly boolean[]>

/** `complete()` checks at once when no limit is given: enough to hide I/O latency, few enough to spare the source. */
const DEFAULT_CHECKS_AT_ONCE = 16

/**
 * Checks many tasks at once, one answer per task in order. Tasks of a class that declares
 * `static bulkComplete` are answered by one call of it per class; the others from one listing per
 * output folder where their outputs alone say it (see `completeByListing`), else by their own
 * `complete()`, `limit` at a time. A check that throws is that task's answer, or its whole class's
 * when `bulkComplete` throws.
 *
 * ```ts
 * const checks = await checkInBulk(days.map((date) => new LoadDay({ date })))
 * const missing = days.filter((_, i) => !checks[i]!.complete)
 * ```
 */
export async function checkInBulk(tasks: readonly TaskLike[], ctx?: CompletionContext, limit: CheckLimit = pLimit(DEFAULT_CHECKS_AT_ONCE)): Promise<BulkCheck[]> {
  const answers: BulkCheck[] = new Array(tasks.length)
  const byClass = new Map<Function, number[]>()
  const rest: number[] = []
  tasks.forEach((task, index) => {
    if (!bulkHookOf(task)) rest.push(index)
    else if (byClass.has(task.constructor)) byClass.get(task.constructor)!.push(index)
    else byClass.set(task.constructor, [index])
  })
  const listed = await completeByListing(rest.map((index) => tasks[index]!))
  const unlisted: number[] = []
  rest.forEach((index, i) => {
    if (listed[i] === undefined) unlisted.push(index)
    else answers[index] = { complete: listed[i] }
  })
  await Promise.all([
    ...[...byClass.values()].map((indexes) => hooked(indexes.map((index) => tasks[index]!), ctx, limit).then((checks) => indexes.forEach((index, i) => (answers[index] = checks[i]!)))),
    ...unlisted.map(async (index) => (answers[index] = await checkOne(tasks[index]!, ctx, limit))),
  ])
  return answers
}

async function checkOne(task: TaskLike, ctx: CompletionContext | undefined, limit: CheckLimit): Promise<BulkCheck> {
  try {
    return { complete: await limit(() => task.complete(ctx)) }
  } catch (error) {
    return { complete: false, error }
  }
}

/** One call of the class's `bulkComplete` for its tasks, its answer checked for shape. */
async function hooked(group: readonly TaskLike[], ctx: CompletionContext | undefined, limit: CheckLimit): Promise<BulkCheck[]> {
  const cls = group[0]!.constructor
  try {
    const result: unknown = await limit(() => bulkHookOf(group[0]!)!.call(cls, group, ctx))
    if (!Array.isArray(result) || result.length !== group.length || !result.every((answer) => typeof answer === 'boolean')) {
      throw new EtlError(
        'ETL_ERR_TASK_BAD_BULK_COMPLETE',
        `${group[0]!.family}.bulkComplete() was given ${group.length} tasks and answered ${Array.isArray(result) ? `${result.length} values` : typeof result}${Array.isArray(result) && result.length === group.length ? ' that are not all booleans' : ''}; it must return one boolean per task, in the order given`,
      )
    }
    return result.map((complete: boolean) => ({ complete }))
  } catch (error) {
    return group.map(() => ({ complete: false as const, error }))
  }
}

/** The task's class's own `bulkComplete`, when it declares one; a wrapper is answered by its requirements instead. */
function bulkHookOf(task: TaskLike): BulkCompleteHook | undefined {
  if (task.kind === 'wrapper') return undefined
  const hook = (task.constructor as { bulkComplete?: unknown }).bulkComplete
  return typeof hook === 'function' ? (hook as BulkCompleteHook) : undefined
}
