import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { Socket } from 'node:net'
import os from 'node:os'
import { TOKEN_ENV } from '../daemon/action-token.js'
import { workerTokenFor, type TokenSection } from '../daemon/daemon-tokens.js'
import { EtlError } from '../errors.js'
import { silentLogger, type Logger } from '../util/logger.js'
import { sleep } from '../util/sleep.js'
import { DaemonContact, type TryBudget } from './daemon-contact.js'
import { RpcError } from './rpc-error.js'
import { describeRpcFailure } from './rpc-failure-cause.js'
import { safeUrl } from '../util/redact.js'
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
  /**
   * Tries per call until the daemon has answered once: a run that never reached it (nothing listens at
   * the URL, a typo, no daemon started) gives up in seconds instead of riding out a restart that is not
   * happening. Never more than `retryAttempts`. @defaultValue 5
   */
  connectAttempts?: number
  /** Wait between those tries, in milliseconds; never more than `retryWaitMs`. @defaultValue 2000 */
  connectRetryWaitMs?: number
  /** One try's time limit, in milliseconds. @defaultValue 30000 */
  requestTimeoutMs?: number
  /**
   * Time limit to open a connection, in milliseconds: a host that drops packets (a firewall, a wrong
   * address) would otherwise hold each try for the whole `requestTimeoutMs`. @defaultValue 5000
   */
  connectTimeoutMs?: number
  /**
   * The run this worker belongs to, shown in the daemon's run history; workers started with the same id
   * (several processes of one run) are one run. @defaultValue `ETL_RUN_ID` from the environment, else a new id
   */
  runId?: string
  /** A name for the run, such as `RunJob(date=2024-01-31)`. @defaultValue `ETL_RUN_LABEL`, else the first task registered */
  runLabel?: string
  /** Where the worker says that the daemon does not answer, and each retry. @defaultValue silent */
  logger?: Logger
  /** The daemon's action token, for {@link RemoteScheduler.reopenFailed} (`etl run --forgive`); never sent otherwise. */
  actionToken?: string | undefined
  /** The token every call carries, when the daemon has one (`scheduler.workerToken`, `ETL_WORKER_TOKEN`, else the action token). */
  workerToken?: string | undefined
  /** For an `https://` daemon whose certificate a private CA signed: that CA's certificate (PEM). @defaultValue the system's CAs and `NODE_EXTRA_CA_CERTS` */
  ca?: string | Buffer | undefined
}

/**
 * Defaults: 20 tries 3 s apart ride out a daemon restart of up to about a minute; before the daemon has
 * answered once, 5 tries 2 s apart (about 8 s) are enough to tell that nothing listens there.
 */
export const REMOTE_SCHEDULER_DEFAULTS = Object.freeze({
  retryAttempts: 20,
  retryWaitMs: 3000,
  connectAttempts: 5,
  connectRetryWaitMs: 2000,
  requestTimeoutMs: 30_000,
  connectTimeoutMs: 5000,
})

/** Connections kept open to the daemon: a worker's calls are few at a time, but each slot may have one in flight. */
const MAX_SOCKETS = 16

type Method = (typeof RPC_METHODS)[number]

/**
 * The scheduler daemon's client: the `Scheduler` interface over HTTP, so a worker runs against the
 * daemon exactly as it runs in process. Calls that fail to reach the daemon (refused, reset, timed out,
 * 5xx) are tried again, so workers carry on across a daemon restart; a retried `getWork` carries the
 * same request id, so the daemon never hands out a second task for one call. Until the daemon has
 * answered once, calls get the shorter `connectAttempts` budget; every unanswered try goes to `logger`.
 *
 * ```ts
 * const scheduler = new RemoteScheduler({ url: 'http://127.0.0.1:8082' })
 * const summary = await build(new RunJob(), { scheduler, workers: 4 })
 * ```
 */
export class RemoteScheduler implements Scheduler {
  readonly url: string
  readonly runId: string
  readonly #retry: TryBudget
  readonly #contact: DaemonContact
  readonly #requestTimeoutMs: number
  readonly #connectTimeoutMs: number
  readonly #headers: Record<string, string>
  readonly #actionToken: string | undefined
  // node:http with keep-alive rather than fetch: a worker makes two calls per task, and fetch's
  // per-request streams and signals cost several times more CPU than the call itself.
  readonly #agent: http.Agent

