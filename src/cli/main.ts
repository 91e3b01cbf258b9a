import yargs, { type Argv } from 'yargs'
import { hideBin } from 'yargs/helpers'
import { EtlError, isSchedulingError } from '../errors.js'
import { TaskRegistry } from '../core/task-registry.js'
import type { DataServices } from '../db/data-services.js'
import type { TaskLike } from '../core/task-like.js'
import { TOKEN_ENV } from '../daemon/action-token.js'
import { closestMatch } from '../util/closest-match.js'
import { LOG_FORMATS, LOG_LEVELS } from '../util/logger.js'
import { prepareEnvironment, type CliEnvironment, type GlobalOptions } from './cli-environment.js'
import { depsCommand } from './commands/deps-command.js'
import { invalidateCommand } from './commands/invalidate-command.js'
import { listCommand } from './commands/list-command.js'
import { runCommand, type RemoteSchedulerFactory, type RunOptions } from './commands/run-command.js'
import { backfillRange } from '../core/ranges/backfill-range.js'
import { COMMAND_FLAGS, COMMAND_OPTIONS, GLOBAL_FLAGS } from './command-options.js'
import { schedulerCommand } from './commands/scheduler-command.js'
import { ExitCode, type ExitCodeValue } from './exit-codes.js'
import { stopWithLauncher } from './launcher-watch.js'
import { subscriptionsIn, type RunEventSubscription } from '../events/event-hub.js'
import { jobFileFor, registerJob, type JobArguments } from './job-arguments.js'
import { loadTaskModule, taskModuleExists, type TaskModule } from './load-tasks.js'
import { secretArgumentsWarning } from './secret-arguments.js'
import { declareTaskOptions, taskTexts } from './task-arguments.js'
import { taskOrigin } from './task-origin.js'

/** A mistake in the command line itself, reported with the scheduling-error exit code. */
class UsageError extends Error {}

/** Every command, for messages about one that is not. */
const COMMANDS = ['run', 'backfill', 'list', 'deps', 'check', 'invalidate', 'scheduler', 'demo']

/** Commands that build a task from `<task>` and `--<param>` arguments. */
const TASK_COMMANDS = new Set(['run', 'backfill', 'deps', 'check', 'invalidate'])

const connectRemoteScheduler: RemoteSchedulerFactory = async (url, env, root) => {
  const { RemoteScheduler, remoteSchedulerOptions } = await import('../scheduler/remote-scheduler.js')
  return new RemoteScheduler({
    ...remoteSchedulerOptions(env.config.raw.scheduler, url),
    runLabel: process.env.ETL_RUN_LABEL ?? String(root),
    logger: env.logger,
    actionToken: env.config.raw.scheduler?.token ?? process.env[TOKEN_ENV],
  })
}

/**
 * The `etl` command line. Returns the exit code rather than exiting, so tests can call it in-process.
 */
