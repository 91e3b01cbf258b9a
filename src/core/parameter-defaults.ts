import { EtlError } from '../errors.js'
import { describeValue, type Parameter } from './parameter.js'

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
 * they came from, so an error about one of them names the file that was actually read.
 */
export function setParameterDefaults(defaults: ParameterDefaults, file: string = DEFAULT_SOURCE_NAME): void {
  current = defaults
  sourceName = file
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
      throw new EtlError(
        'ETL_ERR_PARAM_INVALID',
        `invalid value ${describeValue(value)} for parameter '${name}' of task '${family}' (${source}): ${(error as Error).message}`,
      )
    }
  }
  if (parameter.hasDefault) return parameter.defaultValue as T
  throw new EtlError(
    'ETL_ERR_PARAM_MISSING',
    `task '${family}' needs parameter '${name}' (${parameter.expected}): pass --${name} on the command line, set tasks.${family}.${name} in ${sourceName}, or declare a default`,
  )
}
