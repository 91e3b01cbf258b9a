import { Parameter } from '../parameter.js'

const TRUE = new Set(['true', '1', 'yes', 'y', 'on'])
const FALSE = new Set(['false', '0', 'no', 'n', 'off'])

/** A yes/no parameter; on the command line `--flag`, `--flag true` and `--no-flag` all work. */
export class BoolParameter<D extends boolean = boolean> extends Parameter<boolean, D> {
  get typeName(): string {
    return 'bool'
  }

  get expected(): string {
    return 'true or false'
  }

  parse(text: string): boolean {
    const lower = text.trim().toLowerCase()
    if (TRUE.has(lower)) return true
    if (FALSE.has(lower)) return false
    throw new Error(`expected ${this.expected}`)
  }

  protected override check(value: unknown): boolean {
    if (typeof value !== 'boolean') throw new Error(`expected ${this.expected}`)
    return value
  }
}
