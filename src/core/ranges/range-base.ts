import { EtlError } from '../../errors.js'
import { checkInBulk } from '../bulk-complete.js'
import { param, type ParamInput, type ParamSpec, type ParamValues } from '../param.js'
import type { Parameter } from '../parameter.js'
import { toIsoDate } from '../parameters/calendar.js'
import { isSecretParameter } from '../secret-parameters.js'
import { knownFamilies, knownTaskClass } from '../task-families.js'
import type { CompletionContext } from '../task-context.js'
import type { TaskLike } from '../task-like.js'
import { withParams, type TaskClass, type TaskClassWith } from '../task.js'
import { ABSTRACT_TASK } from '../task-like.js'
import { WrapperTask } from '../wrapper-task.js'
import { findRangedParameter, type RangedKind, type RangedParameter } from './ranged-parameter.js'

/** Instances one range may hold: a 10-year hourly range is 87,600; beyond this, split the range. */
export const MAX_RANGE_INSTANCES = 250_000

/** The parameters every range takes, as Luigi's `RangeBase` does. */
export const RANGE_PARAMS = {
  of: param.task({ description: 'the task to complete over the range' }),
  ofParams: param.json({ default: {} as Readonly<Record<string, unknown>>, description: "the other parameters of the 'of' task, as a JSON object" }),
  param: param.optional(param.string(), { description: "the 'of' task's date or datetime parameter to step through (default: its only one)" }),
  reverse: param.bool({ default: false, description: 'catch up from the newest missing instance backwards (default: the oldest first)' }),
  taskLimit: param.int({ default: 50, description: 'at most this many missing instances are required in one go' }),
  now: param.optional(param.datetime(), { significant: false, description: 'the time lookbacks count from (default: the clock)' }),
} as const

/** The span a range covers, in milliseconds since the epoch (UTC). */
export interface RangeWindow {
  /** The first instance, inclusive; null: `backMs` before now, on the step's grid. */
  readonly start: number | null
  /** The end, exclusive; null: `forwardMs` after now. */
  readonly stop: number | null
  readonly stepMs: number
  /** A day or an hour: an explicit start between two is moved up to the next. */
  readonly unitMs: number
  readonly backMs: number
  readonly forwardMs: number
}

/** What preparing a range found: every instance in its window, oldest first, and which it requires. */
export interface RangePlan {
  readonly parameter: RangedParameter
  readonly instances: readonly TaskLike[]
  /** Ids of the instances found complete. */
  readonly complete: ReadonlySet<string>
  /** The missing instances it requires: at most `taskLimit`, in the order they should run. */
  readonly required: readonly TaskLike[]
}

/**
 * A wrapper that completes a date- or time-partitioned task (`of`) over a range: it requires only the
 * instances that are missing, found with one bulk check (see `Task.bulkComplete`), at most `taskLimit`
 * of them, oldest first (or newest first with `reverse`). An explicit `start` or `stop` is taken as
 * given; one left unset is a lookback from now, so a nightly schedule catches up the days it missed.
 * `RangeDaily` and `RangeHourly` say what a step is.
 */
export abstract class RangeBase<S extends ParamSpec = typeof RANGE_PARAMS> extends WrapperTask<S> {
  readonly #nowMs: number
  readonly #of: TaskClass
  readonly #parameter: RangedParameter
  #preparing: Promise<RangePlan> | undefined
  #plan: RangePlan | undefined

  static override with<const S extends ParamSpec>(spec: S): TaskClassWith<S, RangeBase<S>> {
    return withParams(this, spec) as unknown as TaskClassWith<S, RangeBase<S>>
  }

  constructor(...args: {} extends ParamInput<S> ? [params?: ParamInput<S>] : [params: ParamInput<S>]) {
    super(...args)
    const common = this.#common
    this.#nowMs = common.now?.getTime() ?? Date.now()
    this.#of = this.#resolveOf(String(common.of))
    this.#parameter = findRangedParameter(this.ofFamily, this.#of.params, common.param, this.kinds(), (name) => `the range's param '${name}' (--param ${name})`)
    this.#checkOfParams()
    this.#checkWindow()
  }

  /** The kinds of parameter this range steps through. */
  protected abstract kinds(): readonly RangedKind[]

  /** Its span and step. */
  protected abstract window(): RangeWindow

