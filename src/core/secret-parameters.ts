import { isSecretKey } from '../util/redact.js'
import type { Parameter } from './parameter.js'

/** Per task family, the parameters whose config value uses an `${ENV}` reference. */
let envValued: ReadonlyMap<string, ReadonlySet<string>> = new Map()

/**
 * Records which of the config's `tasks.<Family>.<param>` values come from `${ENV}` references; set with
 * the config's parameter values (`setParameterDefaults`). @internal
 */
export function setEnvValuedParameters(fromEnv: Readonly<Record<string, readonly string[]>>): void {
  envValued = new Map(Object.entries(fromEnv).map(([family, names]) => [family, new Set(names)]))
}

/**
 * Whether parameter `name` of `family` holds a secret in this process: declared so (`param.secret()`,
 * or `secret: true`), or a string parameter named like a secret (`password`, `token`, `apiKey`, …)
 * whose config value comes from `${ENV}`, the way the README writes one. `secret: false` opts out.
 *
 * The config decides for the whole process, so the same task built from the command line, the config
 * or code is the same task, with the same id.
 *
 * ```ts
 * // etl.config.json: { "tasks": { "Extract": { "password": "${SOURCE_PASSWORD}" } } }
 * isSecretParameter('Extract', 'password', param.string()) // true
 * isSecretParameter('Extract', 'password', param.string({ secret: false })) // false
 * isSecretParameter('Login', 'token', param.secret()) // true, whatever the config says
 * ```
 */
export function isSecretParameter(family: string, name: string, parameter: Parameter<unknown>): boolean {
  if (parameter.secret !== undefined) return parameter.secret
  return envValued.get(family)?.has(name) === true && looksSecret(name, parameter)
}

/**
 * Whether the parameter is, or would be with an `${ENV}` config value, a secret: what `--help` and
 * `etl list` go by before (or without) knowing where a value comes from, so neither shows a default.
 */
export function mayBeSecret(name: string, parameter: Parameter<unknown>): boolean {
  return parameter.secret ?? looksSecret(name, parameter)
}

/** A secret value as the worker finds it in text: the string itself, or a non-string's canonical text. */
export function secretText(parameter: Parameter<unknown>, value: unknown): string {
  return typeof value === 'string' ? value : parameter.serialize(value)
}

function looksSecret(name: string, parameter: Parameter<unknown>): boolean {
  // Only text: a number or a date named like a secret (`tokenCount`) is not one.
  return parameter.typeName === 'string' && isSecretKey(name)
}
