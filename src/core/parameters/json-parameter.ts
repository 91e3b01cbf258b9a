import { canonicalJson, deepFreeze } from '../../util/canonical-json.js'
import { Parameter } from '../parameter.js'

/** Any JSON value; it serializes with sorted keys, so key order never changes a task id. */
export class JsonParameter<T = unknown, D extends boolean = boolean> extends Parameter<T, D> {
  get typeName(): string {
    return 'json'
  }

  get expected(): string {
    return 'a JSON value such as {"a":1}'
  }

  parse(text: string): T {
    try {
      return deepFreeze(JSON.parse(text) as T)
    } catch {
      throw new Error(`expected ${this.expected}`)
    }
  }

  override normalize(value: unknown): T {
    // A JSON parameter's value may itself be a string, so only text from the command line is parsed.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') throw new Error(`expected ${this.expected}`)
    return deepFreeze(JSON.parse(JSON.stringify(value)) as T)
  }

  override serialize(value: T): string {
    return canonicalJson(value)
  }
}
