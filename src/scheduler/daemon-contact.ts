import type { Logger } from '../util/logger.js'
import { formatDuration } from '../util/format.js'
import { RpcError } from './rpc-error.js'
import { safeUrl } from '../util/redact.js'

/** How many tries a call gets and how far apart. */
export interface TryBudget {
  /** Tries, the first one included. */
  attempts: number
  /** Wait between tries, in milliseconds. */
  waitMs: number
}

export interface DaemonContactOptions {
  /** The daemon's base URL (shown with its credentials masked). */
  url: string
  /** Where the worker says that the daemon does not answer; the run's own logger. */
  logger: Logger
  /** The budget before the daemon has answered once: a run that never reached it gives up soon. */
  connect: TryBudget
}

/** What one failed try was, for the lines that report it. */
export interface FailedTry {
  /** 1 for the first try. */
  attempt: number
  /** The budget the call is on. */
  budget: TryBudget
  /** Why it failed, in a few words (`describeRpcFailure`). */
  cause: string
}

/** What a call that gave up tried, for its error. */
export interface GiveUp {
  /** The URL called, `<base>/api/<method>`. */
  url: string
  method: string
  attempts: number
  elapsedMs: number
  cause: string
  status?: number | undefined
  error: unknown
}

const HOW_TO_FIX = 'start it with `etl scheduler`, check --scheduler-url or scheduler.url, or run with --local-scheduler'

/**
 * A worker's contact with the scheduler daemon: whether it has answered yet, and what the worker says
 * while it does not. Until the daemon first answers, calls get the short `connect` budget (nothing may
 * listen there at all, and the user waits at a terminal); once it has, they keep their own long budget
 * to ride out a restart. Either way the first unanswered try is said at once and each further one is
 * shown, at most one line per retry wait however many calls are waiting at the same time.
 */
export class DaemonContact {
  readonly #url: string
  readonly #logger: Logger
  readonly #connect: TryBudget
  #made = false
  /** When the current run of unanswered tries began; undefined while the daemon answers. */
  #outageSince: number | undefined
  #lastLineAt = 0
  /** The cause last shown, so a retry line repeats it only when it changed (refused, then 503 as the daemon starts). */
  #lastCause = ''

  constructor(options: DaemonContactOptions) {
    this.#url = safeUrl(options.url)
    this.#logger = options.logger
    this.#connect = options.connect
  }

  /** True once the daemon has answered a call. */
  get made(): boolean {
    return this.#made
  }

  /** The budget of a call whose own is `own`: never more tries nor longer waits than the first-contact one, until contact. */
  budget(own: TryBudget): TryBudget {
    if (this.#made) return own
    return { attempts: Math.min(own.attempts, this.#connect.attempts), waitMs: Math.min(own.waitMs, this.#connect.waitMs) }
  }

  /** The daemon answered: from now on calls keep their long budget, and an outage that was shown is said to be over. */
  answered(): void {
    const hadContact = this.#made
    this.#made = true
    if (this.#outageSince === undefined) return
    const lasted = Date.now() - this.#outageSince
    this.#outageSince = undefined
    this.#logger.info(`the scheduler daemon at ${this.#url} answers ${hadContact ? 'again' : 'now'}, after ${formatDuration(lasted)} without an answer`)
  }

  /** One try got no answer: the first of an outage is said at once, further ones at most once per retry wait. */
  failed({ attempt, budget, cause }: FailedTry): void {
    const left = budget.attempts - attempt
    // The last try's failure is the call's error, which says it better than a line here could.
    if (left <= 0) return
    const now = Date.now()
    if (this.#outageSince === undefined) {
      this.#outageSince = now
      this.#lastLineAt = now
      this.#lastCause = cause
      this.#logger.warn(this.#made ? this.#lostLine(cause, left, budget.waitMs) : this.#notAnsweringLine(cause, left, budget.waitMs))
      return
    }
    // Half the wait, not all of it: a timer may fire a little early, and the next try's line is due.
    if (now - this.#lastLineAt < budget.waitMs / 2) return
    this.#lastLineAt = now
    const changed = cause === this.#lastCause ? '' : `: ${cause}`
    this.#lastCause = cause
    this.#logger.warn(`still no answer from ${this.#url} (try ${attempt} of ${budget.attempts}, next in ${formatDuration(budget.waitMs)})${changed}`)
  }

  /**
   * A best-effort call (a heartbeat, a log line) got no answer: not retried, but a daemon lost
   * mid-run is said at once rather than only when the next task ends. Before contact there is
   * nothing to lose, and a retried call will say so.
   */
  missed(cause: string): void {
    if (!this.#made || this.#outageSince !== undefined) return
    this.#outageSince = Date.now()
    this.#lastLineAt = this.#outageSince
    this.#lastCause = cause
    this.#logger.warn(`lost the scheduler daemon at ${this.#url}: ${cause}. Running tasks go on; the next calls to it will retry, to ride out a restart`)
  }

  /** The error of a call that ran out of tries: the URL, the tries, the cause and the fix, with no secret. */
  gaveUp({ url, method, attempts, elapsedMs, cause, status, error }: GiveUp): RpcError {
    const shown = safeUrl(url)
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}${attempts > 1 ? ` over ${formatDuration(elapsedMs)}` : ''}`
    const advice = this.#made
      ? `It had answered before: ${HOW_TO_FIX}; scheduler.rpcRetryAttempts and scheduler.rpcRetryWaitMs set how long a worker waits for it to come back`
      : `It never answered this run: ${HOW_TO_FIX}; scheduler.rpcConnectAttempts and scheduler.rpcConnectRetryWaitMs set how long a run waits for a first answer`
    return new RpcError('ETL_ERR_SCHEDULER_UNREACHABLE', `could not reach the scheduler daemon at ${shown} after ${tries}: ${cause}. ${advice}`, {
      url: shown,
      method,
      attempts,
      ...(status !== undefined ? { status } : {}),
      cause: error,
    })
  }

  #notAnsweringLine(cause: string, left: number, waitMs: number): string {
    return (
      `the scheduler daemon is not answering at ${this.#url}: ${cause}. Trying ${left} more time${left === 1 ? '' : 's'}, ` +
      `${formatDuration(waitMs)} apart, then giving up; ${HOW_TO_FIX}`
    )
  }

  #lostLine(cause: string, left: number, waitMs: number): string {
    return (
      `lost the scheduler daemon at ${this.#url}: ${cause}. Trying ${left} more time${left === 1 ? '' : 's'}, ` +
      `${formatDuration(waitMs)} apart (about ${formatDuration(left * waitMs)}), to ride out a restart`
    )
  }
}
