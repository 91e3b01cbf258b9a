import { EtlError } from '../errors.js'
import { sleep } from '../util/sleep.js'

/** Why one try was not taken, whether another may do better, and how long the server asked to wait. */
export interface Refusal {
  readonly reason: string
  readonly retryable: boolean
  readonly retryAfterMs?: number
}

/** How a channel tries again. */
export interface RetryPolicy {
  /** Tries after the first. */
  readonly retries: number
  /** Wait before the first retry, doubled before each next one; a longer `retryAfterMs` wins. */
  readonly backoffMs: number
}

/**
 * Runs `attempt` until it is taken (undefined), refused for good, out of retries, or `signal` stops
 * the waiting, then throws `failed: <reason>` naming the tries. The signal is looked at after each
 * wait: a try started on an aborted signal could not be stopped (an abort listener added then
 * never fires).
 */
export async function withRetries(failed: string, policy: RetryPolicy, signal: AbortSignal, attempt: () => Promise<Refusal | undefined>): Promise<void> {
  const failure = (tries: number, reason: string) => new EtlError('ETL_ERR_NOTIFY_SEND_FAILED', `${failed}${tries === 1 ? '' : ` after ${tries} tries`}: ${reason}`)
  for (let tries = 1; ; tries += 1) {
    const refusal = await attempt()
    if (refusal === undefined) return
    if (signal.aborted) throw failure(tries, STOPPED)
    if (tries > policy.retries || !refusal.retryable) throw failure(tries, refusal.reason)
    await sleep(Math.max(policy.backoffMs * 2 ** (tries - 1), refusal.retryAfterMs ?? 0), signal).catch(() => undefined)
    if (signal.aborted) throw failure(tries, STOPPED)
  }
}

const STOPPED = 'stopped: the notifier stopped waiting'
