import { Parameter, type ParameterOptions } from '../parameter.js'

/** One of a fixed set of strings; the TypeScript type is their union. */
export class EnumParameter<const V extends readonly string[], D extends boolean = boolean> extends Parameter<V[number], D> {
  readonly choices: V

  constructor(choices: V, options?: ParameterOptions<V[number]>) {
    super(options)
    if (choices.length === 0) throw new Error('an enum parameter needs at least one choice')
    this.choices = Object.freeze([...choices]) as unknown as V
  }

  get typeName(): string {
    return `enum(${this.choices.join('|')})`
  }

  get expected(): string {
    return `one of ${this.choices.join(', ')}`
  }

  parse(text: string): V[number] {
    if (!this.choices.includes(text)) throw new Error(`expected ${this.expected}`)
    return text as V[number]
  }
}
