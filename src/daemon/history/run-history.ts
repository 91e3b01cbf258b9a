import type { Logger } from 'pino'
import { EtlError } from '../../errors.js'
import type { AttemptRecord, SchedulerEvent } from '../../scheduler/scheduler-op.js'
import type { RunInfo } from '../../scheduler/run-registry.js'
import type { TaskError, TaskLogLine } from '../../scheduler/scheduler.js'
import { silentLogger } from '../../util/logger.js'
import { redactParams, redactSecrets, redactText } from '../../util/redact.js'
import { storableJson } from '../../util/storable-text.js'
import type { HistoryClient } from './history-client.js'
import { historyMigrations } from './history-migrations.js'
import { migrate } from '../../db/migrations/migrate.js'

/** One scheduled run (or a run started from the UI) as the history keeps it. */
export interface ScheduleRunRecord {
  id: string
  schedule: string
  task: string
  dueAt: number
  startedAt?: number | undefined
  endedAt?: number | undefined
  /** `missed`: due while the daemon was down, reported and not run; `skipped`: its previous run was still going. */
  status: 'running' | 'succeeded' | 'failed' | 'skipped' | 'missed'
  exitCode?: number | null | undefined
  runId?: string | undefined
  message?: string | undefined
  outputTail?: string | undefined
  /** The task a rerun from the UI was started for (not kept in the history's table). */
  taskId?: string | undefined
  /** True when that rerun removed the task's outputs first, because it was DONE. */
  invalidateFirst?: boolean | undefined
}

/** A row the database refused for what it holds, set aside so that it stops nothing else. */
export interface SetAsideRecord {
  table: 'attempts' | 'runs' | 'schedule runs'
  /** Which row: the attempt's task, worker and time taken, the run's id, the scheduled run's id. */
  key: string
  row: unknown
  /** The database's reason. */
  reason: string
}

/** A run as the history keeps it. */
export interface RunRecord extends Omit<RunInfo, 'endedAt'> {
  endedAt: number | undefined
}

/** Rows written per statement: a batch of attempts goes as one JSON parameter. */
const MAX_BATCH = 2000
/** Rows kept in memory while the database is unreachable; older ones are dropped past this, with a warning. */
const MAX_QUEUED = 200_000
/**
 * Events gather this long before a batch is written: an attempt's start and end then often become one
 * row, and the embedded database, which runs on the daemon's own thread, is asked a few times a second
 * rather than once per event.
 */
const BATCH_DELAY_MS = 250
/** Wait before writing again after the database refused a batch. */
const RETRY_WAIT_MS = 2000

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/
/**
 * SQLSTATE classes that mean "this data", not "this database": 22 (a value it cannot take: a character,
 * a number out of range) and 54 (a value over one of its limits). Trying again cannot help.
 */
const DATA_ERROR_CLASSES = new Set(['22', '54'])

/**
 * The run history: every attempt (task, worker, start, end, status, error, result, log tail), every
 * run and every scheduled run, in Postgres (embedded or a server). Writes are queued and batched off
 * the scheduling path, in order, as idempotent upserts, so events replayed after a restart land on the
 * rows they already wrote.
 */
export class RunHistory {
  readonly #client: HistoryClient
  readonly #logger: Logger
  readonly #t: { attempts: string; runs: string; scheduleRuns: string; schema: string }
  #attempts = new Map<string, AttemptRecord>()
  #runs = new Map<string, RunInfo>()
  #scheduleRuns = new Map<string, ScheduleRunRecord>()
  #flushing: Promise<void> | undefined
  #ready: Promise<void> | undefined
  #error: string | undefined
  #retryTimer: NodeJS.Timeout | undefined
  #closed = false
  #warnedAt = 0

  readonly #setAside: ((record: SetAsideRecord) => void) | undefined

  readonly #schemaName: string

  constructor(client: HistoryClient, options: { schema?: string; logger?: Logger; setAside?: (record: SetAsideRecord) => void } = {}) {
    const schema = options.schema ?? 'public'
    if (!IDENTIFIER.test(schema)) {
      throw new EtlError('ETL_ERR_CONFIG_INVALID', `scheduler.history.schema ${JSON.stringify(schema)} is not a plain SQL name; use letters, digits and _`)
    }
    this.#client = client
    this.#logger = options.logger ?? silentLogger()
    this.#setAside = options.setAside
    this.#schemaName = schema
    this.#t = { schema: `"${schema}"`, attempts: `"${schema}".etl_attempts`, runs: `"${schema}".etl_runs`, scheduleRuns: `"${schema}".etl_schedule_runs` }
  }

