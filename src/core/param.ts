import { Parameter, type ParameterOptions } from './parameter.js'
import { BoolParameter } from './parameters/bool-parameter.js'
import { DateInterval } from './parameters/date-interval.js'
import { DateIntervalParameter } from './parameters/date-interval-parameter.js'
import { DateParameter } from './parameters/date-parameter.js'
import { DatetimeParameter } from './parameters/datetime-parameter.js'
import { EnumParameter } from './parameters/enum-parameter.js'
import { FloatParameter } from './parameters/float-parameter.js'
import { IntParameter } from './parameters/int-parameter.js'
import { JsonParameter } from './parameters/json-parameter.js'
import { ListParameter } from './parameters/list-parameter.js'
import { OptionalParameter } from './parameters/optional-parameter.js'
import { TaskFamilyParameter, type TaskFamily } from './parameters/task-family-parameter.js'
import { SecretParameter, type SecretParameterOptions } from './parameters/secret-parameter.js'
import { StringParameter } from './parameters/string-parameter.js'

/** A parameter whose type records whether `options` gave a default. */
type Declared<T, O> = Parameter<T, O extends { default: NonNullable<unknown> | null } ? true : false>

/**
 * The parameter types, for declaring a task's parameters once:
 *
 * ```ts
 * class LoadOrders extends Task.with({
 *   date: param.date(),
 *   mode: param.enum(['full', 'incremental'], { default: 'incremental' }),
 *   tables: param.list(param.string(), { default: [] }),
 *   password: param.secret(), // from the config: "password": "${SOURCE_PASSWORD}"
 * }) {}
 * // new LoadOrders({ date: '2024-01-31' }).params.mode has type 'full' | 'incremental'
 * ```
 *
 * A secret is optional in the constructor's type whether or not it has a default: the tasks that
 * require one do not pass it down in code, it comes from the config (or the command line), and a
 * run without one stops before anything runs, naming where to set it.
 */
export const param = {
  string: <const O extends ParameterOptions<string> = {}>(options?: O) =>
    new StringParameter(options) as Declared<string, O>,
  int: <const O extends ParameterOptions<number> = {}>(options?: O) => new IntParameter(options) as Declared<number, O>,
  float: <const O extends ParameterOptions<number> = {}>(options?: O) =>
    new FloatParameter(options) as Declared<number, O>,
  bool: <const O extends ParameterOptions<boolean> = {}>(options?: O) =>
    new BoolParameter(options) as Declared<boolean, O>,
  date: <const O extends ParameterOptions<string> = {}>(options?: O) => new DateParameter(options) as Declared<string, O>,
  datetime: <const O extends ParameterOptions<Date> = {}>(options?: O) =>
    new DatetimeParameter(options) as Declared<Date, O>,
  dateInterval: <const O extends ParameterOptions<DateInterval> = {}>(options?: O) =>
    new DateIntervalParameter(options) as Declared<DateInterval, O>,
  enum: <const V extends readonly string[], const O extends ParameterOptions<V[number]> = {}>(choices: V, options?: O) =>
    new EnumParameter(choices, options) as Declared<V[number], O>,
  list: <T, const O extends ParameterOptions<readonly T[]> = {}>(item: Parameter<T>, options?: O) =>
    new ListParameter(item, options) as Declared<readonly T[], O>,
  json: <T = unknown, const O extends ParameterOptions<T> = {}>(options?: O) =>
    new JsonParameter<T>(options) as Declared<T, O>,
  secret: (options?: SecretParameterOptions) => new SecretParameter(options) as Parameter<string, true>,
  /** `null` (nothing on the command line) or a value of `item`'s type; `null` by default. */
  optional: <T>(item: Parameter<T>, options?: ParameterOptions<T | null>) => new OptionalParameter(item, options) as Parameter<T | null, true>,
  /** A task family: a name on the command line, the class itself in code. */
  task: <const O extends ParameterOptions<TaskFamily> = {}>(options?: O) => new TaskFamilyParameter(options) as Declared<TaskFamily, O>,
} as const

/** A task's parameter declaration: names to parameter types. */
export type ParamSpec = Readonly<Record<string, Parameter<any, boolean>>>

/** The value type of one declared parameter. */
export type ParamValue<P> = P extends Parameter<infer T, boolean> ? T : never

/** The task's resolved parameter values, as `task.params` holds them. */
export type ParamValues<S extends ParamSpec> = { readonly [K in keyof S]: ParamValue<S[K]> }

type RequiredKeys<S extends ParamSpec> = { [K in keyof S]: S[K] extends Parameter<any, false> ? K : never }[keyof S]
type OptionalKeys<S extends ParamSpec> = Exclude<keyof S, RequiredKeys<S>>

/** What a task's constructor takes: parameters without a default are required. */
export type ParamInput<S extends ParamSpec> = { [K in RequiredKeys<S>]: ParamValue<S[K]> } & {
  [K in OptionalKeys<S>]?: ParamValue<S[K]>
}
