import { Parameter } from '../parameter.js'

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

/** A finite floating-point number. */
export class FloatParameter<D extends boolean = boolean> extends Parameter<number, D> {
  get typeName(): string {
    return 'float'
  }

  get expected(): string {
    return 'a number such as 0.5'
  }

  parse(text: string): number {
    const trimmed = text.trim()
    if (!NUMBER.test(trimmed)) throw new Error(`expected ${this.expected}`)
    return this.check(Number(trimmed))
  }

  protected override check(value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`expected ${this.expected}`)
    return value
  }
}
