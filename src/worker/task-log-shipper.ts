import { format } from 'node:util'
import type { Logger } from 'pino'
import type { TaskLogLine } from '../scheduler/scheduler.js'
import { fitLogLine } from './report-fitting.js'

/** Lines kept per task between two sends; a task that logs faster loses its oldest lines, not memory. */
const MAX_BUFFERED_LINES = 200
/** How often buffered lines of running tasks go to the scheduler. */
const SEND_INTERVAL_MS = 1000

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
/** Lines at these levels are shipped even when the local logger is quieter. */
const ALWAYS_SHIPPED = new Set(['info', 'warn', 'error', 'fatal'])

/**
 * Collects what running tasks log through `ctx.log` and ships it to a scheduler that keeps log tails
 * (the daemon): every second for tasks still running, and the rest with the task's end. Only made when
 * the scheduler has `taskLog`, so the in-process scheduler costs nothing.
 */
export class TaskLogShipper {
  readonly #send: (taskId: string, lines: TaskLogLine[]) => Promise<void>
  readonly #buffers = new Map<string, TaskLogLine[]>()
  #timer: NodeJS.Timeout | undefined

  constructor(send: (taskId: string, lines: TaskLogLine[]) => Promise<void>) {
    this.#send = send
  }

  /** `log`, with every line it (or a child of it) writes also kept for `taskId`. */
  tap(taskId: string, log: Logger): Logger {
    return new Proxy(log, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown
        if (typeof value !== 'function') return value
        if (property === 'child') {
          return (...args: Parameters<Logger['child']>) => this.tap(taskId, target.child(...args) as unknown as Logger)
        }
        if (typeof property === 'string' && LEVELS.has(property)) {
          return (...args: unknown[]) => {
            if (ALWAYS_SHIPPED.has(property) || target.isLevelEnabled(property)) this.#keep(taskId, property, args)
            return (value as (...a: unknown[]) => unknown).apply(target, args)
          }
        }
        return (value as (...a: unknown[]) => unknown).bind(target)
      },
    })
  }

  /** The lines not sent yet for a task that ended (they travel with its end), and forgets it. */
  take(taskId: string): TaskLogLine[] {
    const lines = this.#buffers.get(taskId) ?? []
    this.#buffers.delete(taskId)
    return lines
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  #keep(taskId: string, level: string, args: unknown[]): void {
    let buffer = this.#buffers.get(taskId)
    if (!buffer) {
      buffer = []
      this.#buffers.set(taskId, buffer)
    }
    buffer.push(fitLogLine({ at: Date.now(), level, message: messageOf(args) }))
    if (buffer.length > MAX_BUFFERED_LINES) buffer.shift()
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#flush(), SEND_INTERVAL_MS)
      this.#timer.unref()
    }
  }

  #flush(): void {
    for (const [taskId, lines] of this.#buffers) {
      if (lines.length === 0) continue
      this.#buffers.set(taskId, [])
      this.#send(taskId, lines).catch(() => {})
    }
  }
}

/** The text pino would log for these arguments: `(obj?, msg?, ...interpolation)`, plus an error's stack. */
function messageOf(args: unknown[]): string {
  const [first, ...rest] = args
  if (typeof first === 'string') return format(first, ...rest)
  const error = first instanceof Error ? first : first && typeof first === 'object' && (first as { err?: unknown }).err instanceof Error ? ((first as { err: Error }).err) : undefined
  const [message, ...interpolation] = rest
  let text = typeof message === 'string' ? format(message, ...interpolation) : (error?.message ?? '')
  if (error?.stack) text += `\n${error.stack}`
  return text
}
