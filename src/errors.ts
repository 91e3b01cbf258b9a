/**
 * Every error the framework raises on purpose carries a stable code from this catalogue, so callers
 * (the CLI's exit codes, the daemon's API, tests) branch on `error.code` and never on message text.
 * Each entry says what the code means at the edges, as fastify's error list does: how an `etl`
 * command that it stops exits, and what HTTP status the daemon answers it with.
 *
 * Codes are `ETL_ERR_<AREA>_<WHAT>` and are never reused for a different meaning.
 */

/**
 * How an error that stops an `etl` command ends it: `scheduling` (exit 5) for a request that cannot
 * be carried out as asked (a bad parameter, config, module or folder; a daemon that is not there),
 * `unexpected` (exit 1, with the stack) for anything else. A task that throws any of them just fails.
 */
export type ExitClass = 'scheduling' | 'unexpected'

/** One catalogue entry. */
export interface ErrorEntry {
  readonly exit: ExitClass
  /** The daemon's answer when a request hits it. */
  readonly status: number
}

/** A request etl cannot carry out as asked: exit 5; 400 unless said otherwise. */
function usage(status = 400): ErrorEntry {
  return { exit: 'scheduling', status }
}

/** A failure: exit 1 when it stops a command; 500 unless said otherwise. */
function failure(status = 500): ErrorEntry {
  return { exit: 'unexpected', status }
}

export const ERROR_CATALOGUE = {
  /** Parameters */
  ETL_ERR_PARAM_UNKNOWN: usage(),
  ETL_ERR_PARAM_MISSING: usage(),
  ETL_ERR_PARAM_INVALID: usage(),
  ETL_ERR_PARAM_DECLARATION: usage(),

  /** Tasks and the task registry */
  ETL_ERR_TASK_UNKNOWN: usage(),
  ETL_ERR_TASK_MODULE: usage(),
  ETL_ERR_TASK_DUPLICATE_FAMILY: usage(),
  ETL_ERR_TASK_BAD_REQUIREMENT: usage(),
  ETL_ERR_TASK_BAD_OUTPUT: usage(),
  ETL_ERR_TASK_BAD_RESOURCES: usage(),
  ETL_ERR_TASK_TIMEOUT: failure(),
  ETL_ERR_TASK_OUTPUT_MISSING_AFTER_RUN: failure(),
  ETL_ERR_TASK_MISSING_EXTERNAL_DATA: failure(),
  ETL_ERR_TASK_DEPENDENCY_FAILED: failure(),
  ETL_ERR_TASK_CANCELLED: failure(),
  /** A task class's `bulkComplete` gave an answer that is not one boolean per task */
  ETL_ERR_TASK_BAD_BULK_COMPLETE: failure(),

  /** Ranges and backfills: which parameter a range steps through, its interval, its step */
  ETL_ERR_RANGE_PARAM: usage(),
  ETL_ERR_RANGE_INTERVAL: usage(),
  ETL_ERR_RANGE_STEP: usage(),

  /** The dependency graph */
  ETL_ERR_GRAPH_CYCLE: usage(),

  /** Scheduling and runs */
  ETL_ERR_SCHEDULER_UNREACHABLE: usage(),

  /** Configuration */
  ETL_ERR_CONFIG_INVALID: usage(),
  ETL_ERR_CONFIG_UNREADABLE: usage(),
  ETL_ERR_CONFIG_ENV_MISSING: usage(),

  /** Databases: connections, statements, bulk loads, type mapping */
  ETL_ERR_DB_CONNECTION_UNKNOWN: failure(),
  ETL_ERR_DB_UNREACHABLE: failure(),
  ETL_ERR_DB_AUTH_FAILED: failure(),
  ETL_ERR_DB_TABLE_MISSING: failure(),
  ETL_ERR_DB_COLUMN_MISSING: failure(),
  ETL_ERR_DB_TYPE_UNMAPPABLE: failure(),
  ETL_ERR_DB_QUERY_FAILED: failure(),
  ETL_ERR_DB_LOAD_REJECTED: failure(),
  ETL_ERR_DB_NOT_SUPPORTED: failure(),
  ETL_ERR_DB_CLOSED: failure(),
  ETL_ERR_DB_MIGRATION_FAILED: failure(),

  /** The lake: local folder or S3 */
  ETL_ERR_LAKE_NOT_FOUND: failure(),
  ETL_ERR_LAKE_KEY_INVALID: failure(),
  ETL_ERR_LAKE_UNREACHABLE: failure(),
  ETL_ERR_LAKE_ACCESS_DENIED: failure(),

  /** CSV */
  ETL_ERR_CSV_MALFORMED: failure(),

  /** The ELT toolkit: metadata dictionaries, execution control, the reference pipeline */
  ETL_ERR_METADATA_INVALID: usage(),
  ETL_ERR_METADATA_UNREADABLE: usage(),
  ETL_ERR_ELT_SOURCE_MISMATCH: failure(),
  ETL_ERR_ELT_CONTROL_STATE: failure(),
  ETL_ERR_ELT_INPUT_MISSING: failure(),
  /** An incremental table whose dictionary says `"nullWatermark": "error"` has rows with a NULL watermark */
  ETL_ERR_ELT_NULL_WATERMARK: failure(),
  /** The support pipeline's SLA table (sla.xlsx or sla.csv) lacks a column, repeats a priority or has hours that are not numbers */
  ETL_ERR_SUPPORT_SLA_INVALID: failure(),
  ETL_ERR_DIMENSIONAL_INVALID: usage(),
  ETL_ERR_DIMENSION_HIERARCHY_INVALID: failure(),

  /** Sample data (`etl demo`) */
  ETL_ERR_SAMPLE_UNKNOWN: usage(),
  ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY: usage(),
  ETL_ERR_SAMPLE_SOURCE_MISSING: usage(),

  /** Command and SQL steps: placeholders, resource files, programs, SQL scripts */
  ETL_ERR_STEP_PLACEHOLDER_UNRESOLVED: usage(),
  ETL_ERR_STEP_PLACEHOLDER_INVALID: usage(),
  ETL_ERR_STEP_VARS_UNREADABLE: usage(),
  ETL_ERR_STEP_COMMAND_INVALID: usage(),
  ETL_ERR_STEP_COMMAND_FAILED: failure(),
  ETL_ERR_STEP_SQL_UNREADABLE: usage(),

  /** Declarative jobs (`jobs/*.json|yaml`) */
  ETL_ERR_JOB_UNREADABLE: usage(),
  ETL_ERR_JOB_INVALID: usage(),
  ETL_ERR_JOB_FOLLOW_UP_FAILED: failure(),

  /** The scheduler daemon, its API and its UI */
  ETL_ERR_DAEMON_RPC_REJECTED: usage(),
  ETL_ERR_DAEMON_BAD_REQUEST: failure(400),
  ETL_ERR_DAEMON_NOT_FOUND: failure(404),
  ETL_ERR_DAEMON_TOKEN_MISSING: usage(403),
  ETL_ERR_DAEMON_TOKEN_INVALID: failure(401),
  ETL_ERR_DAEMON_STATE_UNREADABLE: usage(),
  ETL_ERR_DAEMON_STATE_LOCKED: usage(),
  ETL_ERR_DAEMON_SCHEDULE_UNKNOWN: failure(404),
  ETL_ERR_DAEMON_INTERNAL: failure(),
  ETL_ERR_DAEMON_LISTEN_FAILED: usage(),
  ETL_ERR_DAEMON_LEASE_INVALID: failure(409),
  ETL_ERR_DAEMON_REGISTRATION_CONFLICT: failure(409),
  ETL_ERR_DAEMON_WORKER_UNAUTHORIZED: failure(401),
  ETL_ERR_DAEMON_INSECURE: failure(),
  ETL_ERR_DAEMON_HOST_REFUSED: failure(403),
  ETL_ERR_DAEMON_TOO_MANY_FAILURES: failure(429),
  ETL_ERR_DAEMON_LAUNCH_FAILED: failure(500),
  ETL_ERR_DAEMON_REQUEST_TOO_LARGE: failure(413),
  ETL_ERR_DAEMON_STATE_DAMAGED: usage(),
  ETL_ERR_DAEMON_STATE_WRITE_FAILED: failure(503),

  /** Notifications: a channel that could not send (logged as a warning, never thrown to a run) */
  ETL_ERR_NOTIFY_SEND_FAILED: failure(),

  /** Local files: the per-user folders etl keeps locks, bundles and templates in */
  ETL_ERR_LOCAL_FOLDER_UNSAFE: usage(),
} as const satisfies Readonly<Record<`ETL_ERR_${string}`, ErrorEntry>>

