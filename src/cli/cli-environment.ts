import type { Logger } from 'pino'
import { loadConfig, type EtlConfig } from '../config/load-config.js'
import { setLayout } from '../core/layout.js'
import { setParameterDefaults } from '../core/parameter-defaults.js'
import type { TaskRegistry } from '../core/task-registry.js'
import { EtlError } from '../errors.js'
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
 * per-task parameter values). Command-line options win over the config file.
 */
export async function prepareEnvironment(
  options: GlobalOptions,
  loadRegistry: () => Promise<TaskRegistry> = () => loadTasks(options.module),
): Promise<CliEnvironment> {
  const config = await loadConfig(options.config ? { file: options.config } : {})
  setLayout({ outputDir: config.outputDir, completedDir: config.completedDir })
  const registry = await loadRegistry()
  checkTaskDefaults(config, registry)
  setParameterDefaults(config.tasks)
  const format = options.logFormat ?? config.log.format
  const terminal = new Terminal(process.stderr, Boolean(process.stderr.isTTY) && format === 'text')
  const logger = createLogger({ level: options.logLevel ?? config.log.level, format, write: (line) => terminal.write(line) })
  return { config, registry, logger, terminal }
}

/** The config's `tasks` section must name real tasks and real parameters, checked before anything runs. */
function checkTaskDefaults(config: EtlConfig, registry: TaskRegistry): void {
  const problems: string[] = []
  for (const [family, values] of Object.entries(config.tasks)) {
    const cls = registry.get(family)
    if (!cls) {
      problems.push(`"tasks.${family}": no such task; known tasks: ${registry.families().join(', ')}`)
      continue
    }
    for (const name of Object.keys(values)) {
      if (!(name in cls.params)) problems.push(`"tasks.${family}.${name}": ${family} has no such parameter; known: ${Object.keys(cls.params).join(', ') || '(none)'}`)
    }
  }
  if (problems.length) throw new EtlError('ETL_ERR_CONFIG_INVALID', `${config.file ?? 'etl.config.json'} is invalid:\n  ${problems.join('\n  ')}`)
}
