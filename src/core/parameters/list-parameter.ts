import { Parameter, type ParameterOptions } from '../parameter.js'

/**
 * A list of values of one parameter type. On the command line it is a JSON array (`[1,2]`) or
 * comma-separated text (`1,2`).
 */
export class ListParameter<T, D extends boolean = boolean> extends Parameter<readonly T[], D> {
  readonly item: Parameter<T>

  constructor(item: Parameter<T>, options?: ParameterOptions<readonly T[]>) {
    super(options)
    this.item = item
  }

  get typeName(): string {
    return `list(${this.item.typeName})`
  }

  get expected(): string {
    return `a JSON array or comma-separated list of ${this.item.typeName} values`
  }

  parse(text: string): readonly T[] {
    const trimmed = text.trim()
    if (trimmed.startsWith('[')) {
      let parsed: unknown
      try {
        parsed = JSON.parse(trimmed)
      } catch {
        throw new Error(`expected ${this.expected}`)
      }
      return this.check(parsed)
    }
    if (trimmed === '') return Object.freeze([])
    return Object.freeze(trimmed.split(',').map((part) => this.item.parse(part.trim())))
  }

  protected override check(value: unknown): readonly T[] {
    if (!Array.isArray(value)) throw new Error(`expected ${this.expected}`)
    return Object.freeze(value.map((element) => this.item.normalize(element)))
  }

  override serialize(value: readonly T[]): string {
    return JSON.stringify(value.map((element) => this.item.serialize(element)))
  }
}
