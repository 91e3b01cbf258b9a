import { Parameter } from '../parameter.js'

const INTEGER = /^[+-]?\d+$/

/** A whole number within JavaScript's safe integer range. */
export class IntParameter<D extends boolean = boolean> extends Parameter<number, D> {
  get typeName(): string {
    return 'int'
  }

  get expected(): string {
    return 'an integer such as 42'
  }

  parse(text: string): number {
    const trimmed = text.trim()
    if (!INTEGER.test(trimmed)) throw new Error(`expected ${this.expected}`)
    return this.check(Number(trimmed))
  }

  protected override check(value: unknown): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`expected ${this.expected}`)
    return value
  }
}
