import fs from 'node:fs'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { EtlError } from '../errors.js'
import { isSecretKey } from '../util/redact.js'

/**
 * Values for placeholders from resource files (`etl run --vars file.yaml`, a job's `vars`): a
 * mapping, whose nested mappings are reached with dots (`${db.host}`), and the files it came from.
 */
export interface StepVariables {
  readonly values: Readonly<Record<string, unknown>>
  /** The files read, first wins, for messages. */
  readonly files: readonly string[]
}

/** No resource file. */
export const NO_VARIABLES: StepVariables = Object.freeze({ values: Object.freeze({}), files: Object.freeze([]) as readonly string[] })

let current: StepVariables = NO_VARIABLES

/**
 * Reads a resource file: YAML (`.yaml`, `.yml`) or JSON (`.json`), whose top level is a mapping.
 * A missing or malformed file is an error naming it and the fix.
 */
export function readVariablesFile(file: string): StepVariables {
  const shown = path.relative(process.cwd(), file) || file
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new EtlError('ETL_ERR_STEP_VARS_UNREADABLE', `cannot read the vars file ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path (it is relative to the working folder, or to the job file that names it)`, { cause: error })
  }
  let values: unknown
  try {
    values = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text)
  } catch (error) {
    throw new EtlError('ETL_ERR_STEP_VARS_UNREADABLE', `the vars file ${shown} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${firstLineOf(error)}; fix it`, { cause: error })
  }
  if (values === null || values === undefined) values = {}
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw new EtlError('ETL_ERR_STEP_VARS_UNREADABLE', `the vars file ${shown} must hold a mapping of names to values (name: value), not ${Array.isArray(values) ? 'a list' : JSON.stringify(values)}`)
  }
  return Object.freeze({ values: Object.freeze(values as Record<string, unknown>), files: Object.freeze([shown]) })
}

/** Several resource files as one: where two give the same top-level name, the first wins. */
export function mergeVariables(...layers: readonly StepVariables[]): StepVariables {
  const values: Record<string, unknown> = {}
  for (const layer of [...layers].reverse()) Object.assign(values, layer.values)
  return Object.freeze({ values: Object.freeze(values), files: Object.freeze(layers.flatMap((layer) => layer.files)) })
}

/** Sets the process-wide resource values every command and SQL task looks in (`etl run --vars`). */
export function setStepVariables(variables: StepVariables): void {
  current = variables
}

/** The process-wide resource values (none unless `setStepVariables` was called). */
export function getStepVariables(): StepVariables {
  return current
}

/**
 * The text of every value whose name (or a name above it) looks like a secret (`password`,
 * `db.token`, …), for the worker to mask wherever it would show: a resource file often holds
 * a connection's credentials.
 */
export function secretVariableTexts(variables: StepVariables): string[] {
  const found: string[] = []
  const walk = (value: unknown, secret: boolean) => {
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, secret || isSecretKey(key))
    } else if (secret && value !== null && value !== undefined && String(value) !== '') found.push(String(value))
  }
  walk(variables.values, false)
  return found
}

function firstLineOf(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n', 1)[0] ?? ''
}
