import pLimit, { type LimitFunction } from 'p-limit'
import type { RunEvent } from '../events/run-event.js'
import type { Logger } from '../util/logger.js'
import { redactText } from '../util/redact.js'
import { sleep } from '../util/sleep.js'
import { SecretMasker } from '../worker/secret-masker.js'
import { channelSecrets } from './channel-secrets.js'
import { createChannel } from './create-channel.js'
import type { NotificationChannel } from './notification-channel.js'
import { eventLine, notificationBody } from './notification-body.js'
import type { NotificationEventName } from './notification-events.js'
import type { ChannelSettings } from './notifications-schema.js'
import type { Notice } from './notice.js'

export interface NotifierOptions {
  logger: Logger
  /** The run's own secrets, masked too in everything the notifier logs and sends. */
  secrets?: SecretMasker
  /** What a command channel's program inherits, and where SQS looks for a default region. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
}

export interface FlushOptions {
  /** Longest wait for sends in flight; those still going then are stopped and logged. @defaultValue no bound but the channels' own timeouts */
  timeoutMs?: number
}

/** Sends in flight at once to one channel: enough to keep up, not a flood of 200 connections to one Slack hook. */
const CONCURRENCY_PER_CHANNEL = 4
/** Sends waiting for one channel, and events held for one run's mail; past these, events are counted, not kept. */
const MAX_QUEUED_PER_CHANNEL = 1000
/** Warnings about one channel between two flushes; later failures are counted and reported at the flush. */
const MAX_WARNINGS_PER_CHANNEL = 3

interface Route {
  readonly label: string
  readonly channel: NotificationChannel
  readonly events: ReadonlySet<string>
  readonly families: ReadonlySet<string> | undefined
  readonly limit: LimitFunction
  /** Events held for the mail, by run. */
  readonly batches: Map<string, { notices: Notice[]; dropped: number }>
  warnings: number
  unreported: number
  dropped: number
}

interface Delivery {
  readonly route: Route
  readonly controller: AbortController
  done: Promise<void>
}

/**
 * Tells the configured channels of run events. `notify` routes an event to every channel whose `on`
 * and `families` take it and returns at once: webhooks, SNS, SQS and commands are sent in the
 * background, mail is held for `flush`, which sends one mail per channel and run and waits for
 * everything in flight. A channel that fails is retried where it retries, then logged as a warning
 * naming it; nothing here ever throws to the caller, so a failing notification never fails a run.
 * Channel secrets (passwords, header values, webhook tokens) and the run's secrets are masked in
 * every body sent and every line logged.
 *
 * ```ts
 * const notifier = new Notifier(config.raw.notifications ?? [], { logger, secrets })
 * notifier.notify(event)
 * await notifier.flush({ timeoutMs: 10_000 })
 * ```
 */
export class Notifier {
  readonly #routes: readonly Route[]
  readonly #logger: Logger
  readonly #masker = new SecretMasker()
  readonly #runSecrets: SecretMasker | undefined
  readonly #inFlight = new Set<Delivery>()

