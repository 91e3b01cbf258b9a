import type { Transporter } from 'nodemailer'
import { lazyImport } from '../util/lazy-import.js'
import type { NotificationChannel } from './notification-channel.js'
import { renderBatch } from './notification-batch.js'
import type { EmailSettings } from './notifications-schema.js'
import type { Notice } from './notice.js'
import { withRetries, type Refusal } from './with-retries.js'

/** nodemailer, loaded by the first mail rather than by importing `etl`. */
const loadNodemailer = lazyImport(async () => (await import('nodemailer')).default)

const DEFAULT_SUBJECT_PREFIX = '[etl]'
const DEFAULT_RETRIES = 2
const DEFAULT_BACKOFF_MS = 1000

/** nodemailer's codes for a server that could not be reached or went silent: worth another try. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET'])

/**
 * How long each step of talking to the server may take. nodemailer's own defaults (up to ten
 * minutes of silence) would hold the end of a run far past any wait the notifier is given.
 */
const CONNECTION_TIMEOUT_MS = 10_000
const GREETING_TIMEOUT_MS = 10_000
const SOCKET_TIMEOUT_MS = 30_000

/**
 * Mail over SMTP, batched: the notifier hands it every event of a run at `flush`, and it sends one
 * mail with all of them (Luigi's `batch_emails`), so a run with 200 failures is one mail, not 200.
 * A server that cannot be reached, times out or answers 4xx (greylisting, "try again later") is
 * tried again after `backoffMs`, doubled each time, up to `retries` more times; a 5xx answer or a
 * refused login fails at once, as another try would be refused the same.
 */
export class EmailChannel implements NotificationChannel {
  readonly kind = 'email'
  readonly batched = true
  readonly target: string
  readonly #settings: EmailSettings

  constructor(settings: EmailSettings) {
    this.#settings = settings
    this.target = `email via ${settings.host}:${this.#port} to ${[settings.to].flat().join(', ')}`
  }

  get #port(): number {
    return this.#settings.port ?? (this.#settings.secure ? 465 : 587)
  }

  async send(notices: readonly Notice[], signal: AbortSignal, dropped = 0): Promise<void> {
    if (notices.length === 0) return
    const { subject, text } = renderBatch(notices[0]!.body.run, notices, this.#settings.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX, dropped)
    const policy = { retries: this.#settings.retries ?? DEFAULT_RETRIES, backoffMs: this.#settings.backoffMs ?? DEFAULT_BACKOFF_MS }
    await withRetries('mail not sent', policy, signal, () => this.#sendOnce(subject, text, signal))
  }

  /** One try over a new connection: undefined when the server took the mail, else why not. */
  async #sendOnce(subject: string, text: string, signal: AbortSignal): Promise<Refusal | undefined> {
    // A connection per try, closed after it: one left open would keep the process from ending
    // after the run, and closing it is also what stops a mail in flight.
    const transporter = await this.#transport()
    const stop = () => transporter.close()
    signal.addEventListener('abort', stop, { once: true })
    try {
      await transporter.sendMail({ from: this.#settings.from, to: this.#settings.to, subject, text })
      return undefined
    } catch (error) {
      return { reason: (error as Error).message, retryable: isTransient(error) }
    } finally {
      signal.removeEventListener('abort', stop)
      transporter.close()
    }
  }

  async #transport(): Promise<Transporter> {
    const nodemailer = await loadNodemailer()
    return nodemailer.createTransport({
      pool: true,
      maxConnections: 1,
      host: this.#settings.host,
      port: this.#port,
      secure: this.#settings.secure ?? false,
      auth: this.#settings.user !== undefined ? { user: this.#settings.user, pass: this.#settings.password } : undefined,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
    })
  }
}

/** A failure another try may get past: no answer, or an SMTP 4xx, which means "not now". */
function isTransient(error: unknown): boolean {
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown }
  if (typeof responseCode === 'number') return responseCode >= 400 && responseCode < 500
  return typeof code === 'string' && TRANSIENT_CODES.has(code)
}
