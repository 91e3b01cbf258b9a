import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { EtlError } from '../errors.js'
import { systemClock, type Clock } from '../util/clock.js'
import { sleep } from '../util/sleep.js'

/** What a token guards, for messages and logs. */
export type TokenUse = 'action' | 'worker'

export interface TokenGuardOptions {
  logger: Logger
  clock?: Clock
  /** Wrong tokens from one address within `windowMs` before it is refused outright. @defaultValue 10 */
  maxFailures?: number
  /** @defaultValue 60000 */
  windowMs?: number
  /** How long each refusal of a wrong token is held back, so guessing is slow. @defaultValue 250 */
  failureDelayMs?: number
}

const FIX: Record<TokenUse, string> = {
  action: "enter the token from the daemon's scheduler.token or ETL_SCHEDULER_TOKEN",
  worker: 'set ETL_WORKER_TOKEN (or scheduler.workerToken; when the daemon has none, its action token ETL_SCHEDULER_TOKEN) to the daemon\'s worker token',
}

/**
 * Checks bearer tokens (`Authorization: Bearer <token>`) in constant time, and makes guessing one
 * hopeless: each wrong token is answered only after a delay and logged with where it came from, and
 * an address that keeps failing is refused outright for a while, right token or not.
 */
export class TokenGuard {
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #maxFailures: number
  readonly #windowMs: number
  readonly #failureDelayMs: number
  /** Recent failure times per address, oldest first. */
  readonly #failures = new Map<string, number[]>()

  constructor(options: TokenGuardOptions) {
    this.#logger = options.logger
    this.#clock = options.clock ?? systemClock
    this.#maxFailures = options.maxFailures ?? 10
    this.#windowMs = options.windowMs ?? 60_000
    this.#failureDelayMs = options.failureDelayMs ?? 250
  }

  /** Lets `request` through when it carries `expected`; otherwise throws (401, or 429 after too many failures). */
  async check(request: FastifyRequest, expected: string, use: TokenUse): Promise<void> {
    const address = request.ip
    const recent = this.#recent(address)
    if (recent.length >= this.#maxFailures) {
      throw new EtlError(
        'ETL_ERR_DAEMON_TOO_MANY_FAILURES',
        `${recent.length} wrong tokens from ${address} in the last ${Math.round(this.#windowMs / 1000)} s: it is refused until they are older than that; ${FIX[use]}`,
      )
    }
    const given = bearerToken(request)
    if (given !== undefined && sameSecret(given, expected)) return
    recent.push(this.#clock.now())
    this.#failures.set(address, recent)
    this.#logger.warn(`refused ${use === 'action' ? 'an action' : 'a worker call'} (${request.method} ${request.url.split('?', 1)[0]}) from ${address}: ${given === undefined ? 'no token' : 'a wrong token'} (${recent.length} in the last ${Math.round(this.#windowMs / 1000)} s)`)
    await sleep(this.#failureDelayMs)
    throw new EtlError(
      use === 'action' ? 'ETL_ERR_DAEMON_TOKEN_INVALID' : 'ETL_ERR_DAEMON_WORKER_UNAUTHORIZED',
      `the ${use} token is ${given === undefined ? 'missing' : 'wrong'}: ${FIX[use]}`,
    )
  }

  #recent(address: string): number[] {
    const since = this.#clock.now() - this.#windowMs
    const kept = (this.#failures.get(address) ?? []).filter((at) => at > since)
    if (kept.length === 0) this.#failures.delete(address)
    return kept
  }
}

/** The token of `Authorization: Bearer <token>`; never read from the query string or a cookie, which end up in logs and caches. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined
}

/** Compares in constant time, so the answer's timing says nothing about the token. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(expected))
}
