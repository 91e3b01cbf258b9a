import path from 'node:path'
import type { Logger } from 'pino'
import { DEFAULT_CONFIG_FILE, loadConfig, type EtlConfig } from '../config/load-config.js'
import { setLayout } from '../core/layout.js'
import { setParameterDefaults } from '../core/parameter-defaults.js'
import { describeValue, type Parameter } from '../core/parameter.js'
import { isSecretParameter } from '../core/secret-parameters.js'
import { TaskRegistry } from '../core/task-registry.js'
import { EtlError } from '../errors.js'
import { closestMatch } from '../util/closest-match.js'
import { createLogger, type LogFormat, type LogLevel } from '../util/logger.js'
import { loadTasks } from './load-tasks.js'
import { Terminal } from './terminal.js'

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string | undefined
  module?: string | undefined
  logLevel?: LogLevel | undefined
  logFormat?: LogFormat | undefined
}

/** What a command works with: the validated config, the tasks, a logger that respects the progress line. */
export interface CliEnvironment {
  config: EtlConfig
  registry: TaskRegistry
  logger: Logger
  terminal: Terminal
}

/**
 * Loads the config and the task module, and applies the config process-wide (marker folders,
 * per-task parameter values). Command-line options win over the config file. The config's `tasks`
 * section is checked against the module's tasks; a command that loads no module (`loadRegistry`
 * gives undefined) has nothing to check it against, and leaves it be.
 */
export async function prepareEnvironment(
  options: GlobalOptions,
  loadRegistry: () => Promise<TaskRegistry | undefined> = () => loadTasks(options.module),
): Promise<CliEnvironment> {
  const config = await loadConfig(options.config ? { file: options.config } : {})
  setLayout({ outputDir: config.outputDir, completedDir: config.completedDir })
  const registry = await loadRegistry()
  // Before the check, which must know which values are secrets to keep them out of its messages.
  setParameterDefaults(config.tasks, configName(config), config.tasksFromEnv)
  if (registry) checkTaskDefaults(config, registry)
  const format = options.logFormat ?? config.log.format
  const terminal = new Terminal(process.stderr, Boolean(process.stderr.isTTY) && format === 'text')
  const logger = createLogger({ level: options.logLevel ?? config.log.level, format, write: (line) => terminal.write(line) })
  return { config, registry: registry ?? new TaskRegistry(), logger, terminal }
}

/** How messages name the config file: the file read (relative to here when it is below), else the name it would have. */
function configName(config: EtlConfig): string {
  if (!config.file) return DEFAULT_CONFIG_FILE
  const relative = path.relative(process.cwd(), config.file)
  return relative.startsWith('..') || path.isAbsolute(relative) ? config.file : relative
}

/**
 * The config's `tasks` section must name real tasks and real parameters, with values each parameter
 * accepts: checked before anything runs, rather than when (or if) the task is first built.
 */
function checkTaskDefaults(config: EtlConfig, registry: TaskRegistry): void {
  const problems: string[] = []
  for (const [family, values] of Object.entries(config.tasks)) {
    const cls = registry.get(family)
    if (!cls) {
      problems.push(`"tasks.${family}": no such task${suggestion(family, registry.families())}; known tasks: ${registry.families().join(', ') || '(none)'}`)
      continue
    }
    for (const [name, value] of Object.entries(values)) {
      const parameter = cls.params[name] as Parameter<unknown> | undefined
      if (!parameter) {
        const known = Object.keys(cls.params)
        problems.push(`"tasks.${family}.${name}": ${family} has no such parameter${suggestion(name, known)}; known: ${known.join(', ') || '(none)'}`)
        continue
      }
      try {
        parameter.normalize(value)
      } catch (error) {
        const [shown, why] = isSecretParameter(family, name, parameter)
          ? ['a value (hidden: it is a secret)', `expected ${parameter.expected}`]
          : [describeValue(value), (error as Error).message]
        problems.push(`"tasks.${family}.${name}": got ${shown}; ${why}`)
      }
    }
  }
  if (problems.length) throw new EtlError('ETL_ERR_CONFIG_INVALID', `${configName(config)} is invalid:\n  ${problems.join('\n  ')}`)
}

function suggestion(name: string, known: readonly string[]): string {
  const close = closestMatch(name, known)
  return close ? ` (did you mean ${close}?)` : ''
}
