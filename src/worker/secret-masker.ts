import type { Logger } from 'pino'
import { SECRET_MASK } from '../core/secret-mask.js'
import type { TaskLike } from '../core/task-like.js'
import type { TaskError } from '../scheduler/scheduler.js'

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
/** How deep a logged object or a result is searched; below that the value is replaced, not kept. */
const MAX_DEPTH = 12

/**
 * The values of a run's secret parameters, which the worker masks, by exact match, in everything it
 * writes or sends: results, errors, log lines, progress messages, markers, what the central scheduler
 * gets. A task that echoes its password in an error or a log line (a connection string, an "auth failed
 * for ..." message) does not leak it through etl, as Airflow's secrets masker does for connections.
 *
 * Every occurrence is masked however short the secret, so a one-letter password masks that letter
 * everywhere: unreadable output rather than a leak.
 *
 * ```ts
 * const secrets = new SecretMasker()
 * secrets.addTask(new Extract({ table: 'orders' })) // its password came from ${SOURCE_PASSWORD}
 * secrets.text('auth failed for hunter2') // 'auth failed for ••••'
 * ```
 */
export class SecretMasker {
  readonly #set = new Set<string>()
  /** Longest first, so a secret that contains another is masked whole; sorted again once the set has grown. */
  #sorted: string[] = []

  /** Adds the secret values of a task the run will build. */
  addTask(task: TaskLike): void {
    for (const value of task.secretValues ?? []) this.add(value)
  }

  add(value: string): void {
    // An empty secret is nothing to hide, and would match between every two characters.
    if (value === '' || this.#set.has(value)) return
    this.#set.add(value)
  }

  get size(): number {
    return this.#set.size
  }

  text(text: string): string {
    let masked = text
    for (const value of this.#values) if (masked.includes(value)) masked = masked.replaceAll(value, SECRET_MASK)
    return masked
  }

  get #values(): readonly string[] {
    if (this.#sorted.length !== this.#set.size) this.#sorted = [...this.#set].sort((a, b) => b.length - a.length)
    return this.#sorted
  }

  /** A copy of a JSON-like value (a result, log fields) with the secrets masked in every string in it. */
  value<T>(value: T): T {
    return this.#set.size === 0 ? value : (this.#deep(value, 0, new WeakSet()) as T)
  }

  error(error: TaskError): TaskError {
    if (this.#set.size === 0) return error
    return { ...error, message: this.text(error.message), ...(error.stack !== undefined ? { stack: this.text(error.stack) } : {}) }
  }

  /** `log`, with every line it (or a child of it) writes masked before pino or a log shipper sees it. */
  logger(log: Logger): Logger {
    return new Proxy(log, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown
        if (typeof value !== 'function') return value
        if (property === 'child') {
          return (bindings: Record<string, unknown>, options?: object) => this.logger(target.child(this.value(bindings), options))
        }
        if (typeof property === 'string' && LEVELS.has(property)) {
          return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, this.#set.size ? args.map((arg) => this.value(arg)) : args)
        }
        return (value as (...a: unknown[]) => unknown).bind(target)
      },
    })
  }

  #deep(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.text(value)
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      return this.#set.has(String(value)) ? SECRET_MASK : value
    }
    if (value === null || typeof value !== 'object' || value instanceof Date) return value
    if (depth >= MAX_DEPTH) return '[too deep to show]'
    // Only the objects above this one: the same object twice side by side is no cycle.
    if (seen.has(value)) return '[Circular]'
    seen.add(value)
    try {
      if (value instanceof Error) return this.#errorCopy(value, depth, seen)
      // What JSON (and so pino, and the scheduler's wire) would make of it: its toJSON, or its own fields.
      const json = (value as { toJSON?: unknown }).toJSON
      if (typeof json === 'function') return this.#deep(json.call(value), depth + 1, seen)
      if (Array.isArray(value)) return value.map((item) => this.#deep(item, depth + 1, seen))
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.text(key), this.#deep(item, depth + 1, seen)]))
    } finally {
      seen.delete(value)
    }
  }

  /** An `Error` still (pino serializes those as errors), with the message, stack, fields and cause masked. */
  #errorCopy(error: Error, depth: number, seen: WeakSet<object>): Error {
    const cause = (error as { cause?: unknown }).cause
    const copy = new Error(this.text(error.message), cause === undefined ? undefined : { cause: this.#deep(cause, depth + 1, seen) })
    copy.name = error.name
    copy.stack = error.stack === undefined ? undefined : this.text(error.stack)
    for (const [key, item] of Object.entries(error)) (copy as unknown as Record<string, unknown>)[key] = this.#deep(item, depth + 1, seen)
    return copy
  }
}
