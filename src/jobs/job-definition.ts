import type { StepVariables } from '../steps/step-variables.js'
import type { PARAM_TYPES } from './job-schema.js'

/** A program to run, as a step or follow-up declares it (paths already resolved against the job file's folder). */
export interface CommandAction {
  readonly kind: 'command'
  readonly command: string | readonly string[]
  readonly shell: boolean
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly okExitCodes: readonly number[]
}

/** SQL to run, as a step or follow-up declares it. */
export interface SqlAction {
  readonly kind: 'sql'
  /** Statements given inline; else `sqlFile`. */
  readonly sql: readonly string[]
  readonly sqlFile: string | undefined
  readonly connection: string
  readonly transaction: boolean
}

/** Another job file, run whole as a follow-up. */
export interface JobAction {
  readonly kind: 'job'
  readonly file: string
}

/** What a follow-up runs, and how long it may take. */
export type FollowUp = (CommandAction | SqlAction | JobAction) & { readonly label: string; readonly timeoutMs: number | undefined }

/** One step of a job, validated. */
export interface StepDefinition {
  readonly name: string
  readonly description: string | undefined
  readonly action: CommandAction | SqlAction
  /** The steps it requires, by name, after the defaults (the previous step or group) are applied. */
  readonly requires: readonly string[]
  readonly retries: number | undefined
  readonly retryDelayMs: number | undefined
  readonly timeoutMs: number | undefined
  readonly priority: number
  readonly resources: Readonly<Record<string, number>>
  readonly onSuccess: readonly FollowUp[]
  readonly onError: readonly FollowUp[]
}

/** A job parameter: its type and default (none: it must be given). */
export interface JobParam {
  readonly type: (typeof PARAM_TYPES)[number]
  readonly default: string | number | boolean | undefined
  readonly description: string | undefined
}

/** A job file, validated as a whole: what `jobTasks` turns into task classes. */
export interface JobDefinition {
  readonly name: string
  readonly description: string | undefined
  /** The file, absolute, and how messages name it. */
  readonly file: string
  readonly shownFile: string
  readonly params: Readonly<Record<string, JobParam>>
  /** The job's own vars files, after any given on the command line (which win). */
  readonly vars: StepVariables
  /** The steps in file order. */
  readonly steps: readonly StepDefinition[]
  readonly onSuccess: readonly FollowUp[]
  readonly onError: readonly FollowUp[]
}