  constructor(options: RemoteSchedulerOptions) {
    this.url = options.url.replace(/\/+$/, '')
    this.runId = options.runId ?? process.env.ETL_RUN_ID ?? randomUUID()
    this.#retry = {
      attempts: Math.max(1, options.retryAttempts ?? REMOTE_SCHEDULER_DEFAULTS.retryAttempts),
      waitMs: options.retryWaitMs ?? REMOTE_SCHEDULER_DEFAULTS.retryWaitMs,
    }
    this.#contact = new DaemonContact({
      url: this.url,
      logger: options.logger ?? silentLogger(),
      connect: {
        attempts: Math.max(1, options.connectAttempts ?? REMOTE_SCHEDULER_DEFAULTS.connectAttempts),
        waitMs: options.connectRetryWaitMs ?? REMOTE_SCHEDULER_DEFAULTS.connectRetryWaitMs,
      },
    })
    this.#requestTimeoutMs = options.requestTimeoutMs ?? REMOTE_SCHEDULER_DEFAULTS.requestTimeoutMs
    this.#connectTimeoutMs = options.connectTimeoutMs ?? REMOTE_SCHEDULER_DEFAULTS.connectTimeoutMs
    this.#actionToken = options.actionToken
    this.#agent = this.url.startsWith('https:')
      ? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ...(options.ca !== undefined ? { ca: options.ca } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS })
    const label = options.runLabel ?? process.env.ETL_RUN_LABEL
    this.#headers = {
      ...(options.workerToken !== undefined ? { authorization: `Bearer ${options.workerToken}` } : {}),
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
    return this.#call('taskProgress', request, bestEffort(1))
  }

  taskFinished(request: TaskFinishedRequest): Promise<void> {
    return this.#call('taskFinished', request)
  }

  /** A heartbeat is sent again by the worker's timer anyway: one try. */
  ping(request: WorkerRequest): Promise<void> {
    return this.#call('ping', request, bestEffort(1))
  }

  workerStopped(request: WorkerRequest): Promise<void> {
    return this.#call('workerStopped', request)
  }

  taskStatuses(request: TaskStatusesRequest): Promise<Record<string, TaskStatus>> {
    return this.#call('taskStatuses', request)
  }

  /** Log lines are best effort: two tries. */
  taskLog(request: TaskLogRequest): Promise<void> {
    return this.#call('taskLog', request, bestEffort(2))
  }

  /**
   * Re-enables the DISABLED tasks among `taskIds` and forgives the FAILED ones, with the same
   * token-guarded actions as the UI's buttons: a worker's own calls can never reopen a task.
   */
  async reopenFailed(request: TaskStatusesRequest): Promise<string[]> {
    if (this.#actionToken === undefined) {
      throw new EtlError(
        'ETL_ERR_DAEMON_TOKEN_MISSING',
        `--forgive reopens failed and disabled tasks, an action the daemon allows only with its token: set ${TOKEN_ENV} (or scheduler.token in the config) for this command as well`,
      )
    }
    const statuses = await this.taskStatuses(request)
    const reopened: string[] = []
    for (const [taskId, status] of Object.entries(statuses)) {
      const action = status === 'DISABLED' ? 'enable' : status === 'FAILED' ? 'forgive' : undefined
      if (!action) continue
      await this.#act(action, taskId, this.#actionToken)
      reopened.push(taskId)
    }
    return reopened
  }

  /** One UI action (`/api/actions/<action>`), sent with the token; refused actions are errors with the daemon's reason. */
  async #act(action: 'enable' | 'forgive', taskId: string, token: string): Promise<void> {
    const url = `${this.url}${RPC_PATH_PREFIX}actions/${action}`
    const response = await this.#post(url, JSON.stringify({ taskId }), { authorization: `Bearer ${token}` })
    if (response.status < 300) return
    throw rejected(url, action, 1, response.status, parseAnswer(response.body))
  }

  /** Closes the kept-alive connections (a worker process that is done need not wait for them to time out). */
  close(): void {
    this.#agent.destroy()
  }

  /** True once the daemon has answered a call (from then on, calls ride out a restart). */
  get contacted(): boolean {
    return this.#contact.made
  }

  async #call<T>(method: Method, body: unknown, policy: CallPolicy = { attempts: this.#retry.attempts, quiet: false }): Promise<T> {
    const url = `${this.url}${RPC_PATH_PREFIX}${method}`
    const payload = JSON.stringify(body)
    const own = { attempts: policy.attempts, waitMs: this.#retry.waitMs }
    const started = Date.now()
    let lastError: unknown
    let lastStatus: number | undefined
    let attempt = 0
    // The budget is asked again each time round: another call may have made contact meanwhile.
    for (let budget = this.#contact.budget(own); attempt < budget.attempts; budget = this.#contact.budget(own)) {
      if (attempt > 0) await sleep(budget.waitMs)
      attempt += 1
      let response: { status: number; body: string }
      try {
        response = await this.#post(url, payload)
      } catch (error) {
        lastError = error
        lastStatus = undefined
        this.#report(policy, attempt, budget, describeRpcFailure(error))
        continue
      }
      lastStatus = response.status
      const answer = parseAnswer<T>(response.body)
      if (response.status < 300 && answer && 'result' in answer) {
        this.#contact.answered()
        return answer.result
      }
      if (response.status >= 400 && response.status < 500) throw rejected(url, method, attempt, response.status, answer)
      lastError = new Error(answer && 'error' in answer ? answer.error.message : `HTTP ${response.status}`)
      this.#report(policy, attempt, budget, describeRpcFailure(lastError, lastStatus))
    }
    const cause = describeRpcFailure(lastError, lastStatus)
    throw this.#contact.gaveUp({ url, method, attempts: attempt, elapsedMs: Date.now() - started, cause, status: lastStatus, error: lastError })
  }

  #report(policy: CallPolicy, attempt: number, budget: TryBudget, cause: string): void {
    if (policy.quiet) this.#contact.missed(cause)
    else this.#contact.failed({ attempt, budget, cause })
  }

  #post(url: string, payload: string, extraHeaders: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = (url.startsWith('https:') ? https : http).request(
        url,
        { method: 'POST', agent: this.#agent, headers: { ...this.#headers, ...extraHeaders, 'content-length': Buffer.byteLength(payload) } },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
          response.on('error', reject)
        },
      )
      request.setTimeout(this.#requestTimeoutMs, () => request.destroy(new Error(`no answer within ${this.#requestTimeoutMs}ms`)))
      request.on('socket', (socket) => this.#limitConnect(request, socket))
      request.on('error', reject)
      request.end(payload)
    })
  }

  /** A kept-alive socket is already connected; a new one gets `connectTimeoutMs` to connect. */
  #limitConnect(request: http.ClientRequest, socket: Socket): void {
    if (!socket.connecting) return
    const timedOut = () => request.destroy(Object.assign(new Error(`no connection within ${this.#connectTimeoutMs}ms`), { code: 'ETIMEDOUT' }))
    const timer = setTimeout(timedOut, this.#connectTimeoutMs)
    const clear = () => clearTimeout(timer)
    socket.once('connect', clear)
    request.once('close', clear)
  }
}

