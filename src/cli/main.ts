import yargs, { type Argv } from 'yargs'
import { hideBin } from 'yargs/helpers'
import { isSchedulingError } from '../errors.js'
import { TaskRegistry } from '../core/task-registry.js'
import { LOG_FORMATS, LOG_LEVELS } from '../util/logger.js'
import { prepareEnvironment, type GlobalOptions } from './cli-environment.js'
import { depsCommand } from './commands/deps-command.js'
import { invalidateCommand } from './commands/invalidate-command.js'
import { listCommand } from './commands/list-command.js'
import { runCommand, type RemoteSchedulerFactory } from './commands/run-command.js'
import { COMMAND_OPTIONS } from './command-options.js'
import { schedulerCommand } from './commands/scheduler-command.js'
import { ExitCode, type ExitCodeValue } from './exit-codes.js'
import { loadTasks } from './load-tasks.js'
import { declareTaskOptions, taskTexts } from './task-arguments.js'
import { taskOrigin } from './task-origin.js'

/** A mistake in the command line itself, reported with the scheduling-error exit code. */
class UsageError extends Error {}

/** Commands that build a task from `<task>` and `--<param>` arguments. */
const TASK_COMMANDS = new Set(['run', 'deps', 'invalidate'])

const connectRemoteScheduler: RemoteSchedulerFactory = async (url, env, root) => {
  const { RemoteScheduler, remoteSchedulerOptions } = await import('../scheduler/remote-scheduler.js')
  return new RemoteScheduler({ ...remoteSchedulerOptions(env.config.raw.scheduler, url), runLabel: process.env.ETL_RUN_LABEL ?? String(root) })
}

/**
 * The `etl` command line. Returns the exit code rather than exiting, so tests can call it in-process.
 */
export async function main(argv: string[] = hideBin(process.argv)): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.OK
  const { command, module } = preParse(argv)
  let registry: TaskRegistry | undefined
  let registryError: unknown
  if (command && (TASK_COMMANDS.has(command) || command === 'list')) {
    try {
      registry = await loadTasks(module)
    } catch (error) {
      registryError = error
    }
  }
  const tasks = async () => {
    if (!registry) throw registryError
    return registry
  }
  const environment = (options: GlobalOptions) => prepareEnvironment(options, tasks)

  const cli = yargs(argv)
    .scriptName('etl')
    .usage('$0 <command> [options]\n\nA dependency-graph task orchestrator: run a task and whatever it needs that is not complete yet.')
    .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false, 'strip-dashed': true })
    .option('config', { type: 'string', describe: 'config file (default: etl.config.json in the working directory, if present)', global: true })
    .option('module', { type: 'string', describe: 'module that exports the task classes (.ts or .js)', default: undefined, defaultDescription: 'tasks/index.ts', global: true })
    .option('log-level', { choices: LOG_LEVELS, describe: 'log level (default: the config, else info)', global: true })
    .option('log-format', { choices: LOG_FORMATS, describe: 'text lines, or JSON lines for log shippers', global: true })
    .command(
      'run <task>',
      'run a task and everything it needs that is not complete',
      (y: Argv) =>
        declareTaskOptions(
          y
            .positional('task', { type: 'string', describe: 'the task family, e.g. RunJob' })
            .option('local-scheduler', { type: 'boolean', default: false, describe: 'schedule in this process instead of asking the central scheduler' })
            .option('scheduler-url', { type: 'string', describe: 'the central scheduler (default: the config, else http://127.0.0.1:8082)' })
            .option('workers', { type: 'number', describe: 'tasks to run at once (default: the config, else 1)' })
            .option('lock', { type: 'boolean', default: true, describe: 'refuse to start while the same task runs on this machine (--no-lock to skip)' })
            .check((args) => {
              if (args.workers !== undefined && (!Number.isInteger(args.workers) || args.workers < 1)) {
                throw new UsageError(`--workers must be a whole number of at least 1, got ${String(args.workers)}`)
              }
              return true
            }),
          registry,
          taskArgument(argv),
        ),
      async (args) => {
        const env = await environment(args as GlobalOptions)
        const root = env.registry.create(String(args.task), taskTexts(args, COMMAND_OPTIONS))
        const options = {
          localScheduler: Boolean(args.localScheduler),
          schedulerUrl: args.schedulerUrl as string | undefined,
          workers: args.workers as number | undefined,
          lock: args.lock !== false,
          origin: taskOrigin(args as GlobalOptions),
        }
        exitCode = await runCommand(env, root, options, connectRemoteScheduler)
      },
    )
    .command(
      'list',
      'list the registered tasks and their parameters',
      (y: Argv) => y,
      async (args) => {
        const env = await environment(args as GlobalOptions)
        process.stdout.write(listCommand(env.registry))
      },
    )
    .command(
      'deps <task>',
      'show the dependency tree below a task, with each task’s status',
      (y: Argv) => declareTaskOptions(y.positional('task', { type: 'string', describe: 'the task family' }), registry, taskArgument(argv)),
      async (args) => {
        const env = await environment(args as GlobalOptions)
        const root = env.registry.create(String(args.task), taskTexts(args, COMMAND_OPTIONS))
        const { DataServices } = await import('../db/data-services.js')
        const data = DataServices.fromConfig(env.config)
        try {
          process.stdout.write(await depsCommand(root, { data, db: (name) => data.database(name) }))
        } finally {
          await data.close()
        }
      },
    )
    .command(
      'invalidate <task>',
      'remove a task’s outputs so it runs again',
      (y: Argv) =>
        declareTaskOptions(
          y
            .positional('task', { type: 'string', describe: 'the task family' })
            .option('downstream', { type: 'boolean', default: false, describe: 'also invalidate every task that depends on it' })
            .option('dry-run', { type: 'boolean', default: false, describe: 'only show what would be removed' }),
          registry,
          taskArgument(argv),
        ),
      async (args) => {
        const env = await environment(args as GlobalOptions)
        const root = env.registry.create(String(args.task), taskTexts(args, COMMAND_OPTIONS))
        process.stdout.write(await invalidateCommand(root, env.registry, { downstream: Boolean(args.downstream), dryRun: Boolean(args.dryRun) }))
      },
    )
    .command(
      'scheduler',
      'start the central scheduler daemon and its web UI',
      (y: Argv) =>
        y
          .option('host', { type: 'string', describe: 'address to bind (default: the config, else 127.0.0.1: this machine only)' })
          .option('port', { type: 'number', describe: 'port (default: the config, else 8082)' })
          .option('state-dir', { type: 'string', describe: 'folder of the daemon state and embedded run history (default: data/scheduler)' }),
      async (args) => {
        const env = await prepareEnvironment(args as GlobalOptions, async () => new TaskRegistry())
        exitCode = await schedulerCommand(env, {
          host: args.host as string | undefined,
          port: args.port as number | undefined,
          stateDir: args.stateDir as string | undefined,
        })
      },
    )
    .command(
      'demo <action>',
      'build the sample order source and access log (init), or add a day of changes to it (advance)',
      (y: Argv) =>
        y
          .positional('action', { choices: ['init', 'advance'] as const, describe: 'init: create the sample source; advance: insert, update and soft-delete rows, append log lines' })
          .option('scale', { type: 'number', describe: 'init: sample size (1 ≈ 2,000 order lines; default 1)' })
          .option('seed', { type: 'number', describe: 'the random seed: the same seed gives the same data (default 42)' })
          .option('weblog-dir', { type: 'string', describe: 'folder for access.log and ip-ranges.csv (default data/weblog)' }),
      async (args) => {
        const env = await prepareEnvironment(args as GlobalOptions, async () => new TaskRegistry())
        const { DataServices } = await import('../db/data-services.js')
        const { demoCommand } = await import('../etl/demo/demo-command.js')
        const data = DataServices.fromConfig(env.config)
        try {
          const options = { scale: args.scale as number | undefined, seed: args.seed as number | undefined, weblogDir: args.weblogDir as string | undefined }
          process.stdout.write(await demoCommand(args.action as 'init' | 'advance', data, options))
        } finally {
          await data.close()
        }
      },
    )
    .demandCommand(1, 'name a command: run, list, deps, invalidate, scheduler or demo')
    .strict()
    .fail((message, error) => {
      // Without the task module no task parameter is declared, so each one is "unknown": the module is what to report.
      if (!error && registryError && /unknown argument/i.test(message)) throw registryError
      throw error ?? new UsageError(explainUsage(message, argv, registry))
    })
    .exitProcess(false)
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))

  try {
    await cli.parseAsync()
    return exitCode
  } catch (error) {
    return reportError(error)
  }
}

