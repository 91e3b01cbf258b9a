/** Options every parameter type accepts. */
export interface ParameterOptions<T> {
  /** The value used when neither the command line nor the config file gives one. */
  default?: T
  /** One line shown by `etl list` and `--help`. */
  description?: string
  /**
   * Whether the value is part of the task id. An insignificant parameter (a batch size, a log verbosity)
   * changes how a task runs but not which task it is.
   * @defaultValue true
   */
  significant?: boolean
  /**
   * Whether the value is a secret: never part of the task id, never written, logged or sent to the
   * central scheduler, shown as `••••` (see `param.secret()`). Unset, a string parameter is secret when
   * its name looks like one (`password`, `token`, `apiKey`, …) and its config value comes from an
   * `${ENV}` reference; `false` keeps such a parameter an ordinary one.
   */
  secret?: boolean
}

/**
 * A typed task parameter: it parses text from the command line or the config file, accepts values passed
 * in code, and serializes canonically so equal values give equal task ids.
 *
 * `D` records at the type level whether a default was given, so a task's constructor makes exactly the
 * parameters without a default required.
 */
export abstract class Parameter<T, D extends boolean = boolean> {
  declare readonly hasDefaultType: D
  readonly description: string | undefined
  readonly significant: boolean
  /** `true` or `false` when declared; undefined leaves it to the config (see `ParameterOptions.secret`). */
  readonly secret: boolean | undefined
  readonly #options: ParameterOptions<T>

  constructor(options: ParameterOptions<T> = {}) {
    this.#options = options
    this.description = options.description
    this.significant = options.significant ?? true
    this.secret = options.secret
  }

  /** The type's name as `etl list` shows it: `int`, `date`, `enum(full|incremental)`. */
  abstract get typeName(): string

  /** What a valid value looks like, for error messages: "an integer such as 42". */
  abstract get expected(): string

  /** Parses command-line or config text; throws an `Error` whose message is `this.expected`-like. */
  abstract parse(text: string): T

  /** Checks a value given in code or as JSON in the config file; strings are parsed. */
  normalize(value: unknown): T {
    if (typeof value === 'string') return this.parse(value)
    return this.check(value)
  }

  /** Validates a non-string value; the default accepts none. */
  protected check(value: unknown): T {
    throw new Error(`expected ${this.expected}, got ${describeValue(value)}`)
  }

  /** Canonical text for the value: `parse(serialize(v))` gives back `v`. */
  serialize(value: T): string {
    return String(value)
  }

  get hasDefault(): boolean {
    return 'default' in this.#options && this.#options.default !== undefined
  }

  get defaultValue(): T | undefined {
    return this.#options.default
  }
}

/** A short, safe rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value instanceof Date) return value.toISOString()
  try {
    const text = JSON.stringify(value)
    return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text
  } catch {
    return String(value)
  }
}