  /**
   * Creates the schema and tables if they are missing. Writes queued before it finishes wait for it;
   * when it fails, `status` says why and writes are tried again later.
   */
  migrate(): Promise<void> {
    this.#ready = this.#migrate().then(
      () => {
        this.#error = undefined
      },
      (error: unknown) => {
        this.#error = redactError(error).message
        // Closed while it opened (the daemon did not start after all): nothing went wrong with the database.
        if (!this.#closed) this.#logger.error({ err: redactError(error) }, 'the run history database cannot be opened; the scheduler goes on without it')
        throw error
      },
    )
    this.#ready.catch(() => {})
    return this.#ready
  }

  /** `ready`, or what went wrong with the database, for the UI. */
  get status(): string {
    return this.#error === undefined ? 'ready' : `unavailable: ${this.#error}`
  }

  async #migrate(): Promise<void> {
    await migrate(this.#client, historyMigrations(this.#schemaName))
  }

  /** The scheduler's listener: queues what an event changes. */
  readonly listener = (event: SchedulerEvent): void => {
    if (event.type === 'attempt') this.#queue(this.#attempts, attemptKey(event.attempt), event.attempt)
    else if (event.type === 'run') this.#queue(this.#runs, event.run.id, event.run)
  }

  recordScheduleRun(record: ScheduleRunRecord): void {
    this.#queue(this.#scheduleRuns, record.id, { ...record })
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.#attempts.size + this.#runs.size + this.#scheduleRuns.size
  }

  /** Resolves once everything queued so far is written (or the database refused it). */
  async flush(): Promise<void> {
    while (this.pending > 0 || this.#flushing) {
      if (this.#retryTimer && !this.#flushing) return // the database is refusing writes; nothing to wait for
      if (!this.#flushing) this.#startFlush()
      await this.#flushing
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    await this.flush()
    this.#closed = true
    await this.#client.close()
  }

  // ---- reads, for the UI ----

  async runs(options: { limit: number; offset: number }): Promise<{ runs: RunRecord[]; total: number }> {
    await this.#ready
    const { rows } = await this.#client.query<RunRow>(`SELECT *, count(*) OVER () AS total FROM ${this.#t.runs} ORDER BY started_at DESC, run_id LIMIT $1 OFFSET $2`, [
      options.limit,
      options.offset,
    ])
    return { runs: rows.map(runOf), total: Number(rows[0]?.total ?? 0) }
  }

  async run(runId: string): Promise<RunRecord | undefined> {
    await this.#ready
    const { rows } = await this.#client.query<RunRow>(`SELECT * FROM ${this.#t.runs} WHERE run_id = $1`, [runId])
    return rows[0] ? runOf(rows[0]) : undefined
  }

  /** A run's attempts, oldest first, without their logs (for the timeline). */
  async attemptsOfRun(runId: string, limit: number): Promise<AttemptRecord[]> {
    await this.#ready
    const { rows } = await this.#client.query<AttemptRow>(
      `SELECT task_id, worker_id, taken_at, run_id, family, params, status, started_at, ended_at, error, result, NULL AS log, masked
         FROM ${this.#t.attempts} WHERE run_id = $1 ORDER BY started_at, task_id LIMIT $2`,
      [runId, limit],
    )
    return rows.map(attemptOf)
  }

  /** A task's attempts, newest first, with their logs. */
  async attemptsOfTask(taskId: string, limit: number): Promise<AttemptRecord[]> {
    await this.#ready
    const { rows } = await this.#client.query<AttemptRow>(`SELECT * FROM ${this.#t.attempts} WHERE task_id = $1 ORDER BY taken_at DESC LIMIT $2`, [taskId, limit])
    return rows.map(attemptOf)
  }

