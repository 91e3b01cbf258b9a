import { describeRpcFailure } from '../scheduler/rpc-failure-cause.js'
import { webhookTarget } from './channel-secrets.js'
import type { NotificationChannel } from './notification-channel.js'
import type { WebhookSettings } from './notifications-schema.js'
import type { Notice } from './notice.js'
import { retryAfterMs } from './retry-after.js'
import { withRetries, type Refusal } from './with-retries.js'

const DEFAULT_TIMEOUT_MS = 5000
const DEFAULT_RETRIES = 3
const DEFAULT_BACKOFF_MS = 500

/** Answers worth another try: the server was busy or broken, not the request wrong. */
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504])

/** Characters of a refusing server's answer kept in the error: enough for Slack's `invalid_payload`. */
const MAX_ANSWER_CHARS = 200

/**
 * An HTTP POST of each notice's JSON body, which a Slack incoming webhook takes as it is (its `text`).
 * A timeout, a refused connection, HTTP 429 or 5xx is tried again after `backoffMs`, doubled each
 * time, or after the server's `Retry-After` when that is longer (Slack's rate limit sends one), up
 * to `retries` more times; any other answer but 2xx fails at once.
 */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook'
  readonly batched = false
  readonly target: string
  readonly #settings: WebhookSettings

  constructor(settings: WebhookSettings) {
    this.#settings = settings
    this.target = `webhook ${webhookTarget(settings.url)}`
  }

  async send(notices: readonly Notice[], signal: AbortSignal): Promise<void> {
    for (const notice of notices) await this.#post(JSON.stringify(notice.body), signal)
  }

  #post(body: string, signal: AbortSignal): Promise<void> {
    const policy = { retries: this.#settings.retries ?? DEFAULT_RETRIES, backoffMs: this.#settings.backoffMs ?? DEFAULT_BACKOFF_MS }
    return withRetries('POST failed', policy, signal, () => this.#try(body, signal))
  }

  /** One request: undefined when it was taken, else why not and whether another try may do better. */
  async #try(body: string, signal: AbortSignal): Promise<Refusal | undefined> {
    const timeoutMs = this.#settings.timeoutMs ?? DEFAULT_TIMEOUT_MS
    // Our own timer, not AbortSignal.timeout: Node 20 can collect a timeout signal held only by
    // AbortSignal.any before it fires, and the request then waits for undici's five-minute limit.
    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
    try {
      const response = await fetch(this.#settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.#settings.headers },
        body,
        signal: AbortSignal.any([signal, timeout.signal]),
      })
      const answer = await response.text().catch(() => '')
      if (response.ok) return undefined
      const said = answer.trim().slice(0, MAX_ANSWER_CHARS)
      const reason = `HTTP ${response.status}${said ? `: ${said}` : ''}`
      return { reason, retryable: RETRYABLE_STATUS.has(response.status), retryAfterMs: retryAfterMs(response.headers.get('retry-after')) }
    } catch (error) {
      if (signal.aborted) return { reason: 'stopped: the notifier stopped waiting', retryable: false }
      if ((error as Error).name === 'TimeoutError') return { reason: `no answer within ${timeoutMs} ms`, retryable: true }
      return { reason: describeRpcFailure((error as { cause?: unknown }).cause ?? error), retryable: true }
    } finally {
      clearTimeout(timer)
    }
  }
}