export async function main(argv: string[] = hideBin(process.argv)): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.OK
  stopWithLauncher()
  const pre = preParse(argv)
  const { command, module } = pre
  const jobArguments = { job: pre.job, vars: pre.vars, family: pre.task }
  let loaded: TaskModule | undefined
  let loadError: unknown
  if (command && (await needsTaskModule(command, module)) && !(await jobWithoutModule(command, module, jobArguments))) {
    try {
      loaded = await loadTaskModule(module)
    } catch (error) {
      loadError = error
    }
  }
  const handlers = subscriptionsIn(loaded?.exports ?? {})
  let registry = loaded?.registry
  let jobName: string | undefined
  if (command && TASK_COMMANDS.has(command) && !loadError) {
    try {
      registry ??= new TaskRegistry()
      const known = registry
      jobName = registerJob(jobArguments, jobFileFor(jobArguments, (family) => known.get(family) !== undefined), known)?.definition.name
    } catch (error) {
      loadError = error
    }
  }
  // A command that needs the module fails on its load error; `scheduler` without a module to run has none.
  const tasks = async () => {
    if (loadError) throw loadError
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
      'run [task]',
      'run a task and everything it needs that is not complete',
      (y: Argv) =>
        declareTaskOptions(
          declareRunOptions(y.positional('task', { type: 'string', describe: 'the task family, e.g. RunJob, or the name of a job under jobs/' }))
            .option('job', { type: 'string', describe: 'a job file (jobs/*.json or .yaml) to run: its steps become tasks' })
            .option('vars', { type: 'string', describe: 'a resource file (.yaml or .json) the ${name} placeholders of command and SQL steps read' }),
          'run',
          registry,
          taskArgument(argv) ?? jobName,
        ),
      async (args) => {
        const workers = wholeNumber('--workers', args.workers, 1)
        if (args.task === undefined && pre.job === undefined) throw new UsageError('name the task to run (etl run <Task>), or a job file (etl run --job jobs/<file>.yaml)')
        const env = await environment(args as GlobalOptions)
        const root = rootTask(env, { ...args, task: args.task ?? jobName })
        exitCode = await runCommand(env, root, runOptionsOf(args, workers, handlers), connectRemoteScheduler)
      },
    )
    .command(
      'backfill <task>',
      'run one instance of a task per day or hour of an interval, skipping those already complete',
      (y: Argv) =>
        declareTaskOptions(
          declareRunOptions(y.positional('task', { type: 'string', describe: 'the task family, e.g. LoadDay; give its date or datetime parameter as an interval: --date 2024-01-01/2024-02-01' }))
            .option('every', { type: 'string', describe: 'one instance every this long: 1d, 7d (a date parameter), 1h, 6h (a datetime) (default: 1d for a date, 1h for a datetime)' })
            .option('order', { type: 'string', describe: 'oldest (the default) or newest: which missing instance runs first' })
            .option('dry-run', { type: 'boolean', default: false, describe: 'list the instances that would run, run nothing' }),
          'backfill',
          registry,
          taskArgument(argv),
        ),
      async (args) => {
        const workers = wholeNumber('--workers', args.workers, 1)
        const env = await environment(args as GlobalOptions)
        const family = String(args.task)
        const texts = taskTexts(args, COMMAND_OPTIONS)
        const range = backfillRange(env.registry, family, texts, { every: args.every as string | undefined, order: args.order as string | undefined })
        const { backfillCommand } = await import('./commands/backfill-command.js')
        exitCode = await backfillCommand(env, range, { ...runOptionsOf(args, workers, handlers), dryRun: Boolean(args.dryRun) }, connectRemoteScheduler)
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
      (y: Argv) => declareTaskOptions(y.positional('task', { type: 'string', describe: 'the task family' }), 'deps', registry, taskArgument(argv)),
      async (args) => {
        const env = await environment(args as GlobalOptions)
        const root = rootTask(env, args)
        await withDataServices(env, async (data) => process.stdout.write(await depsCommand(root, { data, db: (name) => data.database(name) })))
      },
    )
    .command(
      'check <task>',
      'run the source queries below a task read-only, each with its row count or its error',
      (y: Argv) => declareTaskOptions(y.positional('task', { type: 'string', describe: 'the task family' }), 'check', registry, taskArgument(argv)),
      async (args) => {
        const env = await environment(args as GlobalOptions)
        const root = rootTask(env, args)
        const { checkCommand } = await import('./commands/check-command.js')
        exitCode = await withDataServices(env, (data) => checkCommand(root, data, { terminal: env.terminal, write: (text) => process.stdout.write(text) }))
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
          'invalidate',
          registry,
          taskArgument(argv),
        ),
      async (args) => {
        const env = await environment(args as GlobalOptions)
        const root = rootTask(env, args)
        const options = { downstream: Boolean(args.downstream), dryRun: Boolean(args.dryRun) }
        const result = await withDataServices(env, (data) => invalidateCommand(root, env.registry, options, { data, db: (name) => data.database(name) }))
        process.stdout.write(result.output)
        if (result.failed) exitCode = ExitCode.TASK_FAILED
      },
    )
    .command(
      'scheduler',
      'start the central scheduler daemon and its web UI',
      (y: Argv) =>
        y
          .option('host', { type: 'string', describe: 'address to bind (default: the config, else 127.0.0.1: this machine only)' })
          .option('port', { type: 'number', describe: 'port (default: the config, else 8082)' })
          .option('state-dir', { type: 'string', describe: 'folder of the daemon state and embedded run history (default: data/scheduler)' })
          .option('insecure', { type: 'boolean', describe: 'listen on a non-loopback --host without a token (only on a network you trust)' })
          .option('recover', { type: 'boolean', default: false, describe: 'start from what is intact when the state is damaged or incomplete, saying what is lost (the damaged files are kept aside)' }),
      async (args) => {
        const env = await environment(args as GlobalOptions)
        exitCode = await schedulerCommand(env, {
          host: args.host as string | undefined,
          port: args.port as number | undefined,
          stateDir: args.stateDir as string | undefined,
          insecure: args.insecure as boolean | undefined,
          recover: Boolean(args.recover),
        })
      },
    )
    .command(
      'demo <action>',
      'build a pipeline\'s sample data (init), or add a period of changes to it (advance)',
      (y: Argv) =>
        y
          .positional('action', { choices: ['init', 'advance'] as const, describe: 'init: build the sample from nothing; advance: insert, update and delete rows, append log lines' })
          .option('pipeline', { type: 'string', describe: 'whose sample: orders, support … (default: the first the task module exports)' })
          .option('scale', { type: 'string', describe: 'init: sample size, a whole number ≥ 1 (orders: 1 ≈ 2,000 order lines; default 1)' })
          .option('seed', { type: 'string', describe: 'the random seed, a whole number: the same seed gives the same data (default 42)' })
          .option('force', { type: 'boolean', default: false, describe: 'init: replace the tables and files there are, which init otherwise refuses to touch' }),
      async (args) => {
        const scale = wholeNumber('--scale', args.scale, 1)
        const seed = wholeNumber('--seed', args.seed, 0)
        const env = await environment(args as GlobalOptions)
        const { demoCommand } = await import('./commands/demo-command.js')
        const { sampleDataIn } = await import('../etl/sample-data.js')
        const options = { pipeline: args.pipeline as string | undefined, scale, seed, force: Boolean(args.force) }
        await withDataServices(env, async (data) => process.stdout.write(await demoCommand(args.action as 'init' | 'advance', sampleDataIn(loaded?.exports ?? {}), data, options)))
      },
    )
    .demandCommand(1, `name a command: ${COMMANDS.join(', ')}`)
    .strict()
    .fail((message, error) => {
      // Without the task module no task parameter is declared, so each one is "unknown": the module is what to report.
      if (!error && loadError && /unknown argument/i.test(message)) throw loadError
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
 * Whether `command` loads the task module: the task commands and `list` build tasks from it, `demo`
 * finds the pipelines' sample data in it, and `scheduler` checks the config's `tasks` section
 * against the module its scheduled runs will use, when there is one.
 */
async function needsTaskModule(command: string, module: string | undefined): Promise<boolean> {
  if (TASK_COMMANDS.has(command) || command === 'list' || command === 'demo') return true
  return command === 'scheduler' && (module !== undefined || (await taskModuleExists(module)))
}

/** The options `etl run` and `etl backfill` share: where the tasks are scheduled, how many run at once, the lock. */
function declareRunOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('local-scheduler', { type: 'boolean', default: false, describe: 'schedule in this process instead of asking the central scheduler' })
    .option('scheduler-url', { type: 'string', describe: 'the central scheduler (default: the config, else http://127.0.0.1:8082)' })
    .option('workers', { type: 'string', describe: 'tasks to run at once, a whole number ≥ 1 (default: the config, else 1)' })
    .option('lock', { type: 'boolean', default: true, describe: 'refuse to start while the same task runs on this machine (--no-lock to skip)' })
    .option('forgive', {
      type: 'boolean',
      default: false,
      describe: `central scheduler: run again the tasks it holds as failed or disabled (needs its action token in ${TOKEN_ENV})`,
    }) as unknown as Argv<T>
}

function runOptionsOf(args: Record<string, unknown>, workers: number | undefined, handlers: readonly RunEventSubscription[]): RunOptions {
  return {
    handlers,
    localScheduler: Boolean(args.localScheduler),
    schedulerUrl: args.schedulerUrl as string | undefined,
    workers,
    lock: args.lock !== false,
    origin: taskOrigin(args as GlobalOptions),
    forgive: Boolean(args.forgive),
  }
}

/** True when a task command runs a job (`--job`, or a job under jobs/) and there is no task module: a job needs none. */
async function jobWithoutModule(command: string, module: string | undefined, args: JobArguments): Promise<boolean> {
  if (!TASK_COMMANDS.has(command) || (await taskModuleExists(module))) return false
  return jobFileFor(args, () => false) !== undefined
}

/** Runs `work` with the config's connections, closed afterwards whatever happens. */
async function withDataServices<T>(env: CliEnvironment, work: (data: DataServices) => Promise<T>): Promise<T> {
  const { DataServices } = await import('../db/data-services.js')
  const data = DataServices.fromConfig(env.config)
  try {
    return await work(data)
  } finally {
    await data.close()
  }
}

/** The `<task>` of a task command, built from its parameters; a secret among them is warned about, not refused. */
function rootTask(env: CliEnvironment, args: Record<string, unknown>): TaskLike {
  const family = String(args.task)
  const texts = taskTexts(args, COMMAND_OPTIONS)
  const root = env.registry.create(family, texts)
  const warning = secretArgumentsWarning(env.registry, family, texts)
  if (warning) env.logger.warn(warning)
  return root
}

/** A flag's text as a whole number of at least `min`, or a usage error quoting what was given. */
function wholeNumber(flag: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined
  const text = String(value)
  const number = /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(number) || number < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`)
  return number
}

/**
 * The command, the `<task>` of a task command and `--module`, read before the real parse (which needs the
 * task's parameters declared). Options that take a value are declared, so `etl --config prod.json run X`
 * does not mistake `prod.json` for the command.
 */
function preParse(argv: string[]): { command: string | undefined; task: string | undefined; module: string | undefined; job: string | undefined; vars: string | undefined } {
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
      job: { type: 'string' },
      vars: { type: 'string' },
    })
    .parseSync()
  const [command, task] = pre._.map(String)
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  const forRun = command === 'run'
  return {
    command,
    task: command && TASK_COMMANDS.has(command) ? task : undefined,
    module: text(pre.module),
    job: forRun ? text(pre.job) : undefined,
    vars: forRun ? text(pre.vars) : undefined,
  }
}

/** The `<task>` argument of a task command, read before yargs parses, to declare its parameters. */
function taskArgument(argv: string[]): string | undefined {
  return preParse(argv).task
}

/**
 * yargs' message, made to say what was meant: an unknown command or task with the closest known one,
 * an unknown option with the closest option of the command (or parameter of the task).
 */
function explainUsage(message: string, argv: string[], registry: TaskRegistry | undefined): string {
  const { command } = preParse(argv)
  if (command !== undefined && !COMMANDS.includes(command)) return `unknown command '${command}'${didYouMean(command, COMMANDS)}; the commands are ${COMMANDS.join(', ')}`
  const family = taskArgument(argv)
  if (registry && family && !registry.get(family)) {
    try {
      registry.require(family)
    } catch (error) {
      return (error as Error).message
    }
  }
  const unknown = /^Unknown arguments?: (.+)$/i.exec(message)
  if (!unknown) return message
  const options = [...GLOBAL_FLAGS, ...(COMMAND_FLAGS[command ?? ''] ?? [])].map((flag) => `--${flag}`)
  const parameters = registry && family ? registry.parameters(family).map(([name]) => `--${name}`) : []
  const flags = unknown[1]!.split(', ').map((name) => `--${kebabCase(name)}`)
  const hints = flags.map((flag) => `${flag}${didYouMean(flag, [...parameters, ...options])}`).join(', ')
  const what = `unknown option${flags.length > 1 ? 's' : ''} ${hints}`
  if (!registry || !family) return `${what}; the options of etl ${command} are ${options.join(', ')}`
  return `${what} for task '${family}'; its parameters: ${parameters.join(', ') || '(none)'}`
}

function didYouMean(name: string, known: readonly string[]): string {
  const close = closestMatch(name, known)
  return close ? ` (did you mean ${close}?)` : ''
}

/** `localScheduler` → `local-scheduler`: how an option is spelled on the command line. */
function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
}

/**
 * Scheduling errors about reaching the daemon, its state, or a local folder that is not safe to use,
 * whose messages say what to check instead of pointing at --help.
 */
const DAEMON_CODES: ReadonlySet<string> = new Set([
  'ETL_ERR_SCHEDULER_UNREACHABLE',
  'ETL_ERR_DAEMON_RPC_REJECTED',
  'ETL_ERR_DAEMON_TOKEN_MISSING',
  'ETL_ERR_DAEMON_STATE_DAMAGED',
  'ETL_ERR_DAEMON_STATE_UNREADABLE',
  'ETL_ERR_DAEMON_STATE_LOCKED',
  'ETL_ERR_DAEMON_LISTEN_FAILED',
  'ETL_ERR_LOCAL_FOLDER_UNSAFE',
])

function reportError(error: unknown): ExitCodeValue {
  if (error instanceof UsageError || isSchedulingError(error)) {
    // A daemon that does not answer, or is not one, is no mistake on the command line: its message carries its own fix.
    const hint = error instanceof EtlError && DAEMON_CODES.has(error.code) ? '' : 'Run etl --help for usage.\n'
    process.stderr.write(`etl: ${(error as Error).message}\n${hint}`)
    return ExitCode.SCHEDULING_ERROR
  }
  process.stderr.write(`etl: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  return ExitCode.UNHANDLED
}
