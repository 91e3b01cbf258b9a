import { EtlError } from '../errors.js'
import { deepFreeze } from '../util/canonical-json.js'
import { CompletionMarkers } from './completion-markers.js'
import { OutputMarker, type TaskResult } from './output-marker.js'
import type { ParamInput, ParamSpec, ParamValues } from './param.js'
import type { Parameter } from './parameter.js'
import { resolveParameter } from './parameter-defaults.js'
import { RESERVED_PARAM_NAMES } from './reserved-names.js'
import type { RetryPolicy } from './retry-policy.js'
import { SECRET_MASK } from './secret-mask.js'
import type { SourceQuery } from './source-query.js'
import { isSecretParameter, secretText } from './secret-parameters.js'
import { flatten, type Structure } from './structure.js'
import { isTarget, type Target } from './target.js'
import type { CompletionContext, TaskContext } from './task-context.js'
import { taskId } from './task-id.js'
import { ABSTRACT_TASK, TASK_BRAND, isTask, type TaskKind, type TaskLike } from './task-like.js'

/** The default `resources`, one frozen object shared by every task that holds none. */
const NO_RESOURCES: Readonly<Record<string, number>> = Object.freeze({})

const PARAM_NAME = /^[a-z][A-Za-z0-9]*$/

/** A task class made by `Task.with(spec)`: its constructor takes exactly the declared parameters. */
export type TaskClassWith<S extends ParamSpec, I> = (abstract new (
  ...args: {} extends ParamInput<S> ? [params?: ParamInput<S>] : [params: ParamInput<S>]
) => I) & { readonly params: S; readonly family?: string; readonly description?: string }

/** A concrete task class, as the registry holds it. */
export type TaskClass = (new (params?: Record<string, unknown>) => TaskLike) & {
  readonly params: ParamSpec
  readonly family?: string
  readonly name: string
  readonly description?: string
}

/**
 * A unit of work in the graph: a family (its class name) plus typed parameters. It says what it needs
 * (`requires`), what it makes (`output`) and how (`run`). It is complete, by default, when every output
 * exists; the default output is the task's marker under `output/<Family>/`, written after `run` succeeds.
 *
 * ```ts
 * export class CountWords extends Task.with({ file: param.string() }) {
 *   override requires() { return new Download({ file: this.params.file }) }
 *   override async run(ctx: TaskContext) {
 *     const words = (await readFile(this.params.file, 'utf8')).split(/\s+/).length
 *     return { words }
 *   }
 * }
 * ```
 */
export class Task<S extends ParamSpec = {}> implements TaskLike {
  /** The parameter declaration; set it with `Task.with({...})`. */
  static readonly params: ParamSpec = {}
  /** The family name; defaults to the class name. */
  static readonly family?: string
  /** One line shown by `etl list`. */
  static readonly description?: string

  declare readonly [TASK_BRAND]: true
  readonly params: ParamValues<S>
  readonly serializedParams: Readonly<Record<string, string>>
  #id: string | undefined

  /** Higher runs first among tasks that are ready at the same time. @defaultValue 0 */
  priority = 0
  /** Named resources this task holds while it runs: `{ mysql: 1 }`; caps come from the config. */
  resources: Readonly<Record<string, number>> = NO_RESOURCES
  /** Retries within the run; unset fields come from the config's `retry`. */
  retry: Partial<RetryPolicy> | undefined = undefined
  /** Aborts `run` (through `ctx.signal`) and fails the attempt after this many milliseconds. */
  timeoutMs: number | undefined = undefined

  /**
   * Checks many tasks of this class at once: one answer per task, in order, agreeing with what each
   * task's `complete()` would say. Declare it when one query answers for many (a marker table, a bucket
   * listing): the worker and ranges call it with every instance they check together. Unset, tasks whose
   * completeness is the default (every output exists) and whose outputs are local files are answered
   * from one listing per folder, and the others one `complete()` each.
   *
   * ```ts
   * static async bulkComplete(tasks: readonly LoadDay[], ctx?: CompletionContext) {
   *   const loaded = new Set(await loadedDays(ctx)) // one query
   *   return tasks.map((task) => loaded.has(task.params.date))
   * }
   * ```
   */
  static bulkComplete?(tasks: readonly TaskLike[], ctx?: CompletionContext): Promise<readonly boolean[]>

