import path from 'node:path'
import { EtlError } from '../errors.js'
import { mergeVariables, NO_VARIABLES, readVariablesFile, type StepVariables } from '../steps/step-variables.js'
import type { FollowUp, JobDefinition, JobParam } from './job-definition.js'
import { jobInvalid, shapeError } from './job-error.js'
import { checkJobPlaceholders } from './job-placeholders.js'
import { jobSchema, NAME, type JobFile } from './job-schema.js'
import { followUpsOf, jobSteps } from './job-steps.js'
import { readJobFile, shownPath } from './read-job-file.js'

export interface LoadJobOptions {
  /** Resource files given on the command line (`--vars`): they win over the job's own `vars`. */
  readonly vars?: StepVariables
  /**
   * Jobs loaded already, by absolute file, shared by the follow-up jobs of one load, so that two
   * jobs that name each other (`onError` of one starting the other) are each read once.
   */
  readonly loaded?: Map<string, JobDefinition>
}

const JOB_FIELDS = Object.keys(jobSchema.shape)

/**
 * Reads and validates a job file as a whole before anything runs: its shape (unknown fields, wrong
 * types), each step (what it runs, one thing only), `requires` (known steps, no cycle), the files
 * it names (SQL files, vars files, follow-up jobs, each of those validated too), and every
 * placeholder. Each problem is an error naming the file, the step, the field and the fix.
 *
 * ```ts
 * const job = loadJob('jobs/support-load.yaml')
 * const { root } = jobTasks(job)
 * await build(new root())
 * ```
 */
export function loadJob(file: string, options: LoadJobOptions = {}): JobDefinition {
  const absolute = path.resolve(file)
  const loaded = options.loaded ?? new Map<string, JobDefinition>()
  const known = loaded.get(absolute)
  if (known) return known
  const shownFile = shownPath(absolute)
  const raw = readJobFile(absolute)
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw jobInvalid(shownFile, 'the job', '(top level)', raw, 'a job file holds a mapping: {"name": …, "steps": [ … ]}')
  }
  const parsed = jobSchema.safeParse(raw)
  if (!parsed.success) throw shapeError(shownFile, 'the job', raw, parsed.error.issues, JOB_FIELDS)
  const entry = parsed.data
  const dir = path.dirname(absolute)
  const place = { file: shownFile, dir, connection: entry.connection }
  const job: JobDefinition = {
    name: jobName(entry, absolute, shownFile),
    description: entry.description,
    file: absolute,
    shownFile,
    params: jobParams(entry),
    vars: mergeVariables(options.vars ?? NO_VARIABLES, ...vars(entry, dir, shownFile)),
    steps: jobSteps(entry.steps, place),
    onSuccess: followUpsOf(entry.onSuccess, 'the job', 'onSuccess', place),
    onError: followUpsOf(entry.onError, 'the job', 'onError', place),
  }
  checkJobPlaceholders(job)
  // Recorded before its follow-up jobs load, so one that names this job back finds it.
  loaded.set(absolute, job)
  for (const followUp of allFollowUps(job)) {
    if (followUp.kind !== 'job') continue
    try {
      loadJob(followUp.file, { ...options, loaded })
    } catch (error) {
      if (!(error instanceof EtlError)) throw error
      throw new EtlError(error.code, `${shownFile} names the follow-up job ${shownPath(followUp.file)}, which is refused: ${error.message}`, { cause: error })
    }
  }
  return job
}

function jobName(entry: JobFile, file: string, shownFile: string): string {
  if (entry.name !== undefined) return entry.name
  const stem = path.basename(file).replace(/\.(json|ya?ml)$/i, '')
  if (NAME.test(stem)) return stem
  throw jobInvalid(shownFile, 'the job', 'name', undefined, `the file's name "${stem}" cannot name the job (a letter, then letters, digits, _ or -); give the job a "name"`)
}

function jobParams(entry: JobFile): Record<string, JobParam> {
  const params: Record<string, JobParam> = {}
  for (const [name, declared] of Object.entries(entry.params ?? {})) {
    params[name] =
      typeof declared === 'object'
        ? { type: declared.type, default: declared.default, description: declared.description }
        : { type: 'string', default: String(declared), description: undefined }
  }
  return params
}

function vars(entry: JobFile, dir: string, shownFile: string): StepVariables[] {
  const files = entry.vars === undefined ? [] : typeof entry.vars === 'string' ? [entry.vars] : entry.vars
  return files.map((given) => {
    try {
      return readVariablesFile(path.resolve(dir, given))
    } catch (error) {
      throw jobInvalid(shownFile, 'the job', 'vars', given, `${(error as Error).message} (paths are relative to the job file's folder)`)
    }
  })
}

function allFollowUps(job: JobDefinition): FollowUp[] {
  return [...job.onSuccess, ...job.onError, ...job.steps.flatMap((step) => [...step.onSuccess, ...step.onError])]
}
