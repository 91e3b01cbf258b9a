import { EtlError } from '../errors.js'
import { describeValue, type Parameter } from './parameter.js'
import { isSecretParameter, setEnvValuedParameters } from './secret-parameters.js'

/** Per-task parameter values from the config file (`"tasks": {"LoadOrders": {"date": "2024-01-31"}}`). */
export type ParameterDefaults = Readonly<Record<string, Readonly<Record<string, unknown>>>>

/** The file the config was read from, as messages name it, when none is known. */
const DEFAULT_SOURCE_NAME = 'etl.config.json'

let current: ParameterDefaults = {}
let sourceName = DEFAULT_SOURCE_NAME

/**
 * Sets the config file's per-task parameter values for this process. A task constructed without a value
 * for a parameter takes it from here before falling back to the declared default, so a value in the
 * config applies wherever the task is built, not only on the command line. `file` is the config file
 * they came from, so an error about one of them names the file that was actually read. `fromEnv`
 * names, per family, the values written as `${ENV}` references: a string parameter named like a
 * secret whose value is one of them is a secret (see `isSecretParameter`).
 */
export function setParameterDefaults(
  defaults: ParameterDefaults,
  file: string = DEFAULT_SOURCE_NAME,
  fromEnv: Readonly<Record<string, readonly string[]>> = {},
): void {
  current = defaults
  sourceName = file
  setEnvValuedParameters(fromEnv)
}

/** The config values for one task family. */
export function parameterDefaultsFor(family: string): Readonly<Record<string, unknown>> | undefined {
  return current[family]
}

/**
 * The value a `family` task gets for parameter `name`: `given` (from code or the command line) if
 * defined, else the config file's `tasks.<family>.<name>`, else the declared default. Each value is
 * checked by the parameter; a bad one is an error naming the task, the parameter, the value and
 * where it came from.
 *
 * Also for a setting several tasks share: a pipeline whose steps all need the folder one task reads
 * asks `resolveParameter('ParseWeblog', 'weblogDir', WEBLOG_DIR)`, so one config key moves it for all.
 */
export function resolveParameter<T>(family: string, name: string, parameter: Parameter<T>, given?: unknown): T {
  const sources: [string, unknown][] = [
    ['as given', given],
    [`from ${sourceName} tasks.${family}.${name}`, current[family]?.[name]],
  ]
  for (const [source, value] of sources) {
    if (value === undefined) continue
    try {
      return parameter.normalize(value)
    } catch (error) {
      // A secret's value, and the parser's words about it, stay out of the message: it may be the secret.
      const [shown, why] = isSecretParameter(family, name, parameter)
        ? ['(hidden: it is a secret)', `expected ${parameter.expected}`]
        : [describeValue(value), (error as Error).message]
      throw new EtlError('ETL_ERR_PARAM_INVALID', `invalid value ${shown} for parameter '${name}' of task '${family}' (${source}): ${why}`)
    }
  }
  if (parameter.hasDefault) return parameter.defaultValue as T
  throw new EtlError(
    'ETL_ERR_PARAM_MISSING',
    `task '${family}' needs parameter '${name}' (${parameter.expected}): pass --${name} on the command line, set tasks.${family}.${name} in ${sourceName}, or declare a default`,
  )
}