  /** Attempts counted by status and run, for the runs list. */
  async attemptCounts(runIds: readonly string[]): Promise<Record<string, Record<string, number>>> {
    await this.#ready
    if (runIds.length === 0) return {}
    const { rows } = await this.#client.query<{ run_id: string; status: string; n: number | string }>(
      `SELECT run_id, status, count(*) AS n FROM ${this.#t.attempts} WHERE run_id = ANY($1::text[]) GROUP BY run_id, status`,
      [runIds],
    )
    const counts: Record<string, Record<string, number>> = {}
    for (const row of rows) (counts[row.run_id] ??= {})[row.status] = Number(row.n)
    return counts
  }

  async scheduleRuns(options: { limit: number; schedule?: string | undefined }): Promise<ScheduleRunRecord[]> {
    await this.#ready
    const { rows } = await this.#client.query<ScheduleRunRow>(
      `SELECT * FROM ${this.#t.scheduleRuns} WHERE ($2::text IS NULL OR schedule = $2) ORDER BY due_at DESC, id LIMIT $1`,
      [options.limit, options.schedule ?? null],
    )
    return rows.map(scheduleRunOf)
  }

  // ---- the write queue ----

  #queue<T>(into: Map<string, T>, key: string, row: T): void {
    if (this.#closed) return
    // A later event for the same row replaces the queued one: it carries the whole row.
    into.delete(key)
    into.set(key, row)
    if (this.pending > MAX_QUEUED) this.#dropOldest()
    if (!this.#flushing && !this.#retryTimer) this.#startFlush()
  }

  #startFlush(): void {
    this.#flushing = this.#writeAll().finally(() => {
      this.#flushing = undefined
    })
  }

  async #writeAll(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, BATCH_DELAY_MS))
    if (this.#ready) {
      try {
        await this.#ready
      } catch {
        this.#scheduleRetry()
        return
      }
    }
    while (this.pending > 0 && !this.#closed) {
      const runs = take(this.#runs, MAX_BATCH)
      const attempts = take(this.#attempts, MAX_BATCH)
      const scheduleRuns = take(this.#scheduleRuns, MAX_BATCH)
      try {
        await this.#writeSorted('runs', runs, (run) => run.id, (rows) => this.#writeRuns(rows))
        await this.#writeSorted('attempts', attempts, attemptKey, (rows) => this.#writeAttempts(rows))
        await this.#writeSorted('schedule runs', scheduleRuns, (run) => run.id, (rows) => this.#writeScheduleRuns(rows))
        this.#error = undefined
      } catch (error) {
        // Put the batch back (behind nothing newer for the same row) and try again later.
        requeue(this.#runs, runs, (run) => run.id)
        requeue(this.#attempts, attempts, attemptKey)
        requeue(this.#scheduleRuns, scheduleRuns, (r) => r.id)
        this.#warnedAt = Date.now()
        this.#error = redactError(error).message
        this.#logger.warn({ err: redactError(error) }, `the run history could not be written; trying again in ${RETRY_WAIT_MS}ms`)
        this.#scheduleRetry()
        return
      }
    }
  }

  /**
   * Writes a batch; when the database refuses it for what a row holds, writes it in halves to find that
   * row, and sets it aside (logged, and handed to `setAside`) so the rest are written and the queue
   * moves on. Anything else (the database unreachable) is thrown: the whole batch is tried again later.
   */
  async #writeSorted<T>(table: SetAsideRecord['table'], rows: T[], keyOf: (row: T) => string, write: (rows: T[]) => Promise<void>): Promise<void> {
    if (rows.length === 0) return
    try {
      await write(rows)
    } catch (error) {
      if (!isDataError(error)) throw error
      if (rows.length > 1) {
        const middle = Math.ceil(rows.length / 2)
        await this.#writeSorted(table, rows.slice(0, middle), keyOf, write)
        await this.#writeSorted(table, rows.slice(middle), keyOf, write)
        return
      }
      const reason = redactError(error).message
      const key = keyOf(rows[0]!).replaceAll('\u0000', ' ')
      this.#logger.error(`the run history refused a row of ${table} (${key}) for what it holds, and set it aside so the rest are written: ${reason}`)
      this.#setAside?.({ table, key, row: rows[0], reason })
    }
  }

  async #writeAttempts(rows: AttemptRecord[]): Promise<void> {
    const json = rows.map((a) => ({
      task_id: a.taskId,
      worker_id: a.workerId,
      taken_at: a.takenAt,
      run_id: a.runId,
      family: a.family,
      params: a.params,
      status: a.status,
      started_at: a.startedAt,
      ended_at: a.endedAt ?? null,
      error: a.error ?? null,
      result: a.result ?? null,
      log: a.log ?? null,
      masked: true,
    }))
    await this.#client.query(
      `INSERT INTO ${this.#t.attempts} AS a (task_id, worker_id, taken_at, run_id, family, params, status, started_at, ended_at, error, result, log, masked)
       SELECT task_id, worker_id, taken_at, run_id, family, params, status, started_at, ended_at, error, result, log, masked
         FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, worker_id text, taken_at bigint, run_id text, family text, params jsonb,
              status text, started_at bigint, ended_at bigint, error jsonb, result jsonb, log jsonb, masked boolean)
       ON CONFLICT (task_id, worker_id, taken_at) DO UPDATE SET
         -- an event replayed after a restart never takes a finished attempt back to RUNNING
         status = CASE WHEN a.status <> 'RUNNING' AND excluded.status = 'RUNNING' THEN a.status ELSE excluded.status END,
         started_at = CASE WHEN a.status <> 'RUNNING' AND excluded.status = 'RUNNING' THEN a.started_at ELSE excluded.started_at END,
         ended_at = COALESCE(excluded.ended_at, a.ended_at),
         error = COALESCE(excluded.error, a.error),
         result = COALESCE(excluded.result, a.result),
         log = COALESCE(excluded.log, a.log),
         -- an older row keeps what it had alongside the new: it stays masked on read
         masked = a.masked AND excluded.masked`,
      [jsonParameter(json)],
    )
  }

  async #writeRuns(rows: RunInfo[]): Promise<void> {
    const json = rows.map((r) => ({
      run_id: r.id,
      label: r.label,
      started_at: r.startedAt,
      ended_at: r.endedAt ?? null,
      status: r.status,
      root_ids: r.rootIds,
      worker_ids: r.workerIds,
      masked: true,
    }))
    await this.#client.query(
      `INSERT INTO ${this.#t.runs} (run_id, label, started_at, ended_at, status, root_ids, worker_ids, masked)
       SELECT run_id, label, started_at, ended_at, status, root_ids, worker_ids, masked
         FROM jsonb_to_recordset($1::jsonb) AS x(run_id text, label text, started_at bigint, ended_at bigint, status text, root_ids jsonb, worker_ids jsonb, masked boolean)
       ON CONFLICT (run_id) DO UPDATE SET label = excluded.label, ended_at = excluded.ended_at, status = excluded.status,
         root_ids = excluded.root_ids, worker_ids = excluded.worker_ids, masked = excluded.masked`,
      [jsonParameter(json)],
    )
  }

  async #writeScheduleRuns(rows: ScheduleRunRecord[]): Promise<void> {
    const json = rows.map((r) => ({
      id: r.id,
      schedule: r.schedule,
      task: r.task,
      due_at: r.dueAt,
      started_at: r.startedAt ?? null,
      ended_at: r.endedAt ?? null,
      status: r.status,
      exit_code: r.exitCode ?? null,
      run_id: r.runId ?? null,
      message: r.message ?? null,
      output_tail: r.outputTail ?? null,
      masked: true,
    }))
    await this.#client.query(
      `INSERT INTO ${this.#t.scheduleRuns} (id, schedule, task, due_at, started_at, ended_at, status, exit_code, run_id, message, output_tail, masked)
       SELECT id, schedule, task, due_at, started_at, ended_at, status, exit_code, run_id, message, output_tail, masked
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, schedule text, task text, due_at bigint, started_at bigint, ended_at bigint,
              status text, exit_code integer, run_id text, message text, output_tail text, masked boolean)
       ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at, status = excluded.status,
         exit_code = excluded.exit_code, run_id = excluded.run_id, message = excluded.message, output_tail = excluded.output_tail, masked = excluded.masked`,
      [jsonParameter(json)],
    )
  }

  #scheduleRetry(): void {
    if (this.#retryTimer || this.#closed) return
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      // A database that failed to open gets another chance to.
      if (this.#error !== undefined && this.#ready) void this.migrate().catch(() => {})
      if (!this.#flushing && this.pending > 0) this.#startFlush()
    }, RETRY_WAIT_MS)
    this.#retryTimer.unref()
  }

  #dropOldest(): void {
    const map = this.#attempts.size > 0 ? this.#attempts : this.#runs
    const first = map.keys().next()
    if (!first.done) map.delete(first.value)
    if (Date.now() - this.#warnedAt > 60_000) {
      this.#warnedAt = Date.now()
      this.#logger.warn(`the run history is ${MAX_QUEUED} rows behind; the oldest unwritten attempts are being dropped`)
    }
  }
}

