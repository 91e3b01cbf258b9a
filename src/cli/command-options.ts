import { TASK_COMMAND_OPTIONS } from '../core/reserved-names.js'

/**
 * The CLI's own option names (as yargs gives them, camel-cased), so everything else on a task command's
 * line is a task parameter.
 */
export const COMMAND_OPTIONS: ReadonlySet<string> = TASK_COMMAND_OPTIONS

/** Names yargs reads as an option of its own when given as `--<name>`: the options and their aliases. */
const RESERVED_NAMES: ReadonlySet<string> = new Set([...COMMAND_OPTIONS, 'h'].map((name) => name.toLowerCase()))

/**
 * True when `--<name>` on an `etl` command line would be read as one of the CLI's own options rather
 * than a task parameter (compared without case, so no spelling of `module` slips through).
 */
export function isCommandOption(name: string): boolean {
  return RESERVED_NAMES.has(name.toLowerCase())
}

/** Options every command takes, and each command's own, as typed: for "did you mean" on a typo. */
export const GLOBAL_FLAGS: readonly string[] = ['config', 'module', 'log-level', 'log-format', 'help', 'version']
export const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  run: ['local-scheduler', 'scheduler-url', 'workers', 'no-lock', 'forgive', 'job', 'vars'],
  backfill: ['local-scheduler', 'scheduler-url', 'workers', 'no-lock', 'forgive', 'every', 'order', 'dry-run'],
  invalidate: ['downstream', 'dry-run'],
  scheduler: ['host', 'port', 'state-dir', 'insecure', 'recover'],
  demo: ['pipeline', 'scale', 'seed', 'force'],
}
