/** Per-task parameter values from the config file (`"tasks": {"LoadOrders": {"date": "2024-01-31"}}`). */
export type ParameterDefaults = Readonly<Record<string, Readonly<Record<string, unknown>>>>

let current: ParameterDefaults = {}

/**
 * Sets the config file's per-task parameter values for this process. A task constructed without a value
 * for a parameter takes it from here before falling back to the declared default, so a value in the
 * config applies wherever the task is built, not only on the command line.
 */
export function setParameterDefaults(defaults: ParameterDefaults): void {
  current = defaults
}

/** The config values for one task family. */
export function parameterDefaultsFor(family: string): Readonly<Record<string, unknown>> | undefined {
  return current[family]
}