/** A call's own tries, and whether it is best effort (its failures ignored by the worker, so only an outage's start is said). */
interface CallPolicy {
  attempts: number
  quiet: boolean
}

function bestEffort(attempts: number): CallPolicy {
  return { attempts, quiet: true }
}

/**
 * A 4xx answer is not retried: the daemon refused the request, or what answers at the URL is not an etl
 * daemon at all (another web server on that port, a proxy's 404), which no retry will change.
 */
function rejected(url: string, method: string, attempts: number, status: number, answer: RpcResult<unknown> | RpcFailure | undefined): RpcError {
  const shown = safeUrl(url)
  const message =
    answer && 'error' in answer
      ? `the scheduler daemon at ${shown} refused ${method}: ${answer.error.message}`
      : `what answers at ${shown} is not an etl scheduler daemon (HTTP ${status}, not an etl answer); check --scheduler-url or scheduler.url, or run with --local-scheduler`
  return new RpcError('ETL_ERR_DAEMON_RPC_REJECTED', message, { url: shown, method, attempts, status })
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

/** The config's `scheduler` keys that say how workers reach the daemon. */
export interface SchedulerClientSection extends TokenSection {
  url?: string | undefined
  caFile?: string | undefined
  rpcRetryAttempts?: number | undefined
  rpcRetryWaitMs?: number | undefined
  rpcConnectAttempts?: number | undefined
  rpcConnectRetryWaitMs?: number | undefined
}

/**
 * The remote scheduler's options from the config's `scheduler` section (its `url`, `rpcRetryAttempts`,
 * `rpcRetryWaitMs`, `rpcConnectAttempts` and `rpcConnectRetryWaitMs`), with `url` (the `--scheduler-url`
 * flag) over it. For the CLI's `etl run`.
 *
 * ```ts
 * const scheduler = new RemoteScheduler(remoteSchedulerOptions(config.raw.scheduler, argv.schedulerUrl))
 * ```
 */
export function remoteSchedulerOptions(section: SchedulerClientSection | undefined, url?: string, env: NodeJS.ProcessEnv = process.env): RemoteSchedulerOptions {
  const workerToken = workerTokenFor(section, env)
  return {
    ...(section?.caFile !== undefined ? { ca: readCa(section.caFile) } : {}),
    url: url ?? section?.url ?? env.ETL_SCHEDULER_URL ?? DEFAULT_SCHEDULER_URL,
    ...(workerToken !== undefined ? { workerToken } : {}),
    ...(section?.rpcRetryAttempts !== undefined ? { retryAttempts: section.rpcRetryAttempts } : {}),
    ...(section?.rpcRetryWaitMs !== undefined ? { retryWaitMs: section.rpcRetryWaitMs } : {}),
    ...(section?.rpcConnectAttempts !== undefined ? { connectAttempts: section.rpcConnectAttempts } : {}),
    ...(section?.rpcConnectRetryWaitMs !== undefined ? { connectRetryWaitMs: section.rpcConnectRetryWaitMs } : {}),
  }
}

/** The CA certificate file workers trust the daemon's certificate through; a missing one is said with its key. */
function readCa(file: string): Buffer {
  try {
    return fs.readFileSync(file)
  } catch (error) {
    throw new EtlError('ETL_ERR_CONFIG_INVALID', `cannot read scheduler.caFile ${file}: ${(error as Error).message}`, { cause: error })
  }
}
