import fs from 'node:fs/promises'
import path from 'node:path'
import type { z } from 'zod'
import { EtlError } from '../errors.js'
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../core/retry-policy.js'
import { deepFreeze, canonicalJson } from '../util/canonical-json.js'
import type { LogFormat, LogLevel } from '../util/logger.js'
import { configSchema, type ConfigFile } from './config-schema.js'
import { hasEnvReference, substituteEnv } from './env-substitution.js'
import { isSecretKey, redactSecrets } from '../util/redact.js'

/** The config file looked for in the working directory when none is named. */
export const DEFAULT_CONFIG_FILE = 'etl.config.json'

/** The configuration every command works from: the file's values over the defaults, validated and frozen. */
export interface EtlConfig {
  /** The file read, or undefined when running on defaults. */
  readonly file: string | undefined
  readonly workers: number
  readonly outputDir: string
  readonly completedDir: string
  readonly lockDir: string | undefined
  readonly retry: RetryPolicy
  readonly resources: Readonly<Record<string, number>>
  readonly log: { readonly level: LogLevel; readonly format: LogFormat }
  readonly tasks: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  /**
   * Per task family, the parameters whose `tasks` value the file writes as an `${ENV}` reference: a
   * string parameter named like a secret is a secret when its value comes from one.
   */
  readonly tasksFromEnv: Readonly<Record<string, readonly string[]>>
  /** The validated file as written (after `${ENV}` substitution), for sections other parts own. */
  readonly raw: Readonly<ConfigFile>
}

export interface LoadConfigOptions {
  /** A config file to read; it must exist. @defaultValue `etl.config.json` in `cwd`, if there is one */
  file?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
}

/**
 * Reads, substitutes `${ENV}` references in, validates and freezes the config. Every invalid key is
 * reported at once, each with the key, the bad value and what is allowed.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<EtlConfig> {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const file = options.file ? path.resolve(cwd, options.file) : await existing(path.join(cwd, DEFAULT_CONFIG_FILE))
  const raw = file ? await readJson(file, options.file !== undefined) : {}
  return resolveConfig(raw, { file, env })
}

/** Validates an already-parsed config object; `loadConfig` without the file reading. */
export function resolveConfig(input: unknown, options: { file?: string | undefined; env?: NodeJS.ProcessEnv } = {}): EtlConfig {
  const name = options.file ? path.basename(options.file) : DEFAULT_CONFIG_FILE
  refuseSecretScheduleParams(input, name)
  const substituted = substituteEnv(input, options.env ?? process.env, name)
  const parsed = configSchema.safeParse(substituted)
  if (!parsed.success) throw invalidConfig(name, substituted, parsed.error.issues)
  const data = parsed.data
  return deepFreeze({
    file: options.file,
    workers: data.workers ?? 1,
    outputDir: data.outputDir ?? 'output',
    completedDir: data.completedDir ?? 'completed',
    lockDir: data.lockDir,
    retry: { ...DEFAULT_RETRY_POLICY, ...data.retry },
    resources: data.resources ?? {},
    log: { level: data.log?.level ?? 'info', format: data.log?.format ?? 'text' },
    tasks: data.tasks ?? {},
    tasksFromEnv: envValuedTaskParameters(input),
    raw: data,
  })
}

/**
 * Refuses a schedule parameter written as an `${ENV}` reference: a schedule's parameters go on its
 * run's command line, where anyone on the machine can read them, and into the daemon's run records.
 * The run reads `tasks.<Family>.<param>` from the config itself, so a secret belongs there.
 */
function refuseSecretScheduleParams(input: unknown, name: string): void {
  const schedules = (input as { schedules?: unknown } | null)?.schedules
  if (!Array.isArray(schedules)) return
  const lines: string[] = []
  schedules.forEach((schedule: unknown, index) => {
    const { task, params } = (schedule ?? {}) as { task?: unknown; params?: unknown }
    if (params === null || typeof params !== 'object') return
    for (const [param, value] of Object.entries(params)) {
      if (!hasEnvReference(value)) continue
      const family = typeof task === 'string' ? task : '<Task>'
      lines.push(
        `"schedules.${index}.params.${param}": got an \${ENV} reference; a schedule's parameters go on its run's command line, where anyone on the machine can read them: remove it here and set "tasks.${family}.${param}": ${JSON.stringify(value)} instead, which the run reads from the environment itself`,
      )
    }
  })
  if (lines.length) throw new EtlError('ETL_ERR_CONFIG_INVALID', `${name} is invalid:\n  ${lines.join('\n  ')}`)
}

/** The `tasks.<Family>.<param>` values of the file as written (before substitution) that use `${ENV}`. */
function envValuedTaskParameters(input: unknown): Record<string, string[]> {
  const tasks = (input as { tasks?: unknown } | null)?.tasks
  if (tasks === null || typeof tasks !== 'object') return {}
  const found: Record<string, string[]> = {}
  for (const [family, values] of Object.entries(tasks)) {
    if (values === null || typeof values !== 'object') continue
    const names = Object.keys(values).filter((name) => hasEnvReference((values as Record<string, unknown>)[name]))
    if (names.length) found[family] = names
  }
  return found
}

async function existing(file: string): Promise<string | undefined> {
  try {
    await fs.access(file)
    return file
  } catch {
    return undefined
  }
}

async function readJson(file: string, named: boolean): Promise<unknown> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    const hint = named ? 'check the --config path' : 'check its permissions'
    throw new EtlError('ETL_ERR_CONFIG_UNREADABLE', `cannot read config file ${file}: ${(error as Error).message}; ${hint}`, { cause: error })
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new EtlError('ETL_ERR_CONFIG_UNREADABLE', `config file ${file} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
}

function invalidConfig(name: string, input: unknown, issues: readonly z.core.$ZodIssue[]): EtlError {
  const lines = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? `in "${issue.path.join('.')}"` : 'at the top level'
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} ${where}; remove or rename ${issue.keys.length > 1 ? 'them' : 'it'}`
    }
    const value = valueAt(input, issue.path)
    const key = String(issue.path[issue.path.length - 1] ?? '')
    const shown =
      value === undefined ? 'nothing' : isSecretKey(key) ? 'a value (hidden: it is a secret)' : canonicalJson(redactSecrets(value))
    return `"${issue.path.join('.')}": got ${shown}; ${issue.message}`
  })
  return new EtlError('ETL_ERR_CONFIG_INVALID', `${name} is invalid:\n  ${lines.join('\n  ')}`)
}

function valueAt(input: unknown, keys: readonly PropertyKey[]): unknown {
  let value = input
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}
