import { randomUUID } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import { sleep } from '../util/sleep.js'
import { RpcError } from './rpc-error.js'
import { RPC_PATH_PREFIX, WORKER_HEADERS, type RpcFailure, type RpcResult } from './rpc-protocol.js'
import type {
  AddTasksRequest,
  GetWorkRequest,
  GetWorkResponse,
  RPC_METHODS,
  Scheduler,
  TaskFinishedRequest,
  TaskLogRequest,
  TaskProgressRequest,
  TaskStatusesRequest,
  WorkerRequest,
} from './scheduler.js'
import type { TaskStatus } from './task-status.js'

/** How to reach the scheduler daemon. */
export interface RemoteSchedulerOptions {
  /** The daemon's base URL, such as `http://127.0.0.1:8082`. */
  url: string
  /**
   * Tries per call, the first one included, before a call fails with an `RpcError`. Together with
   * `retryWaitMs` this is how long a worker rides out a daemon restart. @defaultValue 20
   */
  retryAttempts?: number
  /** Wait between tries, in milliseconds. @defaultValue 3000 */
  retryWaitMs?: number
  /** One try's time limit, in milliseconds. @defaultValue 30000 */
  requestTimeoutMs?: number
  /**
   * The run this worker belongs to, shown in the daemon's run history; workers started with the same id
   * (several processes of one run) are one run. @defaultValue `ETL_RUN_ID` from the environment, else a new id
   */
  runId?: string
  /** A name for the run, such as `RunJob(date=2024-01-31)`. @defaultValue `ETL_RUN_LABEL`, else the first task registered */
  runLabel?: string
}

/** Defaults: 20 tries 3 s apart ride out a daemon restart of up to about a minute. */
export const REMOTE_SCHEDULER_DEFAULTS = Object.freeze({ retryAttempts: 20, retryWaitMs: 3000, requestTimeoutMs: 30_000 })

/** Connections kept open to the daemon: a worker's calls are few at a time, but each slot may have one in flight. */
const MAX_SOCKETS = 16

type Method = (typeof RPC_METHODS)[number]

/**
 * The scheduler daemon's client: the `Scheduler` interface over HTTP, so a worker runs against the
 * daemon exactly as it runs in process. Calls that fail to reach the daemon (refused, reset, timed out,
 * 5xx) are tried again, so workers carry on across a daemon restart; a retried `getWork` carries the
 * same request id, so the daemon never hands out a second task for one call.
 *
 * ```ts
 * const scheduler = new RemoteScheduler({ url: 'http://127.0.0.1:8082' })
 * const summary = await build(new RunJob(), { scheduler, workers: 4 })
 * ```
 */
export class RemoteScheduler implements Scheduler {
  readonly url: string
  readonly runId: string
  readonly #retryAttempts: number
  readonly #retryWaitMs: number
  readonly #requestTimeoutMs: number
  readonly #headers: Record<string, string>
  // node:http with keep-alive rather than fetch: a worker makes two calls per task, and fetch's
  // per-request streams and signals cost several times more CPU than the call itself.
  readonly #agent: http.Agent