  constructor(channels: readonly ChannelSettings[], options: NotifierOptions) {
    this.#logger = options.logger
    this.#runSecrets = options.secrets
    for (const settings of channels) for (const secret of channelSecrets(settings)) this.#masker.add(secret)
    this.#routes = channels.map((settings, index) => ({
      label: settings.name !== undefined ? `"${settings.name}"` : `notifications[${index}]`,
      channel: createChannel(settings, options.env),
      events: new Set<NotificationEventName>(settings.on),
      families: settings.families ? new Set(settings.families) : undefined,
      limit: pLimit(CONCURRENCY_PER_CHANNEL),
      batches: new Map(),
      warnings: 0,
      unreported: 0,
      dropped: 0,
    }))
  }

  /** The channels configured. */
  get size(): number {
    return this.#routes.length
  }

  /** Routes `event` to the channels that want it; never throws, never waits. */
  notify(event: RunEvent): void {
    try {
      const routes = this.#routes.filter((route) => wants(route, event))
      if (routes.length === 0) return
      const notice = this.#notice(event)
      for (const route of routes) {
        if (route.channel.batched) this.#hold(route, notice)
        else this.#start(route, [notice])
      }
    } catch (error) {
      this.#logger.warn(`notifications: event ${event.event} not sent: ${this.#safe((error as Error).message)}; the run goes on`)
    }
  }

  /**
   * Sends the mails held so far (one per channel and run) and waits for every send in flight, at most
   * `timeoutMs`: sends still going then are stopped, each channel among them logged. Never throws.
   */
  async flush(options: FlushOptions = {}): Promise<void> {
    for (const route of this.#routes) {
      for (const [, batch] of route.batches) this.#start(route, batch.notices, batch.dropped)
      route.batches.clear()
    }
    const pending = [...this.#inFlight]
    const settled = Promise.all(pending.map((delivery) => delivery.done)).then(() => true)
    const bound = options.timeoutMs === undefined ? undefined : new AbortController()
    const inTime = bound ? await Promise.race([settled, sleep(options.timeoutMs!, bound.signal).then(() => false)]) : await settled
    bound?.abort()
    if (!inTime) this.#stop(pending.filter((delivery) => this.#inFlight.has(delivery)), options.timeoutMs!)
    this.#reportCounts()
  }

  /** Flushes, then lets go of every channel's connections and clients. */
  async close(options: FlushOptions = {}): Promise<void> {
    await this.flush(options)
    await Promise.all(this.#routes.map((route) => route.channel.close?.().catch(() => undefined)))
  }

  #notice(event: RunEvent): Notice {
    return { body: this.#maskValue(notificationBody(event)), line: this.#mask(eventLine(event)) }
  }

  #hold(route: Route, notice: Notice): void {
    const batch = route.batches.get(notice.body.run) ?? { notices: [], dropped: 0 }
    route.batches.set(notice.body.run, batch)
    // The run's end goes in whatever the cap: it carries the summary the mail ends with.
    if (batch.notices.length < MAX_QUEUED_PER_CHANNEL || notice.body.event === 'run_finished') batch.notices.push(notice)
    else batch.dropped += 1
  }

  #start(route: Route, notices: readonly Notice[], dropped = 0): void {
    if (route.limit.pendingCount >= MAX_QUEUED_PER_CHANNEL) {
      route.dropped += notices.length
      return
    }
    const controller = new AbortController()
    const delivery: Delivery = { route, controller, done: Promise.resolve() }
    delivery.done = route
      .limit(() => (controller.signal.aborted ? undefined : route.channel.send(notices, controller.signal, dropped)))
      .catch((error: unknown) => {
        // Stopped by a flush's bound, which has said so already.
        if (!controller.signal.aborted) this.#warn(route, error)
      })
      .finally(() => this.#inFlight.delete(delivery))
    this.#inFlight.add(delivery)
  }

  #stop(late: readonly Delivery[], timeoutMs: number): void {
    const routes = new Map<Route, number>()
    for (const delivery of late) {
      delivery.controller.abort()
      routes.set(delivery.route, (routes.get(delivery.route) ?? 0) + 1)
    }
    for (const [route, count] of routes) {
      this.#logger.warn(
        { channel: route.label },
        `notification to ${route.label} (${route.channel.target}): ${count} send${count === 1 ? '' : 's'} still going after ${timeoutMs} ms, stopped; the run goes on`,
      )
    }
  }

  #warn(route: Route, error: unknown): void {
    if (route.warnings >= MAX_WARNINGS_PER_CHANNEL) {
      route.unreported += 1
      return
    }
    route.warnings += 1
    const message = this.#safe(error instanceof Error ? error.message : String(error))
    this.#logger.warn({ channel: route.label }, `notification to ${route.label} (${route.channel.target}) failed: ${message}; the run goes on`)
  }

  /** The failures past the warning cap and the events past the queue's, said once per flush. */
  #reportCounts(): void {
    for (const route of this.#routes) {
      if (route.unreported > 0) this.#logger.warn({ channel: route.label }, `notification to ${route.label} (${route.channel.target}): ${route.unreported} more sends failed`)
      if (route.dropped > 0) this.#logger.warn({ channel: route.label }, `notification to ${route.label} (${route.channel.target}): ${route.dropped} events not sent, as ${MAX_QUEUED_PER_CHANNEL} were already waiting`)
      route.warnings = 0
      route.unreported = 0
      route.dropped = 0
    }
  }

  #mask(text: string): string {
    const masked = this.#masker.text(text)
    return this.#runSecrets ? this.#runSecrets.text(masked) : masked
  }

  #maskValue<T>(value: T): T {
    const masked = this.#masker.value(value)
    return this.#runSecrets ? this.#runSecrets.value(masked) : masked
  }

  /** For a log line: the known secrets, and whatever else looks like one (a server quoting a URL with its password). */
  #safe(text: string): string {
    return redactText(this.#mask(text))
  }
}

function wants(route: Route, event: RunEvent): boolean {
  if (!route.events.has(event.event)) return false
  // Run-level events have no family, and every channel that asked for them gets them.
  return event.task === undefined || route.families === undefined || route.families.has(event.task.family)
}