  /** Declares parameters once; the returned base class types `this.params` and the constructor from them. */
  static with<const S extends ParamSpec>(spec: S): TaskClassWith<S, Task<S>> {
    return withParams(this, spec) as unknown as TaskClassWith<S, Task<S>>
  }

  constructor(...args: {} extends ParamInput<S> ? [params?: ParamInput<S>] : [params: ParamInput<S>]) {
    const resolved = resolveParams(this.family, spec(this), (args[0] ?? {}) as Record<string, unknown>)
    this.params = resolved.values as ParamValues<S>
    this.serializedParams = resolved.serialized
  }

  get family(): string {
    return familyOf(this.constructor as TaskClass)
  }

  get kind(): TaskKind {
    return 'task'
  }

  get id(): string {
    this.#id ??= taskId(this.family, this.serializedParams)
    return this.#id
  }

  /** Every parameter for display: a secret's `text` is `••••`. */
  get parameterEntries(): { name: string; parameter: Parameter<unknown>; text: string; secret: boolean }[] {
    const values = this.params as Record<string, unknown>
    return Object.entries(spec(this)).map(([name, parameter]) => {
      const secret = isSecretParameter(this.family, name, parameter)
      return { name, parameter, secret, text: secret ? SECRET_MASK : parameter.serialize(values[name]) }
    })
  }

  /** The values of the secret parameters, which the worker masks in everything it writes and sends. */
  get secretValues(): string[] {
    const values = this.params as Record<string, unknown>
    return this.parameterEntries.filter((entry) => entry.secret).map(({ name, parameter }) => secretText(parameter, values[name]))
  }

  /** The tasks this one needs, in any nesting of arrays and records. @defaultValue none */
  requires(): Structure<TaskLike> {
    return []
  }

  /** What this task makes. @defaultValue its output marker */
  output(): Structure<Target> {
    return this.marker()
  }

  /** This task's marker under `output/<Family>/<id>.json`. */
  marker(): OutputMarker {
    return new OutputMarker(this.family, this.id)
  }

  /** This task's per-item markers under `completed/`, the same object `ctx.completed` gives. */
  completionMarkers(): CompletionMarkers {
    return new CompletionMarkers(this.family, this.id)
  }

  /** True when every output exists (and false for a task with no outputs, which never counts as done). */
  async complete(_ctx?: CompletionContext): Promise<boolean> {
    const outputs = flatten(this.output(), isTarget)
    if (outputs.length === 0) return false
    for (const target of outputs) if (!(await target.exists())) return false
    return true
  }

  /** The work; may return figures (row counts) that the marker and the summary keep. */
  run(_ctx: TaskContext): Promise<TaskResult | void> | TaskResult | void {}

  /**
   * Called once the task is complete, with its result (Luigi's `on_success`): to announce it, to start
   * something outside etl. It runs before tasks that need this one start; what it throws is logged as a
   * warning and the task stays done.
   */
  onSuccess?(ctx: TaskContext, result: TaskResult | null): void | Promise<void>

  /**
   * Called once the task has failed for good, after its retries (Luigi's `on_failure`): to clean up, to
   * page someone. What it throws is logged as a warning; the task's own error is the one reported.
   */
  onFailure?(ctx: TaskContext, error: Error): void | Promise<void>

  /**
   * The queries this task reads its sources with, declared so that `etl check` can run them
   * read-only without running the task (see {@link SourceQuery}). It is called outside a run:
   * nothing upstream has run and no connection is open. @defaultValue none declared
   */
  sourceQueries?(): readonly SourceQuery[] | Promise<readonly SourceQuery[]>

  /** `Family(name=value, ...)`, secrets as `••••`. */
  toString(): string {
    const values = this.parameterEntries.map(({ name, text }) => `${name}=${text}`)
    return `${this.family}(${values.join(', ')})`
  }
}
Object.defineProperty(Task.prototype, TASK_BRAND, { value: true })
Object.defineProperty(Task, ABSTRACT_TASK, { value: true })

