import { createHash } from 'node:crypto'
import type { Cron } from 'croner'
import type { Logger } from 'pino'
import { EtlError } from '../../errors.js'
import { systemClock, type Clock } from '../../util/clock.js'
import { silentLogger } from '../../util/logger.js'
import type { ScheduleConfig } from '../daemon-config-schema.js'
import type { TaskOrigin } from '../../scheduler/task-origin.js'
import type { ScheduleRunRecord } from '../history/run-history.js'
import type { StatePart } from '../state-store.js'
import { shapeProblem } from '../shape-problem.js'
import { pausedCron } from './cron.js'
import { scheduleOpSchema, scheduleSnapshotSchema } from './schedule-state-schema.js'
import { launchRun, OUTPUT_TAIL_CHARS, type BackfillArguments, type LaunchedRun, type RunExit, type RunLauncher, type RunSpec } from './run-launcher.js'
import { isProcessAlive } from '../../util/process-alive.js'
import { redactText } from '../../util/redact.js'

/**
 * A due run may start this late and still run (the daemon was busy or restarting); older due times
 * while the daemon was down are reported as missed instead of being run in a burst.
 */
const LATE_GRACE_MS = 60_000
/** Missed due times recorded one by one; beyond this the last record says how many more there were. */
const MAX_MISSED_RECORDS = 50
/** Longest wait between checks, so a clock jump is noticed within a minute. */
const MAX_CHECK_WAIT_MS = 60_000

export interface ScheduleRunnerOptions {
  schedules: readonly ScheduleConfig[]
  /** Starts the worker process of a run. @defaultValue `launchRun` with `runCommand` */
  launcher?: RunLauncher
  /** The command line before `run <Task> ...`. */
  runCommand: readonly string[]
  /** The daemon's own URL, passed to each run as `--scheduler-url`; known once it listens. */
  schedulerUrl: () => string
  /** Where each run is recorded. */
  record?: (record: ScheduleRunRecord) => void
  /** Receives what changes, before it is acknowledged. */
  journal?: { append(op: unknown): void }
  clock?: Clock
  logger?: Logger
}

/** A schedule as the UI shows it. */
export interface ScheduleView {
  name: string
  cron: string
  task: string
  params: Record<string, string | number | boolean>
  timezone: string | undefined
  enabled: boolean
  nextRunAt: number | undefined
  lastDueAt: number | undefined
  running: { id: string; startedAt: number; pid: number | undefined } | undefined
}

/** A rerun of one task from the UI: the task, and where and how its worker starts. */
export interface TaskRunRequest {
  taskId: string
  family: string
  params: Record<string, string>
  /** The module, folder and config the task was registered from. */
  origin: TaskOrigin
  /** Runs `etl invalidate` with the same arguments first, so a DONE task runs again. */
  invalidateFirst: boolean
}

/** A backfill from the UI: `etl backfill` for a family, where and how a task of it was registered. */
export interface BackfillRunRequest {
  family: string
  /** The task's other parameters, as text. */
  params: Record<string, string>
  backfill: BackfillArguments
  /** The module, folder and config a task of the family was registered from. */
  origin: TaskOrigin
  workers?: number | undefined
}

/** A rerun as started: its record (`running`, or `failed` when it could not start) and its process. */
export interface StartedTaskRun {
  record: ScheduleRunRecord
  /** Undefined when the process could not be started. */
  launched: LaunchedRun | undefined
}

interface RunningRun {
  id: string
  schedule: string
  task: string
  dueAt: number
  startedAt: number
  pid: number | undefined
  runId: string
  /** Set for a rerun from the UI, so its end (even one found after a restart) reaches the task. */
  taskId?: string
  invalidateFirst?: boolean
}

type ScheduleOp = { op: 'due'; name: string; at: number } | { op: 'started'; run: RunningRun } | { op: 'ended'; schedule: string }

interface ScheduleSnapshot {
  lastDue: Record<string, number>
  running: RunningRun[]
}

/**
 * The daemon's own cron: starts a worker process for each due run of each schedule, skips a run whose
 * previous one is still going, and records every run (and every run missed while the daemon was down)
 * in the history. croner only computes due times; the runner owns its one timer, so a fake clock and
 * `check()` test it without waiting.
 */
