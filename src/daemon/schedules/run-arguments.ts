import { isCommandOption } from '../../cli/command-options.js'
import { EtlError } from '../../errors.js'
import type { RunSpec } from './run-launcher.js'

/** What yargs takes as one option name: no `=`, no `.`, no leading `no-`, nothing it rewrites. */
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_]*$/

/**
 * Refuses parameters that `etl` would not read back as the same parameters: a name that is one of the
 * CLI's own options (`module`, `config`, `workers`, ...) would set that option instead, and a name that
 * is not plain (`a=b`, `x.y`) would be split or nested by the parser.
 */
export function checkParameterNames(task: string, params: Readonly<Record<string, unknown>>): void {
  for (const name of Object.keys(params)) {
    if (!PLAIN_NAME.test(name)) {
      throw new EtlError(
        'ETL_ERR_DAEMON_BAD_REQUEST',
        `${task} has a parameter named ${JSON.stringify(name)}, which is not a plain name (a letter, then letters, digits or _), so it cannot be passed to etl as --${name}=<value>; start this task with etl run by hand`,
      )
    }
    if (isCommandOption(name)) {
      throw new EtlError(
        'ETL_ERR_DAEMON_BAD_REQUEST',
        `${task} has a parameter named ${JSON.stringify(name)}, the name of one of etl's own options, so etl would read --${name} as that option and not as the parameter; rename the parameter, or start this task with etl run by hand`,
      )
    }
  }
}

/**
 * The arguments after the command: `run <Task> --<param>=<value>... [--module=<file>] [--config=<file>]
 * [--workers N] --scheduler-url <url>`, `backfill <Task> --<param>=<interval> [--every=…] [--order=…]`
 * and the same, or `invalidate <Task> --<param>=<value>... [--module=...]
 * [--config=...]` for the step that removes a DONE task's outputs first. Every value is joined to its
 * name with `=`, so a value such as `--module` stays a value; names are checked first.
 */
export function runArguments(spec: RunSpec): string[] {
  checkParameterNames(spec.task, spec.params)
  const params = Object.entries(spec.params).map(([name, value]) => `--${name}=${String(value)}`)
  const source = [...(spec.module !== undefined ? [`--module=${spec.module}`] : []), ...(spec.config !== undefined ? [`--config=${spec.config}`] : [])]
  if (spec.step === 'invalidate') return ['invalidate', spec.task, ...params, ...source]
  const workers = spec.workers === undefined ? [] : ['--workers', String(spec.workers)]
  if (spec.step === 'backfill') return ['backfill', spec.task, ...backfillArguments(spec), ...params, ...source, ...workers, '--scheduler-url', spec.schedulerUrl]
  return ['run', spec.task, ...params, ...source, ...workers, '--scheduler-url', spec.schedulerUrl]
}

/** `--<param>=<interval> [--every=…] [--order=…]`, the name checked as the other parameters are. */
function backfillArguments(spec: RunSpec): string[] {
  const backfill = spec.backfill
  if (!backfill) throw new Error('a backfill step needs what to step through')
  checkParameterNames(spec.task, { [backfill.param]: backfill.interval })
  return [
    `--${backfill.param}=${backfill.interval}`,
    ...(backfill.every !== undefined ? [`--every=${backfill.every}`] : []),
    ...(backfill.order !== undefined ? [`--order=${backfill.order}`] : []),
  ]
}