/** True when `task` answers `complete()` as `Task` does (every output exists), so its outputs alone say it. @internal */
export function usesDefaultCompleteness(task: TaskLike): boolean {
  return task.complete === Task.prototype.complete
}

/** A class's family: its own static `family`, or its name. */
export function familyOf(cls: Pick<TaskClass, 'name' | 'family'>): string {
  return Object.hasOwn(cls, 'family') && cls.family ? cls.family : cls.name
}

/** Builds `Base.with(spec)`: an abstract subclass carrying the declaration. @internal */
export function withParams(Base: abstract new (...args: any[]) => TaskLike, declared: ParamSpec): unknown {
  checkDeclaration(Base.name, declared)
  const frozen = Object.freeze({ ...declared })
  abstract class WithParams extends Base {
    static readonly params = frozen
  }
  Object.defineProperty(WithParams, ABSTRACT_TASK, { value: true })
  return WithParams
}

function spec(task: TaskLike): ParamSpec {
  return (task.constructor as TaskClass).params
}

function checkDeclaration(owner: string, declared: ParamSpec): void {
  for (const name of Object.keys(declared)) {
    if (!PARAM_NAME.test(name) || RESERVED_PARAM_NAMES.has(name)) {
      throw new EtlError(
        'ETL_ERR_PARAM_DECLARATION',
        `parameter name '${name}' in ${owner}.with() is not allowed: use camelCase letters and digits, not one of ${[...RESERVED_PARAM_NAMES].join(', ')}`,
      )
    }
  }
}

/**
 * Resolves each parameter from, in order: the value given, the config file, the declared default. A
 * secret is left out of the serialized values, so out of the id: which secret a task uses does not
 * make it another task, and the id (a file name, a log field, a UI search key) never shows any of it.
 */
function resolveParams(
  family: string,
  declared: ParamSpec,
  given: Record<string, unknown>,
): { values: Record<string, unknown>; serialized: Record<string, string> } {
  const known = Object.keys(declared)
  for (const name of Object.keys(given)) {
    if (!(name in declared) && given[name] !== undefined) {
      throw new EtlError(
        'ETL_ERR_PARAM_UNKNOWN',
        `unknown parameter '${name}' for task '${family}'; known: ${known.join(', ') || '(none)'}`,
      )
    }
  }
  const values: Record<string, unknown> = {}
  const serialized: Record<string, string> = {}
  for (const [name, parameter] of Object.entries(declared)) {
    const value = resolveParameter(family, name, parameter as Parameter<unknown>, given[name])
    values[name] = value
    if (parameter.significant && !isSecretParameter(family, name, parameter as Parameter<unknown>)) serialized[name] = parameter.serialize(value)
  }
  return { values: deepFreeze(values), serialized: Object.freeze(serialized) }
}

/** The tasks a structure from `requires()` holds; anything that is not a task is an error naming the culprit. */
export function requiredTasks(task: TaskLike): TaskLike[] {
  try {
    return flatten(task.requires(), isTask)
  } catch (error) {
    throw new EtlError(
      'ETL_ERR_TASK_BAD_REQUIREMENT',
      `${task} requires() returned something that is not a task: ${(error as Error).message}`,
      { cause: error },
    )
  }
}

/** The tasks once each, in order (a task may name the same requirement twice). */
export function uniqueTasks(tasks: readonly TaskLike[]): readonly TaskLike[] {
  if (tasks.length < 2) return tasks
  const seen = new Set<string>()
  return tasks.filter((task) => !seen.has(task.id) && seen.add(task.id))
}

/** The targets a structure from `output()` holds. */
export function outputTargets(task: TaskLike): Target[] {
  try {
    return flatten(task.output(), isTarget)
  } catch (error) {
    throw new EtlError('ETL_ERR_TASK_BAD_OUTPUT', `${task} output() returned something that is not a target: ${(error as Error).message}`, {
      cause: error,
    })
  }
}