export class ScheduleRunner implements StatePart {
  readonly #schedules: Map<string, { config: ScheduleConfig; cron: Cron }>
  readonly #options: ScheduleRunnerOptions
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #launcher: RunLauncher
  readonly #lastDue = new Map<string, number>()
  readonly #running = new Map<string, RunningRun>()
  readonly #children = new Map<string, LaunchedRun>()
  readonly #listeners: ((record: ScheduleRunRecord) => void)[] = []
  #timer: NodeJS.Timeout | undefined
  #stopped = true

  constructor(options: ScheduleRunnerOptions) {
    this.#options = options
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger ?? silentLogger()
    this.#launcher = options.launcher ?? launchRun
    this.#schedules = new Map(
      options.schedules.map((config) => [config.name, { config, cron: pausedCron(config.cron, config.timezone ? { timezone: config.timezone } : {}) }]),
    )
  }

  /** Checks now and then whenever the next run is due, until `stop()`. */
  start(): void {
    this.#stopped = false
    this.#tick()
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
  }

  /** Starts every run that is due, records the ones missed, and returns when the next one is due. */
  check(now = this.#clock.now()): number | undefined {
    this.#reapAdopted()
    let next: number | undefined
    for (const { config, cron } of this.#schedules.values()) {
      if (config.enabled === false) continue
      const last = this.#lastDue.get(config.name)
      if (last === undefined) {
        // A schedule seen for the first time starts counting now: nothing before it was ever due.
        this.#apply({ op: 'due', name: config.name, at: now })
      } else {
        const due = dueTimes(cron, last, now)
        if (due.times.length > 0) this.#fire(config, due.times, due.more, now)
      }
      const upcoming = cron.nextRun(new Date(this.#lastDue.get(config.name)!))?.getTime()
      if (upcoming !== undefined && (next === undefined || upcoming < next)) next = upcoming
    }
    return next
  }

  /** Starts a schedule's run now, whatever its cron says (the UI's trigger). */
  trigger(name: string): ScheduleRunRecord {
    const schedule = this.#schedules.get(name)
    if (!schedule) {
      throw new EtlError('ETL_ERR_DAEMON_SCHEDULE_UNKNOWN', `there is no schedule named ${JSON.stringify(name)}; known: ${[...this.#schedules.keys()].join(', ') || '(none)'}`)
    }
    return this.#startRun(schedule.config, this.#clock.now(), 'manual')
  }

  /**
   * Starts a run of one task with its parameters (the UI's rerun), as if it were a schedule of its own:
   * in the folder and with the module the task was registered from, after `etl invalidate` when asked.
   */
  runTask(request: TaskRunRequest): StartedTaskRun {
    const config: ScheduleConfig = { name: rerunName(request.taskId), cron: '', task: request.family, params: request.params }
    let launched: LaunchedRun | undefined
    const record = this.#startRun(config, this.#clock.now(), 'manual', { rerun: request, onLaunch: (child) => (launched = child) })
    return { record, launched }
  }

  /**
   * Starts `etl backfill` for a family (the UI's backfill), as a schedule of its own named
   * `backfill:<family>`, so one backfill of a family goes at a time: a second is recorded as skipped.
   */
  backfill(request: BackfillRunRequest): StartedTaskRun {
    const config: ScheduleConfig = { name: backfillName(request.family), cron: '', task: request.family, params: request.params, ...(request.workers !== undefined ? { workers: request.workers } : {}) }
    let launched: LaunchedRun | undefined
    const record = this.#startRun(config, this.#clock.now(), 'manual', { backfill: request, onLaunch: (child) => (launched = child) })
    return { record, launched }
  }

  /** The rerun of `taskId` still going, if there is one. */
  runningTask(taskId: string): { id: string; startedAt: number; pid: number | undefined } | undefined {
    const run = this.#running.get(rerunName(taskId))
    return run ? { id: run.id, startedAt: run.startedAt, pid: run.pid } : undefined
  }

  /** Adds a listener for every record, after the `record` option (the server files reruns on their tasks). */
  onRecord(listener: (record: ScheduleRunRecord) => void): void {
    this.#listeners.push(listener)
  }

  list(): ScheduleView[] {
    return [...this.#schedules.values()].map(({ config, cron }) => {
      const last = this.#lastDue.get(config.name)
      const running = this.#running.get(config.name)
      return {
        name: config.name,
        cron: config.cron,
        task: config.task,
        params: { ...config.params },
        timezone: config.timezone,
        enabled: config.enabled !== false,
        nextRunAt: config.enabled === false ? undefined : cron.nextRun(new Date(last ?? this.#clock.now()))?.getTime(),
        lastDueAt: last,
        running: running ? { id: running.id, startedAt: running.startedAt, pid: running.pid } : undefined,
      }
    })
  }

  /** Resolves when every run this daemon started has ended (tests, and a daemon asked to wait). */
  async idle(): Promise<void> {
    await Promise.all([...this.#children.values()].map((child) => child.exited))
  }

  snapshot(): ScheduleSnapshot {
    return { lastDue: Object.fromEntries(this.#lastDue), running: [...this.#running.values()] }
  }

  checkSnapshot(data: unknown): string | undefined {
    return shapeProblem(scheduleSnapshotSchema, data)
  }

  checkOp(op: unknown): string | undefined {
    return shapeProblem(scheduleOpSchema, op)
  }

  restore(data: unknown): void {
    const snapshot = data as ScheduleSnapshot
    this.#lastDue.clear()
    this.#running.clear()
    for (const [name, at] of Object.entries(snapshot.lastDue)) this.#lastDue.set(name, at)
    for (const run of snapshot.running) this.#running.set(run.schedule, run)
  }

  replay(op: unknown): void {
    this.#applyOp(op as ScheduleOp)
  }

  #tick(): void {
    if (this.#stopped) return
    let next: number | undefined
    try {
      next = this.check()
    } catch (error) {
      this.#logger.error({ err: error }, 'checking the schedules failed')
    }
    const wait = next === undefined ? MAX_CHECK_WAIT_MS : Math.min(MAX_CHECK_WAIT_MS, Math.max(0, next - this.#clock.now()))
    // A few milliseconds past the due time, so the check sees it as due.
    this.#timer = setTimeout(() => this.#tick(), wait + 5)
    this.#timer.unref()
  }

  #fire(config: ScheduleConfig, times: number[], more: number, now: number): void {
    const latest = times[times.length - 1]!
    const onTime = now - latest <= LATE_GRACE_MS
    const missed = onTime ? times.slice(0, -1) : times
    for (const [index, dueAt] of missed.entries()) {
      const extra = index === missed.length - 1 && more > 0 ? ` (and ${more} earlier due times not listed)` : ''
      this.#record({
        id: `${config.name}@${dueAt}`,
        schedule: config.name,
        task: config.task,
        dueAt,
        status: 'missed',
        message: `due at ${new Date(dueAt).toISOString()} while the daemon was not running; not run${extra}`,
      })
    }
    if (missed.length > 0) {
      this.#logger.warn(`schedule ${config.name}: ${missed.length + more} run(s) were due while the daemon was down and were not run; trigger it from the UI to run it now`)
    }
    this.#apply({ op: 'due', name: config.name, at: latest })
    if (onTime) this.#startRun(config, latest, 'cron')
  }

  #startRun(config: ScheduleConfig, dueAt: number, cause: 'cron' | 'manual', launch: { rerun?: TaskRunRequest; backfill?: BackfillRunRequest; onLaunch?: (child: LaunchedRun) => void } = {}): ScheduleRunRecord {
    const { rerun, backfill, onLaunch } = launch
    const origin = rerun?.origin ?? backfill?.origin
    const now = this.#clock.now()
    const id = cause === 'cron' ? `${config.name}@${dueAt}` : `${config.name}@manual-${now}`
    const forTask = rerun ? { taskId: rerun.taskId, invalidateFirst: rerun.invalidateFirst } : {}
    const previous = this.#running.get(config.name)
    if (previous) {
      const skipped: ScheduleRunRecord = {
        id,
        schedule: config.name,
        task: config.task,
        ...forTask,
        dueAt,
        status: 'skipped',
        message: `the previous run ${previous.id} (started ${new Date(previous.startedAt).toISOString()}) was still going`,
      }
      this.#record(skipped)
      this.#logger.warn(`schedule ${config.name}: skipped the run due at ${new Date(dueAt).toISOString()}: ${skipped.message}`)
      return skipped
    }
    const runId = rerun ? rerunRunId(rerun, dueAt) : backfill ? backfillRunId(backfill.family, dueAt) : `${config.name}-${new Date(dueAt).toISOString()}${cause === 'manual' ? '-manual' : ''}`
    const started: ScheduleRunRecord = { id, schedule: config.name, task: config.task, ...forTask, dueAt, startedAt: now, status: 'running', runId }
    const spec: RunSpec = {
      command: this.#options.runCommand,
      task: config.task,
      params: config.params ?? {},
      workers: config.workers,
      schedulerUrl: this.#options.schedulerUrl(),
      runId,
      runLabel: rerun ? `rerun of ${rerun.taskId}` : backfill ? `backfill of ${backfill.family} over ${backfill.backfill.param} ${backfill.backfill.interval}` : `${config.name}: ${config.task}`,
      ...(origin ? { cwd: origin.cwd, module: origin.module, config: origin.config } : {}),
      ...(backfill ? { step: 'backfill' as const, backfill: backfill.backfill } : {}),
    }
    let run: RunningRun = { id, schedule: config.name, task: config.task, dueAt, startedAt: now, pid: undefined, runId, ...forTask }
    let child: LaunchedRun
    try {
      const steps: RunSpec[] = !rerun ? [spec] : rerun.invalidateFirst ? [{ ...spec, step: 'invalidate' }, { ...spec, step: 'run' }] : [{ ...spec, step: 'run' }]
      // The recorded pid follows the step that runs, so a restarted daemon adopts the right process.
      child = this.#launchSteps(steps, (pid) => this.#apply({ op: 'started', run: (run = { ...run, pid }) }))
    } catch (error) {
      const failed: ScheduleRunRecord = { ...started, status: 'failed', endedAt: now, message: `could not start the run: ${(error as Error).message}` }
      this.#record(failed)
      return failed
    }
    run = { ...run, pid: child.pid }
    this.#apply({ op: 'started', run })
    this.#children.set(config.name, child)
    this.#record(started)
    onLaunch?.(child)
    this.#logger.info(`schedule ${config.name}: started ${config.task} (run ${runId}, pid ${child.pid ?? '?'})`)
    void child.exited.then((exit) => {
      this.#children.delete(config.name)
      this.#apply({ op: 'ended', schedule: config.name })
      const ok = exit.code === 0 && !exit.error
      this.#record({ ...started, status: ok ? 'succeeded' : 'failed', endedAt: this.#clock.now(), exitCode: exit.code, outputTail: exit.outputTail, message: endMessage(exit) })
      this.#logger[ok ? 'info' : 'warn'](`schedule ${config.name}: run ${runId} ${ok ? 'finished' : `failed (exit ${exit.code ?? exit.signal})`}`)
    })
    return started
  }

  /**
   * Starts the first step now and each next one once the one before exits 0; the launch ends with the
   * first step that fails, or with the last. Throws, as a launcher does, when the first cannot start.
   */
  #launchSteps(steps: readonly RunSpec[], onNextStep: (pid: number | undefined) => void): LaunchedRun {
    const [firstSpec, ...rest] = steps
    const first = this.#launcher(firstSpec!)
    const exited = rest.reduce<Promise<RunExit>>(
      (before, spec) =>
        before.then(async (previous) => {
          if (previous.code !== 0 || previous.error) return previous
          let next: LaunchedRun
          try {
            next = this.#launcher(spec)
          } catch (error) {
            return withStep(spec, { code: null, signal: null, outputTail: previous.outputTail, error: (error as Error).message })
          }
          onNextStep(next.pid)
          const end = withStep(spec, await next.exited)
          return { ...end, outputTail: `${previous.outputTail}${end.outputTail}`.slice(-OUTPUT_TAIL_CHARS) }
        }),
      first.exited.then((exit) => withStep(firstSpec!, exit)),
    )
    return { pid: first.pid, ...(first.spawned ? { spawned: first.spawned } : {}), exited }
  }

  /** Runs still recorded as going from before a restart: over once their process is gone. */
  #reapAdopted(): void {
    for (const [name, run] of this.#running) {
      if (this.#children.has(name)) continue
      if (run.pid !== undefined && isProcessAlive(run.pid)) continue
      this.#apply({ op: 'ended', schedule: name })
      this.#record({
        id: run.id,
        schedule: name,
        task: run.task,
        ...(run.taskId !== undefined ? { taskId: run.taskId, invalidateFirst: run.invalidateFirst ?? false } : {}),
        dueAt: run.dueAt,
        startedAt: run.startedAt,
        endedAt: this.#clock.now(),
        status: 'failed',
        runId: run.runId,
        message: 'the daemon restarted while this run was going; its exit code is unknown (see the run history for its tasks)',
      })
    }
  }

  #apply(op: ScheduleOp): void {
    // Written ahead, as the scheduler's: an op the journal refuses (a full disk) is not applied either.
    this.#options.journal?.append(op)
    this.#applyOp(op)
  }

  #applyOp(op: ScheduleOp): void {
    if (op.op === 'due') this.#lastDue.set(op.name, op.at)
    else if (op.op === 'started') this.#running.set(op.run.schedule, op.run)
    else this.#running.delete(op.schedule)
  }

  /** Every record passes here: its message and output are masked once, before anyone keeps them. */
  #record(record: ScheduleRunRecord): void {
    const masked: ScheduleRunRecord = { ...record }
    if (record.message !== undefined) masked.message = redactText(record.message)
    if (record.outputTail !== undefined) masked.outputTail = redactText(record.outputTail)
    this.#options.record?.(masked)
    for (const listener of this.#listeners) listener(masked)
  }
}

