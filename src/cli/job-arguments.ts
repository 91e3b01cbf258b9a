import type { TaskRegistry } from '../core/task-registry.js'
import { findJobFile } from '../jobs/find-job.js'
import { jobTasks, type JobTasks } from '../jobs/job-tasks.js'
import { loadJob } from '../jobs/load-job.js'
import { NO_VARIABLES, readVariablesFile, setStepVariables } from '../steps/step-variables.js'

/** What the command line says about jobs and resource files, read before the real parse. */
export interface JobArguments {
  /** `--job <file>` */
  readonly job?: string | undefined
  /** `--vars <file>` */
  readonly vars?: string | undefined
  /** The `<task>` of a task command, which may name a job under jobs/ (or one of its steps). */
  readonly family?: string | undefined
}

/**
 * The job file a command runs: `--job`, else the file under jobs/ for `<task>` when the task
 * module has no such family (`has` tells).
 */
export function jobFileFor(args: JobArguments, has: (family: string) => boolean): string | undefined {
  if (args.job !== undefined) return args.job
  if (args.family === undefined || has(args.family)) return undefined
  return findJobFile(args.family)
}

/**
 * Reads `--vars` (for every command and SQL task of the run) and, when the command runs a job,
 * loads and validates it and adds its tasks to `registry`, so `<Job>` and `<Job>.<step>` are
 * families like any other. Throws the file's error, before anything runs.
 */
export function registerJob(args: JobArguments, file: string | undefined, registry: TaskRegistry): JobTasks | undefined {
  const vars = args.vars === undefined ? NO_VARIABLES : readVariablesFile(args.vars)
  setStepVariables(vars)
  if (file === undefined) return undefined
  const tasks = jobTasks(loadJob(file, { vars }))
  for (const cls of tasks.classes) registry.add(cls)
  return tasks
}