type RunRow = {
  run_id: string
  label: string
  started_at: string | number
  ended_at: string | number | null
  status: RunInfo['status']
  root_ids: string[]
  worker_ids: string[]
  total?: string | number
  /** False on rows an older daemon wrote, before secrets were masked on the way in. */
  masked?: boolean
}

type AttemptRow = {
  task_id: string
  worker_id: string
  taken_at: string | number
  run_id: string
  family: string
  params: Record<string, string>
  status: AttemptRecord['status']
  started_at: string | number
  ended_at: string | number | null
  error: TaskError | null
  result: unknown
  log: TaskLogLine[] | null
  masked?: boolean
}

type ScheduleRunRow = {
  id: string
  schedule: string
  task: string
  due_at: string | number
  started_at: string | number | null
  ended_at: string | number | null
  status: ScheduleRunRecord['status']
  exit_code: number | null
  run_id: string | null
  message: string | null
  output_tail: string | null
  masked?: boolean
}

// The data layer returns bigint columns as strings and JSON as its text, on PGlite and a server alike.
const num = (value: string | number | null): number | undefined => (value === null ? undefined : Number(value))
const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value)

function runOf(row: RunRow): RunRecord {
  return {
    id: row.run_id,
    label: row.masked === false ? redactText(row.label) : row.label,
    startedAt: Number(row.started_at),
    endedAt: num(row.ended_at),
    status: row.status,
    rootIds: json(row.root_ids),
    workerIds: json(row.worker_ids),
  }
}

