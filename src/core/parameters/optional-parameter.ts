import { Parameter, type ParameterOptions } from '../parameter.js'

/**
 * A parameter that may be left unset: `null` (empty text on the command line) or a value of `item`'s
 * type. Its default is `null` unless one is given.
 *
 * ```ts
 * class Report extends Task.with({ until: param.optional(param.date()) }) {}
 * // --until 2024-03-31, or nothing: this.params.until is null
 * ```
 */
export class OptionalParameter<T> extends Parameter<T | null, true> {
  readonly item: Parameter<T>

  constructor(item: Parameter<T>, options: ParameterOptions<T | null> = {}) {
    super({ ...options, default: options.default === undefined ? null : options.default })
    this.item = item
  }

  get typeName(): string {
    return `optional(${this.item.typeName})`
  }

  get expected(): string {
    return `${this.item.expected}, or nothing`
  }

  parse(text: string): T | null {
    return text.trim() === '' ? null : this.item.parse(text)
  }

  override normalize(value: unknown): T | null {
    return value === null ? null : this.item.normalize(value)
  }

  override serialize(value: T | null): string {
    return value === null ? '' : this.item.serialize(value)
  }
}
