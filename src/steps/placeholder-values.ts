import { EtlError } from '../errors.js'
import type { TaskResult } from '../core/output-marker.js'
import type { Placeholder } from './placeholder.js'
import type { StepVariables } from './step-variables.js'

/** A placeholder's value: as bound in SQL, as written in a command, and where it came from. */
export interface ResolvedValue {
  readonly value: unknown
  readonly text: string
  readonly source: 'parameter' | 'vars' | 'run-time'
}

/** A task parameter's value and its text (what the command line would give). */
export interface ParameterValue {
  readonly value: unknown
  readonly text: string
}

/**
 * Where the placeholders of one task find their values, in this order: the task's parameters, the
 * resource files, then the values the tasks it requires returned (`${step.field}`, read from
 * their markers once they have run).
 */
export interface PlaceholderScope {
  /** The task asking, for messages: `SupportLoad.staging(date=2024-01-31)`. */
  readonly owner: string
  readonly params: ReadonlyMap<string, ParameterValue>
  readonly vars: StepVariables
  /**
   * Run-time values by the name `${name.field}` uses: a required task's result (undefined until it
   * has run; null when it recorded none), a follow-up's own `result` and `error`.
   */
  readonly runTime: ReadonlyMap<string, TaskResult | null | undefined>
}

/**
 * Looks placeholders up in a task's {@link PlaceholderScope}. `check` runs before anything does and
 * refuses a placeholder that can have no value; `resolve` gives the value once the run-time values
 * are there.
 */
export class PlaceholderValues {
  readonly #scope: PlaceholderScope

  constructor(scope: PlaceholderScope) {
    this.#scope = scope
  }

  /** Refuses, naming the task, the placeholder and where values come from, any placeholder that cannot have a value. */
  check(placeholders: readonly Placeholder[]): void {
    for (const placeholder of placeholders) {
      if (this.#fixed(placeholder) !== undefined) continue
      const [head, ...rest] = placeholder.path
      if (this.#scope.runTime.has(head!)) {
        if (rest.length === 0) throw this.#wholeResult(placeholder)
        continue
      }
      throw this.#unresolved(placeholder)
    }
  }

  /** True when the placeholder's value is known before anything runs (a parameter or a vars value). */
  isKnown(placeholder: Placeholder): boolean {
    return this.#fixed(placeholder) !== undefined
  }

  /** The value of a placeholder, or an error saying why there is none. */
  resolve(placeholder: Placeholder): ResolvedValue {
    const fixed = this.#fixed(placeholder)
    if (fixed) return fixed
    const [head, ...rest] = placeholder.path
    if (!this.#scope.runTime.has(head!)) throw this.#unresolved(placeholder)
    if (rest.length === 0) throw this.#wholeResult(placeholder)
    const result = this.#scope.runTime.get(head!)
    const found = result ? lookup(result, rest) : undefined
    if (found === undefined) {
      const has = result ? Object.keys(result) : []
      const what = result === undefined ? 'has not run yet' : result === null ? 'recorded no result (its marker has none: it may have completed in a run that did not record one; invalidate it to run it again)' : `returned no "${rest.join('.')}" (it returned: ${has.join(', ') || 'nothing'})`
      throw new EtlError('ETL_ERR_STEP_PLACEHOLDER_UNRESOLVED', `${this.#scope.owner}: placeholder ${placeholder.text} has no value: "${head}" ${what}; make it return that field, or give the value another way`)
    }
    return scalar(placeholder, this.#scope.owner, found.value, 'run-time', found.value)
  }

  /** A value known before anything runs: a parameter, else a resource file's. */
  #fixed(placeholder: Placeholder): ResolvedValue | undefined {
    const { path } = placeholder
    const parameter = path.length === 1 ? this.#scope.params.get(path[0]!) : undefined
    if (parameter) return { value: parameter.value, text: parameter.text, source: 'parameter' }
    const found = lookup(this.#scope.vars.values, path)
    if (found) return scalar(placeholder, this.#scope.owner, found.value, 'vars', found.value)
    return undefined
  }

  #wholeResult(placeholder: Placeholder): EtlError {
    return new EtlError(
      'ETL_ERR_STEP_PLACEHOLDER_INVALID',
      `${this.#scope.owner}: placeholder ${placeholder.text} names a whole result; name one of its fields: \${${placeholder.name}.<field>}`,
    )
  }

  #unresolved(placeholder: Placeholder): EtlError {
    const { params, vars, runTime } = this.#scope
    const name = placeholder.name
    const parameters = [...params.keys()]
    const files = vars.files.length ? `the vars (${vars.files.join(', ')})` : 'the vars (no vars file given: pass --vars file.yaml, or a job\'s "vars")'
    const required = [...runTime.keys()]
    const steps = required.length ? `a result of a task upstream (write \${<step>.<field>}; upstream: ${required.join(', ')})` : 'a result of a task upstream (there is none)'
    return new EtlError(
      'ETL_ERR_STEP_PLACEHOLDER_UNRESOLVED',
      `${this.#scope.owner}: placeholder ${placeholder.text} has no value: it is not a parameter (parameters: ${parameters.join(', ') || 'none'}), not in ${files}, and not ${steps}; ` +
        `declare the parameter, add "${name}" to a vars file, or write $\${${name}} for a literal \${${name}}`,
    )
  }
}

function lookup(root: Readonly<Record<string, unknown>>, path: readonly string[]): { value: unknown } | undefined {
  let value: unknown = root
  for (const part of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return { value }
}

/** A resource or run-time value as a placeholder's: text, a number, true/false, null, a list of those; not a mapping. */
function scalar(placeholder: Placeholder, owner: string, value: unknown, source: ResolvedValue['source'], bound: unknown): ResolvedValue {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    const fields = Object.keys(value).slice(0, 5).map((key) => `\${${placeholder.name}.${key}}`)
    throw new EtlError('ETL_ERR_STEP_PLACEHOLDER_INVALID', `${owner}: placeholder ${placeholder.text} is a mapping, not a value; name one of its fields: ${fields.join(', ')}`)
  }
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.map(String).join(',') : String(value)
  return { value: bound ?? null, text, source }
}
