import { param, type ParamSpec } from '../core/param.js'
import type { TaskResult } from '../core/output-marker.js'
import type { Parameter } from '../core/parameter.js'
import type { RetryPolicy } from '../core/retry-policy.js'
import type { TaskContext } from '../core/task-context.js'
import type { TaskClass, Task } from '../core/task.js'
import type { TaskLike } from '../core/task-like.js'
import { WrapperTask } from '../core/wrapper-task.js'
import { CommandTask } from '../steps/command-task.js'
import { SqlTask } from '../steps/sql-task.js'
import type { StepVariables } from '../steps/step-variables.js'
import { jobInvalid } from './job-error.js'
import type { CommandAction, FollowUp, JobDefinition, JobParam, SqlAction, StepDefinition } from './job-definition.js'
import { errorValues, runFollowUps } from './follow-up-runner.js'

/** A job as task classes: one family per step (`<Job>.<step>`) and the job's own wrapper (`<Job>`). */
export interface JobTasks {
  readonly definition: JobDefinition
  /** The job: a wrapper that requires the steps nothing else requires. Build it to run the job. */
  readonly root: TaskClass
  /** Each step's class, by step name. */
  readonly steps: ReadonlyMap<string, TaskClass>
  /** Every class, the root first: what a task registry adds. */
  readonly classes: readonly TaskClass[]
}

/**
 * The hooks a step's class gets for its follow-ups, called by the worker once the task has ended
 * (or, in tests, directly).
 */
export interface FollowUpHooks {
  onSuccess(ctx: TaskContext, result: TaskResult | null): Promise<void>
  onFailure(ctx: TaskContext, error: Error): Promise<void>
}

/**
 * Turns a validated job into real tasks, so the scheduler, markers, resume and the daemon treat
 * it as any other: a `CommandTask` or `SqlTask` per step, taking the job's parameters and
 * requiring the steps it names with the same parameters; a wrapper for the job. A step's
 * `onSuccess` / `onError` follow-ups (and the job's `onError`) become the task's `onSuccess` /
 * `onFailure` hooks; the job's `onSuccess` is the wrapper's.
 */
export function jobTasks(job: JobDefinition): JobTasks {
  const spec = paramSpec(job)
  const steps = new Map<string, TaskClass>()
  const create: StepFactory = (name, params) => new (steps.get(name)!)(jobParams(job, params))
  for (const step of job.steps) steps.set(step.name, stepClass(job, step, spec, create))
  const required = new Set(job.steps.flatMap((step) => step.requires))
  const sinks = job.steps.filter((step) => !required.has(step.name)).map((step) => step.name)
  const root = rootClass(job, spec, sinks, create)
  return { definition: job, root, steps, classes: [root, ...steps.values()] }
}

/** Builds the task a step name stands for, with the job's parameters taken from `params`. */
type StepFactory = (name: string, params: Record<string, unknown>) => TaskLike

function stepClass(job: JobDefinition, step: StepDefinition, spec: ParamSpec, create: StepFactory): TaskClass {
  const cls = step.action.kind === 'command' ? commandStepClass(job, step, step.action, spec, create) : sqlStepClass(job, step, step.action, spec, create)
  name(cls, `${job.name}.${step.name}`, step.description ?? `step ${step.name} of job ${job.name}`)
  Object.defineProperty(cls.prototype, 'stepName', { value: step.name })
  attachHooks(cls, job, step.onSuccess, [...step.onError, ...job.onError])
  return cls
}

/** What every step's task takes from its declaration, whatever it runs. */
function stepSettings(step: StepDefinition, create: StepFactory) {
  return {
    retry: retryOf(step),
    timeoutMs: step.timeoutMs,
    priority: step.priority,
    resources: Object.freeze({ ...step.resources }),
    requires: (params: unknown): TaskLike[] => step.requires.map((name) => create(name, params as Record<string, unknown>)),
  }
}

function commandStepClass(job: JobDefinition, step: StepDefinition, program: CommandAction, spec: ParamSpec, create: StepFactory): TaskClass {
  const settings = stepSettings(step, create)
  class CommandStep extends CommandTask.with(spec) {
    override retry = settings.retry
    override timeoutMs = settings.timeoutMs
    override priority = settings.priority
    override resources = settings.resources
    override shell = program.shell
    override cwd: string | undefined = program.cwd
    override okExitCodes = program.okExitCodes
    override command() {
      return program.command
    }
    override env() {
      return program.env
    }
    override variables(): StepVariables {
      return job.vars
    }
    override requires() {
      return settings.requires(this.params)
    }
  }
  return CommandStep as unknown as TaskClass
}