  /** The family whose instances it completes. */
  get ofFamily(): string {
    return String(this.#common.of)
  }

  /** The parameter it steps through. */
  get parameter(): RangedParameter {
    return this.#parameter
  }

  /** The instants of its instances, oldest first. */
  points(): number[] {
    const { start, stop, stepMs, unitMs, backMs, forwardMs } = this.window()
    const first = start !== null ? ceilTo(start, unitMs) : ceilTo(this.#nowMs - backMs, stepMs)
    const end = stop ?? this.#nowMs + forwardMs
    const count = Math.max(0, Math.ceil((end - first) / stepMs))
    if (count > MAX_RANGE_INSTANCES) {
      throw new EtlError('ETL_ERR_RANGE_INTERVAL', `${this.family} over ${this.ofFamily} would hold ${count} instances, more than ${MAX_RANGE_INSTANCES}; split it into shorter ranges`)
    }
    return Array.from({ length: count }, (_, index) => first + index * stepMs)
  }

  /** Every instance in its window, oldest first. */
  instances(): TaskLike[] {
    return this.points().map((at) => this.#instanceAt(at))
  }

  /** What `prepare` found, once it has run. */
  get plan(): RangePlan | undefined {
    return this.#plan
  }

  /** Finds the missing instances, once, with one bulk check of the whole window. */
  async prepare(ctx?: CompletionContext): Promise<void> {
    this.#preparing ??= this.#find(ctx).catch((error: unknown) => {
      this.#preparing = undefined
      throw error
    })
    this.#plan = await this.#preparing
  }

  override requires(): TaskLike[] {
    if (!this.#plan) {
      throw new EtlError('ETL_ERR_TASK_BAD_REQUIREMENT', `${this} was asked for its requirements before prepare(): await its prepare(ctx) first (the worker and etl deps do)`)
    }
    return [...this.#plan.required]
  }

  /** Complete when no instance in the window is missing. */
  override async complete(ctx?: CompletionContext): Promise<boolean> {
    await this.prepare(ctx)
    return this.#plan!.required.length === 0
  }

  /** `RangeDaily(of=LoadDay, start=2024-01-01, stop=2024-02-01)`: the parameters not left at their defaults. */
  override toString(): string {
    const shown = this.parameterEntries.filter(({ parameter, text }) => !parameter.hasDefault || text !== parameter.serialize(parameter.defaultValue))
    return `${this.family}(${shown.map(({ name, text }) => `${name}=${text}`).join(', ')})`
  }

  get #common(): ParamValues<typeof RANGE_PARAMS> {
    return this.params as unknown as ParamValues<typeof RANGE_PARAMS>
  }

  async #find(ctx: CompletionContext | undefined): Promise<RangePlan> {
    const instances = this.instances()
    const checks = await checkInBulk(instances, ctx)
    const failed = checks.findIndex((check) => check.error !== undefined)
    if (failed >= 0) throw checks[failed]!.error
    const complete = new Set(instances.filter((_, index) => checks[index]!.complete).map((task) => task.id))
    const missing = instances.filter((task) => !complete.has(task.id))
    const { reverse, taskLimit } = this.#common
    const required = reverse ? missing.slice(Math.max(0, missing.length - taskLimit)).reverse() : missing.slice(0, taskLimit)
    return { parameter: this.#parameter, instances, complete, required }
  }

  #instanceAt(at: number): TaskLike {
    const value = this.#parameter.kind === 'date' ? toIsoDate(new Date(at)) : new Date(at)
    return new this.#of({ ...(this.#common.ofParams as Record<string, unknown>), [this.#parameter.name]: value })
  }

  #resolveOf(family: string): TaskClass {
    const cls = knownTaskClass(family)
    if (cls) return cls
    throw new EtlError('ETL_ERR_TASK_UNKNOWN', `${this.family}: unknown task '${family}' for 'of'; known tasks: ${knownFamilies().join(', ') || '(none)'}`)
  }

  /** The other parameters must be an object, must not set the stepped one, and must hold no secret. */
  #checkOfParams(): void {
    const given = this.#common.ofParams as unknown
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new EtlError('ETL_ERR_RANGE_PARAM', `ofParams of ${this.family} must be a JSON object of ${this.ofFamily}'s other parameters, such as {"region":"eu"}; got ${JSON.stringify(given)}`)
    }
    for (const name of Object.keys(given)) {
      if (name === this.#parameter.name) {
        throw new EtlError('ETL_ERR_RANGE_PARAM', `ofParams of ${this.family} sets '${name}', the parameter the range steps through; remove it, and give the span with start and stop`)
      }
      const parameter = this.#of.params[name] as Parameter<unknown> | undefined
      if (parameter && isSecretParameter(this.ofFamily, name, parameter)) {
        throw new EtlError('ETL_ERR_RANGE_PARAM', `ofParams of ${this.family} sets '${name}', a secret of ${this.ofFamily}; it would show in the range's name: set it in the config (tasks.${this.ofFamily}.${name}) instead`)
      }
    }
  }

  /** The span is checked before anything runs, and one instance built, so a bad parameter of `of` says so now. */
  #checkWindow(): void {
    const { start, stop, stepMs } = this.window()
    if (!Number.isSafeInteger(stepMs) || stepMs <= 0) throw new EtlError('ETL_ERR_RANGE_STEP', `${this.family}: the step must be a whole number of at least 1`)
    if (this.#common.taskLimit < 1) {
      throw new EtlError('ETL_ERR_RANGE_PARAM', `${this.family}: taskLimit must be at least 1 (how many missing instances to require in one go), got ${this.#common.taskLimit}`)
    }
    if (start !== null && stop !== null && start > stop) {
      throw new EtlError('ETL_ERR_RANGE_INTERVAL', `${this.family} over ${this.ofFamily}: start ${this.#shown(start)} is after stop ${this.#shown(stop)}; swap them (stop is exclusive)`)
    }
    this.#instanceAt(this.points()[0] ?? start ?? this.#nowMs)
  }

  #shown(at: number): string {
    return this.#parameter.kind === 'date' ? toIsoDate(new Date(at)) : new Date(at).toISOString()
  }
}
Object.defineProperty(RangeBase, ABSTRACT_TASK, { value: true })

/** `at` moved up to the next multiple of `step` since the epoch (unchanged when on one). */
function ceilTo(at: number, step: number): number {
  return Math.ceil(at / step) * step
}