/** The name a family's backfills go by in the list of runs going: one at a time per family. */
function backfillName(family: string): string {
  return `backfill:${family}`
}

/** A backfill's run id: readable and short enough for the header a worker sends it in. */
function backfillRunId(family: string, at: number): string {
  return `backfill-${family.slice(0, 100)}-${new Date(at).toISOString()}`
}

/** The name a task's reruns go by in the list of runs going: one at a time per task. */
function rerunName(taskId: string): string {
  return `rerun:${taskId}`
}

/**
 * The run id of a rerun: readable, short enough for the header a worker sends it in (ids can be
 * 2,000 characters long), and distinct for two tasks of one family started in the same millisecond.
 */
function rerunRunId(request: TaskRunRequest, at: number): string {
  const digest = createHash('sha256').update(request.taskId).digest('hex').slice(0, 10)
  return `rerun-${request.family.slice(0, 100)}-${digest}-${new Date(at).toISOString()}`
}

/** The exit, tagged with the step it ended (a launcher need not know about steps). */
function withStep(spec: RunSpec, exit: RunExit): RunExit {
  return spec.step ? { ...exit, step: spec.step } : exit
}

/** How a run ended, in words, naming the step a rerun ended in. */
function endMessage({ code, signal, error, step }: RunExit): string {
  if (error) return `could not start the ${step ? `${step} step` : 'run'}: ${error}`
  if (code === 0) return 'finished'
  const prefix = step ? `the ${step} step ` : ''
  return signal ? `${prefix}ended by signal ${signal}` : `${prefix}exited with code ${code}`
}

/** Due times in (after, now], oldest first, at most MAX_MISSED_RECORDS + 1 of them, and how many more. */
function dueTimes(cron: Cron, after: number, now: number): { times: number[]; more: number } {
  const times: number[] = []
  let more = 0
  let cursor = cron.nextRun(new Date(after))
  while (cursor && cursor.getTime() <= now) {
    times.push(cursor.getTime())
    if (times.length > MAX_MISSED_RECORDS + 1) {
      times.shift()
      more += 1
      // Every second for days would be millions of steps: jump close to now instead.
      if (more > 10_000) {
        const recent = cron.previousRuns(MAX_MISSED_RECORDS + 1, new Date(now + 1))
        return { times: recent.map((date) => date.getTime()).reverse(), more: more + 1 }
      }
    }
    cursor = cron.nextRun(cursor)
  }
  return { times, more }
}