/**
 * The command, the `<task>` of a task command and `--module`, read before the real parse (which needs the
 * task's parameters declared). Options that take a value are declared, so `etl --config prod.json run X`
 * does not mistake `prod.json` for the command.
 */
function preParse(argv: string[]): { command: string | undefined; task: string | undefined; module: string | undefined } {
  const pre = yargs(argv)
    .help(false)
    .version(false)
    .strict(false)
    .parserConfiguration({ 'strip-dashed': true, 'parse-numbers': false, 'parse-positional-numbers': false })
    .options({
      config: { type: 'string' },
      module: { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      'scheduler-url': { type: 'string' },
      'state-dir': { type: 'string' },
      host: { type: 'string' },
    })
    .parseSync()
  const [command, task] = pre._.map(String)
  return { command, task: command && TASK_COMMANDS.has(command) ? task : undefined, module: typeof pre.module === 'string' ? pre.module : undefined }
}

/** The `<task>` argument of a task command, read before yargs parses, to declare its parameters. */
function taskArgument(argv: string[]): string | undefined {
  return preParse(argv).task
}

/** yargs' message, with what is known when the task or a parameter is unknown. */
function explainUsage(message: string, argv: string[], registry: TaskRegistry | undefined): string {
  const family = taskArgument(argv)
  if (!registry || !family) return message
  if (!registry.get(family)) {
    try {
      registry.require(family)
    } catch (error) {
      return (error as Error).message
    }
  }
  if (/unknown argument/i.test(message)) {
    const known = registry.parameters(family).map(([name]) => `--${name}`)
    return `${message} for task '${family}'; its parameters: ${known.join(', ') || '(none)'}`
  }
  return message
}

function reportError(error: unknown): ExitCodeValue {
  if (error instanceof UsageError || isSchedulingError(error)) {
    process.stderr.write(`etl: ${(error as Error).message}\nRun etl --help for usage.\n`)
    return ExitCode.SCHEDULING_ERROR
  }
  process.stderr.write(`etl: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  return ExitCode.UNHANDLED
}
