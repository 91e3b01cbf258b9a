/** How a task's `run` is retried within one attempt of the worker. */
export interface RetryPolicy {
  /** Retries after the first failure; 0 means one try only. @defaultValue 0 */
  readonly count: number
  /** Wait before the first retry, in milliseconds. @defaultValue 1000 */
  readonly delayMs: number
  /** Each further wait is the previous one times this factor (1 = fixed delay). @defaultValue 2 */
  readonly backoff: number
  /** Upper bound on any single wait, in milliseconds. @defaultValue 300000 */
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ count: 0, delayMs: 1000, backoff: 2, maxDelayMs: 300_000 })

/** The wait before retry number `retry` (1 for the first retry). */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.delayMs * policy.backoff ** (retry - 1))
}
