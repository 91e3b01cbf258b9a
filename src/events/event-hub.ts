import type { Logger } from 'pino'
import { firstLine } from '../errors.js'
import { silentLogger } from '../util/logger.js'
import { RUN_EVENT_NAMES, type RunEvent, type RunEventName } from './run-event.js'

/** A handler; whatever it throws or rejects with is logged and changes nothing about the run. */
export type RunEventHandler = (event: RunEvent) => void | Promise<void>

/** What a handler listens to: some events (or all), of some task families (or all). */
export interface RunEventSubscription {
  readonly events: readonly RunEventName[] | 'all'
  /** Task families whose events it wants; run-level events (no task) always reach it. @defaultValue every family */
  readonly families?: readonly string[]
  /** Named in the warning when it fails. */
  readonly name: string
  readonly handle: RunEventHandler
}

const SUBSCRIPTION = Symbol.for('etl.runEventSubscription')

/**
 * A handler a pipeline exports beside its tasks, so every run of its tasks calls it:
 *
 * ```ts
 * export const pageOnFailure = onRunEvent(['failure', 'missing_data'], (event) => pager.send(event.error), { families: ['LoadFact'] })
 * ```
 */
export function onRunEvent(
  events: RunEventName | readonly RunEventName[] | 'all',
  handle: RunEventHandler,
  options: { families?: readonly string[]; name?: string } = {},
): RunEventSubscription {
  const list: RunEventSubscription['events'] = events === 'all' ? 'all' : typeof events === 'string' ? [events as RunEventName] : [...events]
  if (list !== 'all') checkNames(list)
  const subscription: RunEventSubscription = {
    events: list,
    ...(options.families ? { families: [...options.families] } : {}),
    name: options.name ?? handle.name ?? 'handler',
    handle,
  }
  Object.defineProperty(subscription, SUBSCRIPTION, { value: true })
  return Object.freeze(subscription)
}

/** The subscriptions among a task module's exports (alone or in arrays). */
export function subscriptionsIn(exports: Readonly<Record<string, unknown>>): RunEventSubscription[] {
  return Object.values(exports)
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter(isSubscription)
}

function isSubscription(value: unknown): value is RunEventSubscription {
  return typeof value === 'object' && value !== null && (value as Record<PropertyKey, unknown>)[SUBSCRIPTION] === true
}

function checkNames(names: readonly string[]): void {
  const known: readonly string[] = RUN_EVENT_NAMES
  const bad = names.find((name) => !known.includes(name))
  if (bad !== undefined) throw new TypeError(`onRunEvent: unknown event '${bad}'; use one of ${RUN_EVENT_NAMES.join(', ')}, or 'all'`)
}

/**
 * Hands each event to the handlers that want it. Handlers never slow the run down or change it: each
 * is called without being awaited, its failure is a warning, and `settle()` is the one place that
 * waits for them, at the end of a run and with a bound.
 */
export class EventHub {
  readonly #subscriptions: RunEventSubscription[] = []
  readonly #inFlight = new Set<Promise<void>>()
  readonly #logger: Logger

  constructor(logger: Logger = silentLogger()) {
    this.#logger = logger
  }

  /** Adds a handler; returns the function that removes it. */
  subscribe(subscription: RunEventSubscription): () => void {
    this.#subscriptions.push(subscription)
    return () => {
      const at = this.#subscriptions.indexOf(subscription)
      if (at >= 0) this.#subscriptions.splice(at, 1)
    }
  }

  get size(): number {
    return this.#subscriptions.length
  }

  emit(event: RunEvent): void {
    for (const subscription of this.#subscriptions) {
      if (wants(subscription, event)) this.#call(subscription, event)
    }
  }

  /** Waits for the handlers still running, at most `timeoutMs`; says which did not finish in time. */
  async settle(timeoutMs = 30_000): Promise<void> {
    if (this.#inFlight.size === 0) return
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs)
    })
    const ended = await Promise.race([Promise.all(this.#inFlight).then(() => 'ended' as const), late])
    clearTimeout(timer)
    if (ended === 'late') this.#logger.warn(`${this.#inFlight.size} event handler call(s) still running after ${timeoutMs}ms at the end of the run; not waiting for them`)
  }

  #call(subscription: RunEventSubscription, event: RunEvent): void {
    const pending = Promise.resolve()
      .then(() => subscription.handle(event))
      .then(
        () => {},
        (error: unknown) => this.#logger.warn({ err: error }, `event handler ${subscription.name} failed on ${describe(event)}: ${firstLine(error)}; the run goes on as it was`),
      )
      .finally(() => this.#inFlight.delete(pending))
    this.#inFlight.add(pending)
  }
}

function wants(subscription: RunEventSubscription, event: RunEvent): boolean {
  if (subscription.events !== 'all' && !subscription.events.includes(event.event)) return false
  return !event.task || !subscription.families || subscription.families.includes(event.task.family)
}

function describe(event: RunEvent): string {
  return `${event.event} of ${event.task?.label ?? event.run}`
}
