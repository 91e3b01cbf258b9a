import { EtlError } from '../errors.js'
import { describeConnection, redactIn, type ConnectionLabel } from './connection-label.js'
import { tableLabel, type TableRef } from './table-ref.js'

/** Network errors that mean the server could not be reached at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE'])
/** Driver codes for refused credentials: Postgres SQLSTATE 28P01/28000, MySQL 1045/1044/1698. */
const AUTH_CODES = new Set(['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'])
/** Driver codes for a database that does not exist: Postgres 3D000, MySQL 1049. */
const NO_DATABASE_CODES = new Set(['3D000', 'ER_BAD_DB_ERROR'])
/** Driver codes for a missing table: Postgres 42P01, MySQL 1146. */
const NO_TABLE_CODES = new Set(['42P01', 'ER_NO_SUCH_TABLE'])

/**
 * Driver codes a `create … if not exists` can still fail with when another session creates the same
 * object at that moment: Postgres' unique violation on its catalog (23505) or duplicate schema
 * (42P06), MySQL's database-exists (1007).
 */
const CREATE_RACE_CODES = new Set(['23505', '42P06', 'ER_DB_CREATE_EXISTS'])

interface DriverError {
  code?: unknown
  message?: unknown
  errors?: unknown
}

function codeOf(error: unknown): string | undefined {
  const code = (error as DriverError | null)?.code
  if (typeof code === 'string') return code
  // Node wraps parallel connection attempts (IPv4 and IPv6) into an AggregateError without a code.
  const inner = (error as DriverError | null)?.errors
  if (Array.isArray(inner)) return inner.map(codeOf).find((found) => found !== undefined)
  return undefined
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ')
  const message = error instanceof Error ? error.message : String(error)
  return message || codeOf(error) || 'unknown error'
}

/**
 * The error for a failure to connect: unreachable, refused credentials or a missing database, each
 * naming the connection and the fix. The driver's text is kept, with every secret cut out.
 */
export function connectionError(label: ConnectionLabel, error: unknown): EtlError {
  if (error instanceof EtlError) return error
  const code = codeOf(error)
  const detail = redactIn(messageOf(error), label)
  const which = describeConnection(label)
  const key = `"connections.${label.name}"`
  if (code !== undefined && AUTH_CODES.has(code)) {
    return new EtlError('ETL_ERR_DB_AUTH_FAILED', `${which} refused the credentials: ${detail}; check the user and password in ${key} (give the password as a \${ENV} reference)`, { cause: error })
  }
  if (code !== undefined && NO_DATABASE_CODES.has(code)) {
    return new EtlError('ETL_ERR_DB_UNREACHABLE', `${which}: ${detail}; create the database or fix the database name in ${key}`, { cause: error })
  }
  if ((code !== undefined && UNREACHABLE_CODES.has(code)) || /timeout|timed out|terminated|connect/i.test(detail)) {
    return new EtlError('ETL_ERR_DB_UNREACHABLE', `cannot reach ${which}: ${detail}; check that the server is running and the host and port in ${key}`, { cause: error })
  }
  return new EtlError('ETL_ERR_DB_QUERY_FAILED', `${which} could not connect: ${detail}`, { cause: error })
}

/** The error for a failed statement: the database's own message, its code and the start of the statement. */
export function queryError(label: ConnectionLabel, error: unknown, statement: string): EtlError {
  if (error instanceof EtlError) return error
  const code = codeOf(error)
  if (code !== undefined && (AUTH_CODES.has(code) || UNREACHABLE_CODES.has(code))) return connectionError(label, error)
  const detail = redactIn(messageOf(error), label)
  const shown = redactIn(statement.replace(/\s+/g, ' ').trim().slice(0, 200), label)
  const errorCode = code !== undefined && NO_TABLE_CODES.has(code) ? 'ETL_ERR_DB_TABLE_MISSING' : 'ETL_ERR_DB_QUERY_FAILED'
  return new EtlError(errorCode, `${describeConnection(label)}: ${detail}${code ? ` (${code})` : ''}\n  in: ${shown}`, { cause: error })
}

/** The error for a table that does not exist, raised before anything is written to it. */
export function tableMissingError(label: ConnectionLabel, table: TableRef): EtlError {
  return new EtlError(
    'ETL_ERR_DB_TABLE_MISSING',
    `table "${tableLabel(table)}" does not exist on ${describeConnection(label)}; create it first (createTableSql builds the DDL from a described source table) or check the schema and name`,
  )
}

/** The error for a use after `close()`. */
export function closedError(label: ConnectionLabel): EtlError {
  return new EtlError('ETL_ERR_DB_CLOSED', `${describeConnection(label)} is closed; get a new one from DataServices.database("${label.name}")`)
}

/** True when a failed `create … if not exists` lost a race with another session creating the same object. */
export function isCreateRace(error: unknown): boolean {
  const code = codeOf(error instanceof EtlError ? error.cause : error)
  return code !== undefined && CREATE_RACE_CODES.has(code)
}
