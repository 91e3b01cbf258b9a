/**
 * The options of the commands that build a task from the command line (`etl run`, `backfill`, `deps`,
 * `check`, `invalidate`), as yargs gives them (camel-cased), `task` being the positional. A parameter named
 * like one of them could never be given on the command line, and a rerun's parameters could pose as
 * them, so no task may declare one.
 */
export const TASK_COMMAND_OPTIONS: ReadonlySet<string> = new Set([
  'task',
  'config',
  'module',
  'logLevel',
  'logFormat',
  'localScheduler',
  'schedulerUrl',
  'workers',
  'lock',
  'forgive',
  'job',
  'vars',
  'downstream',
  'dryRun',
  'every',
  'order',
  'help',
  'version',
])

/** Names no parameter may take: the task commands' options, and what the worker and scheduler read on a task. */
export const RESERVED_PARAM_NAMES: ReadonlySet<string> = new Set([...TASK_COMMAND_OPTIONS, 'id', 'family', 'params', 'kind'])
