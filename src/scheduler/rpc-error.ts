import { EtlError, type ErrorCode } from '../errors.js'

/**
 * A call to the scheduler daemon that did not succeed: it could not be reached in `attempts` tries
 * (`ETL_ERR_SCHEDULER_UNREACHABLE`), or it refused the request (`ETL_ERR_DAEMON_RPC_REJECTED`).
 */
export class RpcError extends EtlError {
  /** The URL called. */
  readonly url: string
  /** The scheduler method, such as `getWork`. */
  readonly method: string
  /** Tries made, the first one included. */
  readonly attempts: number
  /** The HTTP status of the last answer, if there was one. */
  readonly status: number | undefined

  constructor(code: ErrorCode, message: string, details: { url: string; method: string; attempts: number; status?: number; cause?: unknown }) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'RpcError'
    this.url = details.url
    this.method = details.method
    this.attempts = details.attempts
    this.status = details.status
  }
}
