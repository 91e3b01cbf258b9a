/** Node's error codes for failures to reach a server, in the words a data engineer searches for. */
const CAUSES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'timed out connecting',
  ENOTFOUND: 'host not found in DNS',
  EAI_AGAIN: 'DNS lookup failed, for now',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNABORTED: 'connection aborted',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
}

/**
 * Why one try to reach the daemon failed, in a few words: `connection refused (ECONNREFUSED)`,
 * `host not found in DNS (ENOTFOUND)`, `HTTP 503: closing`... Node's own messages name the errno, not
 * what it means, and are empty when both of localhost's addresses refused (an `AggregateError`).
 *
 * ```ts
 * describeRpcFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8082'), { code: 'ECONNREFUSED' }))
 * // 'connection refused (ECONNREFUSED)'
 * ```
 */
export function describeRpcFailure(error: unknown, status?: number): string {
  const message = error instanceof Error ? error.message : String(error)
  if (status !== undefined) return message === `HTTP ${status}` ? message : `HTTP ${status}: ${message}`
  const code = (error as { code?: unknown } | undefined)?.code
  const cause = typeof code === 'string' ? CAUSES[code] : undefined
  if (cause) return `${cause} (${String(code)})`
  return message || (typeof code === 'string' ? code : 'no reason given')
}