export type ErrorCode = keyof typeof ERROR_CATALOGUE

/** Every code by name: `ErrorCodes.ETL_ERR_PARAM_UNKNOWN === 'ETL_ERR_PARAM_UNKNOWN'`. */
export const ErrorCodes = Object.freeze(Object.fromEntries(Object.keys(ERROR_CATALOGUE).map((code) => [code, code]))) as { readonly [C in ErrorCode]: C }



/**
 * The framework's error: a message that says what failed, the bad value and the fix, plus a stable `code`.
 *
 * ```ts
 * throw new EtlError('ETL_ERR_PARAM_UNKNOWN', "unknown parameter 'dat' for task 'LoadOrders'; known: date, table")
 * ```
 */
export class EtlError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'EtlError'
    this.code = code
  }
}

/**
 * Thrown by a task's `run` to fail at once, without the retries its policy would otherwise allow
 * (bad input that no retry can fix).
 */
export class UnrecoverableTaskError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'UnrecoverableTaskError'
  }
}

/** True when `error` means the run could not be scheduled at all (as opposed to a task failing). */
export function isSchedulingError(error: unknown): error is EtlError {
  return error instanceof EtlError && ERROR_CATALOGUE[error.code].exit === 'scheduling'
}

/** The HTTP status the daemon answers an error with: its catalogue entry's. */
export function httpStatusOf(error: EtlError): number {
  return ERROR_CATALOGUE[error.code].status
}

/** The first line of an error's message, for one-line summaries. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n', 1)[0] ?? ''
}
