/** The longest a server's `Retry-After` is waited for: a longer wait would hold the notice back more than it helps. */
export const MAX_RETRY_AFTER_MS = 60_000

/**
 * How long a `Retry-After` header asks the client to wait, in ms: delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3), at most `MAX_RETRY_AFTER_MS`. Undefined when there is none or it is not
 * either form, so the caller's own backoff applies.
 */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  const value = header?.trim()
  if (!value) return undefined
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now
  if (Number.isNaN(ms)) return undefined
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}
