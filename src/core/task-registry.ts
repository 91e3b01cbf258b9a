import { EtlError } from '../errors.js'
import { closestMatch } from '../util/closest-match.js'
import type { Parameter } from './parameter.js'
import { RangeDaily } from './ranges/range-daily.js'
import { RangeHourly } from './ranges/range-hourly.js'
import { isSecretParameter } from './secret-parameters.js'
import { rememberTaskClass } from './task-families.js'
import { familyOf, type TaskClass } from './task.js'
import { ABSTRACT_TASK, TASK_BRAND, type TaskLike } from './task-like.js'

/**
 * Families every registry can build though no module exports them, as Luigi's `RangeDaily` can be
 * run from any module: `etl run RangeDaily --of LoadDay`. A module's own class of the name wins.
 */
const BUILT_IN_TASKS: ReadonlyMap<string, TaskClass> = new Map<string, TaskClass>([
  ['RangeDaily', RangeDaily as unknown as TaskClass],
  ['RangeHourly', RangeHourly as unknown as TaskClass],
])

/** Parameter values as they come from the command line: text, or a boolean for a bare `--flag`. */
export type ParameterTexts = Readonly<Record<string, string | boolean | undefined>>

/**
 * The task families a module exports, by name: what `etl run`, `etl list` and `etl deps` can build.
 * Every exported class that extends `Task` (and is not a framework base) is registered.
 */
export class TaskRegistry {
  readonly #classes = new Map<string, TaskClass>()

  /** Collects the task classes among a module's exports. */
  static fromModule(exports: Readonly<Record<string, unknown>>): TaskRegistry {
    const registry = new TaskRegistry()
    for (const value of Object.values(exports)) if (isTaskClass(value)) registry.add(value)
    return registry
  }

  add(cls: TaskClass): void {
    const family = familyOf(cls)
    const existing = this.#classes.get(family)
    if (existing && existing !== cls) {
      throw new EtlError('ETL_ERR_TASK_DUPLICATE_FAMILY', `two task classes share the family '${family}'; rename one, or set a distinct static family on it`)
    }
    this.#classes.set(family, cls)
    rememberTaskClass(family, cls)
  }

  families(): string[] {
    return [...this.#classes.keys()].sort()
  }

  /** The class for `family`: the module's, else a built-in one (`RangeDaily`, `RangeHourly`). */
  get(family: string): TaskClass | undefined {
    return this.#classes.get(family) ?? BUILT_IN_TASKS.get(family)
  }

  /** The class for `family`, or an error that lists the families there are. */
  require(family: string): TaskClass {
    const cls = this.get(family)
    if (cls) return cls
    const known = this.families()
    const close = closestMatch(family, known)
    const hint = close ? ` (did you mean ${close}?)` : ''
    throw new EtlError('ETL_ERR_TASK_UNKNOWN', `unknown task '${family}'${hint}; known tasks: ${known.join(', ') || '(none: the module exports no Task classes)'}`)
  }

  /** The declared parameters of a family, in declaration order. */
  parameters(family: string): [string, Parameter<unknown>][] {
    return Object.entries(this.require(family).params) as [string, Parameter<unknown>][]
  }

  /**
   * Builds a task from command-line text: each value is parsed by its parameter, and any error names
   * the flag, the value and what it expects.
   */
  create(family: string, texts: ParameterTexts): TaskLike {
    const cls = this.require(family)
    const values: Record<string, unknown> = {}
    for (const [name, text] of Object.entries(texts)) {
      if (text === undefined) continue
      const parameter = cls.params[name] as Parameter<unknown> | undefined
      if (!parameter) {
        const known = Object.keys(cls.params).map((key) => `--${key}`)
        const close = closestMatch(`--${name}`, known)
        const hint = close ? ` (did you mean ${close}?)` : ''
        throw new EtlError('ETL_ERR_PARAM_UNKNOWN', `unknown parameter --${name} for task '${family}'${hint}; known: ${known.join(', ') || '(none)'}`)
      }
      try {
        values[name] = parameter.parse(String(text))
      } catch (error) {
        const [shown, why] = isSecretParameter(family, name, parameter)
          ? ['(hidden: it is a secret)', `expected ${parameter.expected}`]
          : [JSON.stringify(String(text)), (error as Error).message]
        throw new EtlError('ETL_ERR_PARAM_INVALID', `invalid value ${shown} for --${name} of task '${family}': ${why}`)
      }
    }
    return new cls(values)
  }
}

function isTaskClass(value: unknown): value is TaskClass {
  return (
    typeof value === 'function' &&
    (value.prototype as Record<PropertyKey, unknown> | undefined)?.[TASK_BRAND] === true &&
    !Object.hasOwn(value, ABSTRACT_TASK)
  )
}
