/**
 * Every error the framework raises on purpose carries a stable code from this catalogue, so callers
 * (the CLI's exit codes, the daemon's API, tests) branch on `error.code` and never on message text.
 *
 * Codes are `ETL_ERR_<AREA>_<WHAT>` and are never reused for a different meaning.
 */
export const ErrorCodes = {
  /** Parameters */
  ETL_ERR_PARAM_UNKNOWN: 'ETL_ERR_PARAM_UNKNOWN',
  ETL_ERR_PARAM_MISSING: 'ETL_ERR_PARAM_MISSING',
  ETL_ERR_PARAM_INVALID: 'ETL_ERR_PARAM_INVALID',
  ETL_ERR_PARAM_DECLARATION: 'ETL_ERR_PARAM_DECLARATION',

  /** Tasks and the task registry */
  ETL_ERR_TASK_UNKNOWN: 'ETL_ERR_TASK_UNKNOWN',
  ETL_ERR_TASK_MODULE: 'ETL_ERR_TASK_MODULE',
  ETL_ERR_TASK_DUPLICATE_FAMILY: 'ETL_ERR_TASK_DUPLICATE_FAMILY',
  ETL_ERR_TASK_BAD_REQUIREMENT: 'ETL_ERR_TASK_BAD_REQUIREMENT',
  ETL_ERR_TASK_BAD_OUTPUT: 'ETL_ERR_TASK_BAD_OUTPUT',
  ETL_ERR_TASK_BAD_RESOURCES: 'ETL_ERR_TASK_BAD_RESOURCES',
  ETL_ERR_TASK_TIMEOUT: 'ETL_ERR_TASK_TIMEOUT',
  ETL_ERR_TASK_OUTPUT_MISSING_AFTER_RUN: 'ETL_ERR_TASK_OUTPUT_MISSING_AFTER_RUN',
  ETL_ERR_TASK_MISSING_EXTERNAL_DATA: 'ETL_ERR_TASK_MISSING_EXTERNAL_DATA',
  ETL_ERR_TASK_DEPENDENCY_FAILED: 'ETL_ERR_TASK_DEPENDENCY_FAILED',
  ETL_ERR_TASK_CANCELLED: 'ETL_ERR_TASK_CANCELLED',

  /** The dependency graph */
  ETL_ERR_GRAPH_CYCLE: 'ETL_ERR_GRAPH_CYCLE',

  /** Scheduling and runs */
  ETL_ERR_SCHEDULER_UNKNOWN_TASK: 'ETL_ERR_SCHEDULER_UNKNOWN_TASK',
  ETL_ERR_SCHEDULER_UNREACHABLE: 'ETL_ERR_SCHEDULER_UNREACHABLE',
  ETL_ERR_RUN_ALREADY_RUNNING: 'ETL_ERR_RUN_ALREADY_RUNNING',

  /** Configuration */
  ETL_ERR_CONFIG_INVALID: 'ETL_ERR_CONFIG_INVALID',
  ETL_ERR_CONFIG_UNREADABLE: 'ETL_ERR_CONFIG_UNREADABLE',
  ETL_ERR_CONFIG_ENV_MISSING: 'ETL_ERR_CONFIG_ENV_MISSING',

  /** Targets */
  ETL_ERR_TARGET_NOT_REMOVABLE: 'ETL_ERR_TARGET_NOT_REMOVABLE',

  /** Databases: connections, statements, bulk loads, type mapping */
  ETL_ERR_DB_CONNECTION_UNKNOWN: 'ETL_ERR_DB_CONNECTION_UNKNOWN',
  ETL_ERR_DB_UNREACHABLE: 'ETL_ERR_DB_UNREACHABLE',
  ETL_ERR_DB_AUTH_FAILED: 'ETL_ERR_DB_AUTH_FAILED',
  ETL_ERR_DB_TABLE_MISSING: 'ETL_ERR_DB_TABLE_MISSING',
  ETL_ERR_DB_COLUMN_MISSING: 'ETL_ERR_DB_COLUMN_MISSING',
  ETL_ERR_DB_TYPE_UNMAPPABLE: 'ETL_ERR_DB_TYPE_UNMAPPABLE',
  ETL_ERR_DB_QUERY_FAILED: 'ETL_ERR_DB_QUERY_FAILED',
  ETL_ERR_DB_LOAD_REJECTED: 'ETL_ERR_DB_LOAD_REJECTED',
  ETL_ERR_DB_NOT_SUPPORTED: 'ETL_ERR_DB_NOT_SUPPORTED',
  ETL_ERR_DB_CLOSED: 'ETL_ERR_DB_CLOSED',
  ETL_ERR_DB_MIGRATION_FAILED: 'ETL_ERR_DB_MIGRATION_FAILED',

  /** The lake: local folder or S3 */
  ETL_ERR_LAKE_NOT_FOUND: 'ETL_ERR_LAKE_NOT_FOUND',
  ETL_ERR_LAKE_KEY_INVALID: 'ETL_ERR_LAKE_KEY_INVALID',
  ETL_ERR_LAKE_UNREACHABLE: 'ETL_ERR_LAKE_UNREACHABLE',
  ETL_ERR_LAKE_ACCESS_DENIED: 'ETL_ERR_LAKE_ACCESS_DENIED',

  /** CSV */
  ETL_ERR_CSV_MALFORMED: 'ETL_ERR_CSV_MALFORMED',

  /** The ELT toolkit: metadata dictionaries, execution control, the reference pipeline */
  ETL_ERR_METADATA_INVALID: 'ETL_ERR_METADATA_INVALID',
  ETL_ERR_METADATA_UNREADABLE: 'ETL_ERR_METADATA_UNREADABLE',
  ETL_ERR_ELT_SOURCE_MISMATCH: 'ETL_ERR_ELT_SOURCE_MISMATCH',
  ETL_ERR_ELT_CONTROL_STATE: 'ETL_ERR_ELT_CONTROL_STATE',
  ETL_ERR_ELT_INPUT_MISSING: 'ETL_ERR_ELT_INPUT_MISSING',
  ETL_ERR_ELT_SOURCE_TABLE_MISSING: 'ETL_ERR_ELT_SOURCE_TABLE_MISSING',

  /** Sample data (`etl demo`) */
  ETL_ERR_SAMPLE_UNKNOWN: 'ETL_ERR_SAMPLE_UNKNOWN',
  ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY: 'ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY',
  ETL_ERR_SAMPLE_SOURCE_MISSING: 'ETL_ERR_SAMPLE_SOURCE_MISSING',

  /** The scheduler daemon, its API and its UI */
  ETL_ERR_DAEMON_RPC_REJECTED: 'ETL_ERR_DAEMON_RPC_REJECTED',
  ETL_ERR_DAEMON_BAD_REQUEST: 'ETL_ERR_DAEMON_BAD_REQUEST',
  ETL_ERR_DAEMON_NOT_FOUND: 'ETL_ERR_DAEMON_NOT_FOUND',
  ETL_ERR_DAEMON_TOKEN_MISSING: 'ETL_ERR_DAEMON_TOKEN_MISSING',
  ETL_ERR_DAEMON_TOKEN_INVALID: 'ETL_ERR_DAEMON_TOKEN_INVALID',
  ETL_ERR_DAEMON_STATE_UNREADABLE: 'ETL_ERR_DAEMON_STATE_UNREADABLE',
  ETL_ERR_DAEMON_STATE_LOCKED: 'ETL_ERR_DAEMON_STATE_LOCKED',
  ETL_ERR_DAEMON_HISTORY_FAILED: 'ETL_ERR_DAEMON_HISTORY_FAILED',
  ETL_ERR_DAEMON_SCHEDULE_UNKNOWN: 'ETL_ERR_DAEMON_SCHEDULE_UNKNOWN',
  ETL_ERR_DAEMON_LISTEN_FAILED: 'ETL_ERR_DAEMON_LISTEN_FAILED',
  ETL_ERR_DAEMON_LEASE_INVALID: 'ETL_ERR_DAEMON_LEASE_INVALID',
  ETL_ERR_DAEMON_REGISTRATION_CONFLICT: 'ETL_ERR_DAEMON_REGISTRATION_CONFLICT',
  ETL_ERR_DAEMON_WORKER_UNAUTHORIZED: 'ETL_ERR_DAEMON_WORKER_UNAUTHORIZED',
  ETL_ERR_DAEMON_INSECURE: 'ETL_ERR_DAEMON_INSECURE',
  ETL_ERR_DAEMON_HOST_REFUSED: 'ETL_ERR_DAEMON_HOST_REFUSED',
  ETL_ERR_DAEMON_TOO_MANY_FAILURES: 'ETL_ERR_DAEMON_TOO_MANY_FAILURES',
  ETL_ERR_DAEMON_LAUNCH_FAILED: 'ETL_ERR_DAEMON_LAUNCH_FAILED',
  ETL_ERR_DAEMON_REQUEST_TOO_LARGE: 'ETL_ERR_DAEMON_REQUEST_TOO_LARGE',
  ETL_ERR_DAEMON_STATE_DAMAGED: 'ETL_ERR_DAEMON_STATE_DAMAGED',
  ETL_ERR_DAEMON_STATE_WRITE_FAILED: 'ETL_ERR_DAEMON_STATE_WRITE_FAILED',

  /** Local files: the per-user folders etl keeps locks, bundles and templates in */
  ETL_ERR_LOCAL_FOLDER_UNSAFE: 'ETL_ERR_LOCAL_FOLDER_UNSAFE',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

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

/** Codes that mean "the request itself is wrong": an unknown task, a bad parameter, a cycle, a bad config. */
const SCHEDULING_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCodes.ETL_ERR_PARAM_UNKNOWN,
  ErrorCodes.ETL_ERR_PARAM_MISSING,
  ErrorCodes.ETL_ERR_PARAM_INVALID,
  ErrorCodes.ETL_ERR_PARAM_DECLARATION,
  ErrorCodes.ETL_ERR_TASK_UNKNOWN,
  ErrorCodes.ETL_ERR_TASK_MODULE,
  ErrorCodes.ETL_ERR_TASK_DUPLICATE_FAMILY,
  ErrorCodes.ETL_ERR_TASK_BAD_REQUIREMENT,
  ErrorCodes.ETL_ERR_TASK_BAD_OUTPUT,
  ErrorCodes.ETL_ERR_TASK_BAD_RESOURCES,
  ErrorCodes.ETL_ERR_GRAPH_CYCLE,
  ErrorCodes.ETL_ERR_CONFIG_INVALID,
  ErrorCodes.ETL_ERR_CONFIG_UNREADABLE,
  ErrorCodes.ETL_ERR_CONFIG_ENV_MISSING,
  ErrorCodes.ETL_ERR_SCHEDULER_UNREACHABLE,
  ErrorCodes.ETL_ERR_DAEMON_RPC_REJECTED,
  ErrorCodes.ETL_ERR_DAEMON_TOKEN_MISSING,
  // The daemon cannot start on its state folder or its port: the message says which and what to do.
  ErrorCodes.ETL_ERR_DAEMON_STATE_DAMAGED,
  ErrorCodes.ETL_ERR_DAEMON_STATE_UNREADABLE,
  ErrorCodes.ETL_ERR_DAEMON_STATE_LOCKED,
  ErrorCodes.ETL_ERR_DAEMON_LISTEN_FAILED,
  ErrorCodes.ETL_ERR_METADATA_INVALID,
  ErrorCodes.ETL_ERR_METADATA_UNREADABLE,
  ErrorCodes.ETL_ERR_SAMPLE_UNKNOWN,
  ErrorCodes.ETL_ERR_SAMPLE_SOURCE_NOT_EMPTY,
  ErrorCodes.ETL_ERR_SAMPLE_SOURCE_MISSING,
  ErrorCodes.ETL_ERR_LOCAL_FOLDER_UNSAFE,
])

/** True when `error` means the run could not be scheduled at all (as opposed to a task failing). */
export function isSchedulingError(error: unknown): error is EtlError {
  return error instanceof EtlError && SCHEDULING_ERROR_CODES.has(error.code)
}

/** The first line of an error's message, for one-line summaries. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n', 1)[0] ?? ''
}
