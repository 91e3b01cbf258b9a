import { SECRET_MASK } from '../secret-mask.js'
import { Parameter, type ParameterOptions } from '../parameter.js'

/** What `param.secret()` takes: a secret is never part of the id, and is always secret. */
export type SecretParameterOptions = Omit<ParameterOptions<string>, 'significant' | 'secret'>

/**
 * A secret string, such as a password, a token or an API key, as Luigi's `significant=False` with
 * `visibility=PRIVATE`: it is not part of the task id (two tasks that differ only in a secret are the
 * same task), it serializes as `••••`, and the worker masks its value in everything it writes, logs
 * or sends to the central scheduler. An error about a bad value never quotes it.
 *
 * ```ts
 * export class Extract extends Task.with({ table: param.string(), password: param.secret() }) {}
 * // etl.config.json: { "tasks": { "Extract": { "password": "${SOURCE_PASSWORD}" } } }
 * new Extract({ table: 'orders' }).toString() // 'Extract(table=orders, password=••••)'
 * ```
 */
export class SecretParameter<D extends boolean = boolean> extends Parameter<string, D> {
  constructor(options: SecretParameterOptions = {}) {
    super({ ...options, significant: false, secret: true })
  }

  get typeName(): string {
    return 'secret'
  }

  get expected(): string {
    return 'a string (a secret)'
  }

  parse(text: string): string {
    return text
  }

  protected override check(value: unknown): string {
    // Only the kind of value: a number given for a password may be the password.
    throw new Error(`expected ${this.expected}, got ${value === null ? 'null' : `a value of type ${typeof value}`}`)
  }

  /** Always the mask: the value has no text form that may be written anywhere. */
  override serialize(_value: string): string {
    return SECRET_MASK
  }
}
