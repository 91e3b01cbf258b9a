import { Parameter } from '../parameter.js'

/** A free-text parameter. */
export class StringParameter<D extends boolean = boolean> extends Parameter<string, D> {
  get typeName(): string {
    return 'string'
  }

  get expected(): string {
    return 'a string'
  }

  parse(text: string): string {
    return text
  }
}
