import { EtlError } from '../errors.js'

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g
/** The same, for a yes/no test: a global pattern's `test` would carry its position from one call to the next. */
const HAS_REFERENCE = new RegExp(REFERENCE.source)

/**
 * Replaces `${NAME}` (or `${NAME:-fallback}`) in every string of a parsed config with the environment's
 * value, so secrets live in the environment and never in the file. A reference to an unset variable
 * without a fallback is an error naming the key and the variable.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, file: string, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (_, name: string, fallback: string | undefined) => {
      const found = env[name]
      if (found !== undefined) return found
      if (fallback !== undefined) return fallback
      throw new EtlError(
        'ETL_ERR_CONFIG_ENV_MISSING',
        `${file} "${path.join('.')}": environment variable ${name} is not set; export it, or write \${${name}:-default} to give a fallback`,
      )
    })
  }
  if (Array.isArray(value)) return value.map((item, index) => substituteEnv(item, env, file, [...path, String(index)]))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteEnv(item, env, file, [...path, key])]))
  }
  return value
}

/**
 * True when a config value (a string, or any string inside an array or object) holds an `${ENV}`
 * reference: where secrets are written, so what `tasks.<Family>.<param>` values may be secrets.
 *
 * ```ts
 * hasEnvReference('${SOURCE_PASSWORD}') // true
 * hasEnvReference('orders') // false
 * ```
 */
export function hasEnvReference(value: unknown): boolean {
  if (typeof value === 'string') return HAS_REFERENCE.test(value)
  if (Array.isArray(value)) return value.some(hasEnvReference)
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasEnvReference)
  return false
}