function sqlStepClass(job: JobDefinition, step: StepDefinition, script: SqlAction, spec: ParamSpec, create: StepFactory): TaskClass {
  const settings = stepSettings(step, create)
  const connection = param.string({ default: script.connection, description: 'the connection the SQL runs in' })
  class SqlStep extends SqlTask.with({ ...spec, connection }) {
    override retry = settings.retry
    override timeoutMs = settings.timeoutMs
    override priority = settings.priority
    override resources = settings.resources
    override sqlFile = script.sqlFile
    override transaction = script.transaction
    override sql() {
      return script.sql
    }
    override variables(): StepVariables {
      return job.vars
    }
    override requires() {
      return settings.requires(this.params)
    }
  }
  return SqlStep as unknown as TaskClass
}

function rootClass(job: JobDefinition, spec: ParamSpec, sinks: readonly string[], create: StepFactory): TaskClass {
  class JobRoot extends WrapperTask.with(spec) {
    override requires() {
      return sinks.map((name) => create(name, this.params as Record<string, unknown>))
    }
  }
  const cls = JobRoot as unknown as TaskClass
  name(cls, job.name, job.description ?? `job ${job.shownFile}`)
  attachHooks(cls, job, job.onSuccess, [])
  return cls
}

/** A step's retry policy: `retries` more tries, `retryDelay` apart (a fixed delay, when given). */
function retryOf(step: StepDefinition): Partial<RetryPolicy> | undefined {
  if (step.retries === undefined && step.retryDelayMs === undefined) return undefined
  return { ...(step.retries === undefined ? {} : { count: step.retries }), ...(step.retryDelayMs === undefined ? {} : { delayMs: step.retryDelayMs, backoff: 1 }) }
}

function name(cls: TaskClass, family: string, description: string): void {
  Object.defineProperty(cls, 'family', { value: family })
  Object.defineProperty(cls, 'name', { value: family })
  Object.defineProperty(cls, 'description', { value: description })
}

/**
 * The follow-ups as the task's `onSuccess` / `onFailure`. They are defined on the prototype, not
 * declared in the class, so the classes compile whether or not `Task` declares the hooks.
 */
function attachHooks(cls: TaskClass, job: JobDefinition, onSuccess: readonly FollowUp[], onFailure: readonly FollowUp[]): void {
  const hooks: FollowUpHooks = {
    async onSuccess(this: Task<any>, ctx, result) {
      await runFollowUps(onSuccess, { task: this, jobFile: job.file, vars: job.vars, values: { result: result ?? {} } }, ctx)
    },
    async onFailure(this: Task<any>, ctx, error) {
      await runFollowUps(onFailure, { task: this, jobFile: job.file, vars: job.vars, values: { error: errorValues(error) } }, ctx)
    },
  }
  if (onSuccess.length) Object.defineProperty(cls.prototype, 'onSuccess', { value: hooks.onSuccess, writable: true, configurable: true })
  if (onFailure.length) Object.defineProperty(cls.prototype, 'onFailure', { value: hooks.onFailure, writable: true, configurable: true })
}

/** The job's parameters as a task declaration. */
function paramSpec(job: JobDefinition): ParamSpec {
  const spec: Record<string, Parameter<unknown>> = {}
  for (const [name, declared] of Object.entries(job.params)) {
    try {
      spec[name] = parameterOf(declared) as Parameter<unknown>
    } catch (error) {
      throw jobInvalid(job.shownFile, 'the job', `params.${name}`, declared.default, (error as Error).message)
    }
  }
  return spec
}

function parameterOf(declared: JobParam): Parameter<unknown, boolean> {
  const options = { ...(declared.description === undefined ? {} : { description: declared.description }) }
  const withDefault = <T>(value: T | undefined) => (value === undefined ? options : { ...options, default: value })
  switch (declared.type) {
    case 'int':
      return param.int(withDefault(declared.default === undefined ? undefined : Number(declared.default)))
    case 'float':
      return param.float(withDefault(declared.default === undefined ? undefined : Number(declared.default)))
    case 'bool':
      return param.bool(withDefault(declared.default === undefined ? undefined : declared.default === true || declared.default === 'true'))
    case 'date':
      return param.date(withDefault(declared.default === undefined ? undefined : String(declared.default)))
    case 'secret':
      return param.secret(options)
    default:
      return param.string(withDefault(declared.default === undefined ? undefined : String(declared.default)))
  }
}

/** Of a task's parameters, the job's: what a step passes the steps it requires. */
function jobParams(job: JobDefinition, params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(job.params).map((name) => [name, params[name]]))
}