  constructor(options: RemoteSchedulerOptions) {
    this.url = options.url.replace(/\/+$/, '')
    this.runId = options.runId ?? process.env.ETL_RUN_ID ?? randomUUID()
    this.#retryAttempts = Math.max(1, options.retryAttempts ?? REMOTE_SCHEDULER_DEFAULTS.retryAttempts)
    this.#retryWaitMs = options.retryWaitMs ?? REMOTE_SCHEDULER_DEFAULTS.retryWaitMs
    this.#requestTimeoutMs = options.requestTimeoutMs ?? REMOTE_SCHEDULER_DEFAULTS.requestTimeoutMs
    this.#agent = new (this.url.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: MAX_SOCKETS })
    const label = options.runLabel ?? process.env.ETL_RUN_LABEL
    this.#headers = {
      'content-type': 'application/json',
      [WORKER_HEADERS.host]: os.hostname(),
      [WORKER_HEADERS.pid]: String(process.pid),
      [WORKER_HEADERS.runId]: encodeURIComponent(this.runId),
      ...(label ? { [WORKER_HEADERS.runLabel]: encodeURIComponent(label) } : {}),
    }
  }

  addTasks(request: AddTasksRequest): Promise<void> {
    return this.#call('addTasks', request)
  }

  getWork(request: GetWorkRequest): Promise<GetWorkResponse> {
    return this.#call('getWork', { ...request, requestId: request.requestId ?? randomUUID() })
  }

  /** Progress is a hint: one try, failures ignored by the worker. */
  taskProgress(request: TaskProgressRequest): Promise<void> {
    return this.#call('taskProgress', request, 1)
  }

  taskFinished(request: TaskFinishedRequest): Promise<void> {
    return this.#call('taskFinished', request)
  }

  /** A heartbeat is sent again by the worker's timer anyway: one try. */
  ping(request: WorkerRequest): Promise<void> {
    return this.#call('ping', request, 1)
  }

  workerStopped(request: WorkerRequest): Promise<void> {
    return this.#call('workerStopped', request)
  }

  taskStatuses(request: TaskStatusesRequest): Promise<Record<string, TaskStatus>> {
    return this.#call('taskStatuses', request)
  }

  /** Log lines are best effort: two tries. */
  taskLog(request: TaskLogRequest): Promise<void> {
    return this.#call('taskLog', request, 2)
  }

  /** Closes the kept-alive connections (a worker process that is done need not wait for them to time out). */
  close(): void {
    this.#agent.destroy()
  }

  async #call<T>(method: Method, body: unknown, attempts = this.#retryAttempts): Promise<T> {
    const url = `${this.url}${RPC_PATH_PREFIX}${method}`
    const payload = JSON.stringify(body)
    let lastError: unknown
    let lastStatus: number | undefined
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(this.#retryWaitMs)
      let response: { status: number; body: string }
      try {
        response = await this.#post(url, payload)
      } catch (error) {
        lastError = error
        continue
      }
      lastStatus = response.status
      const answer = parseAnswer<T>(response.body)
      if (response.status < 300 && answer && 'result' in answer) return answer.result
      const message = answer && 'error' in answer ? answer.error.message : `HTTP ${response.status}`
      if (response.status >= 400 && response.status < 500) {
        throw new RpcError('ETL_ERR_DAEMON_RPC_REJECTED', `the scheduler at ${url} refused ${method}: ${message}`, { url, method, attempts: attempt, status: response.status })
      }
      lastError = new Error(message)
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError)
    throw new RpcError(
      'ETL_ERR_SCHEDULER_UNREACHABLE',
      `could not reach the scheduler at ${url} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${lastStatus ? `last answer HTTP ${lastStatus}: ` : ''}${reason}); start it with \`etl scheduler\`, check --scheduler-url, or run with --local-scheduler`,
      { url, method, attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}), cause: lastError },
    )
  }

  #post(url: string, payload: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = (url.startsWith('https:') ? https : http).request(
        url,
        { method: 'POST', agent: this.#agent, headers: { ...this.#headers, 'content-length': Buffer.byteLength(payload) } },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
          response.on('error', reject)
        },
      )
      request.setTimeout(this.#requestTimeoutMs, () => request.destroy(new Error(`no answer within ${this.#requestTimeoutMs}ms`)))
      request.on('error', reject)
      request.end(payload)
    })
  }
}

function parseAnswer<T>(text: string): RpcResult<T> | RpcFailure | undefined {
  try {
    return JSON.parse(text) as RpcResult<T> | RpcFailure
  } catch {
    return undefined
  }
}

/** Where workers look for the daemon when neither `--scheduler-url` nor the config says. */
export const DEFAULT_SCHEDULER_URL = 'http://127.0.0.1:8082'

/**
 * The remote scheduler's options from the config's `scheduler` section (its `url`, `rpcRetryAttempts`
 * and `rpcRetryWaitMs`), with `url` (the `--scheduler-url` flag) over it. For the CLI's `etl run`.
 *
 * ```ts
 * const scheduler = new RemoteScheduler(remoteSchedulerOptions(config.raw.scheduler, argv.schedulerUrl))
 * ```
 */
export function remoteSchedulerOptions(
  section: { url?: string | undefined; rpcRetryAttempts?: number | undefined; rpcRetryWaitMs?: number | undefined } | undefined,
  url?: string,
): RemoteSchedulerOptions {
  return {
    url: url ?? section?.url ?? process.env.ETL_SCHEDULER_URL ?? DEFAULT_SCHEDULER_URL,
    ...(section?.rpcRetryAttempts !== undefined ? { retryAttempts: section.rpcRetryAttempts } : {}),
    ...(section?.rpcRetryWaitMs !== undefined ? { retryWaitMs: section.rpcRetryWaitMs } : {}),
  }
}
