/**
 * The wire format between `RemoteScheduler` and the daemon: `POST /api/<method>` with the request as
 * JSON; the answer is `{ "result": ... }`, or `{ "error": { "code", "message" } }` with a 4xx/5xx status.
 */
export const RPC_PATH_PREFIX = '/api/'

/** Headers a worker sends about itself; the daemon shows them on its workers page. */
export const WORKER_HEADERS = Object.freeze({
  host: 'x-etl-worker-host',
  pid: 'x-etl-worker-pid',
  runId: 'x-etl-run-id',
  runLabel: 'x-etl-run-label',
})

/** The answer of a successful call. */
export interface RpcResult<T> {
  result: T
}

/** The answer of a refused or failed call. */
export interface RpcFailure {
  error: { code: string; message: string }
}