function attemptOf(row: AttemptRow): AttemptRecord {
  const attempt: AttemptRecord = {
    taskId: row.task_id,
    workerId: row.worker_id,
    takenAt: Number(row.taken_at),
    runId: row.run_id,
    family: row.family,
    params: json(row.params),
    status: row.status,
    startedAt: Number(row.started_at),
  }
  if (row.ended_at !== null) attempt.endedAt = Number(row.ended_at)
  if (row.error) attempt.error = json(row.error)
  if (row.result !== null && row.result !== undefined) attempt.result = json(row.result)
  if (row.log) attempt.log = json(row.log)
  return row.masked === false ? maskedAttempt(attempt) : attempt
}

/** An attempt an older daemon wrote, before secrets were masked on the way in. */
function maskedAttempt(attempt: AttemptRecord): AttemptRecord {
  const masked: AttemptRecord = { ...attempt, params: redactParams(attempt.params) }
  if (attempt.error) masked.error = { ...attempt.error, message: redactText(attempt.error.message), ...(attempt.error.stack ? { stack: redactText(attempt.error.stack) } : {}) }
  if (attempt.result !== undefined) masked.result = redactSecrets(attempt.result)
  if (attempt.log) masked.log = attempt.log.map((line) => ({ ...line, message: redactText(line.message) }))
  return masked
}

function scheduleRunOf(row: ScheduleRunRow): ScheduleRunRecord {
  return {
    id: row.id,
    schedule: row.schedule,
    task: row.task,
    dueAt: Number(row.due_at),
    startedAt: num(row.started_at),
    endedAt: num(row.ended_at),
    status: row.status,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    runId: row.run_id ?? undefined,
    message: row.message === null ? undefined : row.masked === false ? redactText(row.message) : row.message,
    outputTail: row.output_tail === null ? undefined : row.masked === false ? redactText(row.output_tail) : row.output_tail,
  }
}

function take<T>(map: Map<string, T>, count: number): T[] {
  const taken: T[] = []
  for (const [key, value] of map) {
    if (taken.length >= count) break
    taken.push(value)
    map.delete(key)
  }
  return taken
}

function requeue<T>(into: Map<string, T>, rows: T[], keyOf: (row: T) => string): void {
  const newer = new Map(into)
  into.clear()
  for (const row of rows) into.set(keyOf(row), row)
  for (const [key, row] of newer) {
    into.delete(key)
    into.set(key, row)
  }
}

function attemptKey(attempt: AttemptRecord): string {
  return `${attempt.taskId}\u0000${attempt.workerId}\u0000${attempt.takenAt}`
}

/**
 * A batch as the one JSON parameter of its statement, with every character Postgres cannot store
 * replaced. A row that cannot be written as JSON at all counts as refused data.
 */
function jsonParameter(rows: unknown[]): string {
  let text: string
  try {
    text = JSON.stringify(rows)
  } catch (error) {
    throw Object.assign(new Error(`a row cannot be written as JSON: ${(error as Error).message}`), { code: '22000' })
  }
  return storableJson(text)
}

/** True when the database refused the data itself (SQLSTATE class 22 or 54), however the data layer wrapped it. */
function isDataError(error: unknown): boolean {
  for (let at: unknown = error; at; at = (at as { cause?: unknown }).cause) {
    const code = (at as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && DATA_ERROR_CLASSES.has(code.slice(0, 2))) return true
  }
  return false
}

/** A database error without anything that could carry a password. */
function redactError(error: unknown): { message: string; code?: string } {
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown }).code
  return { message: redactText(message), ...(typeof code === 'string' ? { code } : {}) }
}
