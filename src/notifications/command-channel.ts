import { spawn } from 'node:child_process'
import { EtlError } from '../errors.js'
import type { NotificationBody } from './notification-body.js'
import type { NotificationChannel } from './notification-channel.js'
import type { CommandSettings } from './notifications-schema.js'
import type { Notice } from './notice.js'

const DEFAULT_TIMEOUT_MS = 30_000

/** Characters of the program's stderr kept for the warning: its last words are the useful ones. */
const STDERR_TAIL_CHARS = 1000

/**
 * Runs a program for each notice, with no shell: the JSON body on stdin, and the same in `ETL_*`
 * environment variables for scripts that would rather not parse JSON. The program inherits etl's
 * environment, so it finds what it finds from the command line (`PATH`, its own credentials).
 */
export class CommandChannel implements NotificationChannel {
  readonly kind = 'command'
  readonly batched = false
  readonly target: string
  readonly #settings: CommandSettings
  readonly #env: NodeJS.ProcessEnv

  constructor(settings: CommandSettings, env: NodeJS.ProcessEnv = process.env) {
    this.#settings = settings
    this.#env = env
    this.target = `command ${settings.argv[0]}`
  }

  async send(notices: readonly Notice[], signal: AbortSignal): Promise<void> {
    for (const notice of notices) await this.#run(notice.body, signal)
  }

  #run(body: NotificationBody, signal: AbortSignal): Promise<void> {
    const [program, ...args] = this.#settings.argv as [string, ...string[]]
    const timeoutMs = this.#settings.timeoutMs ?? DEFAULT_TIMEOUT_MS
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { env: { ...this.#env, ...eventEnvironment(body) }, stdio: ['pipe', 'ignore', 'pipe'], signal, timeout: timeoutMs, killSignal: 'SIGKILL' })
      let stderr = ''
      let failure: string | undefined
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS)))
      // A program that exits without reading its stdin is no failure of ours.
      child.stdin.on('error', () => undefined)
      child.stdin.end(`${JSON.stringify(body)}\n`)
      child.on('error', (error: NodeJS.ErrnoException) => {
        failure = signal.aborted ? 'stopped: the notifier stopped waiting' : error.code === 'ENOENT' ? `cannot start ${program}: not found; check argv[0] and PATH` : error.message
      })
      child.on('close', (code, killedBy) => {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ')
        if (failure === undefined && code === 0) return resolve()
        const reason =
          failure ??
          (killedBy !== null
            ? signal.aborted
              ? 'stopped: the notifier stopped waiting'
              : `killed after ${timeoutMs} ms (timeoutMs)`
            : `exited with code ${code}`)
        reject(new EtlError('ETL_ERR_NOTIFY_SEND_FAILED', `${reason}${tail ? `: ${tail}` : ''}`))
      })
    })
  }
}

/**
 * The event as environment variables: `ETL_EVENT`, `ETL_RUN`, `ETL_TASK_ID`, `ETL_FAMILY`,
 * `ETL_ERROR`, `ETL_EXIT_CODE`… and `ETL_NOTIFICATION`, the whole JSON body. Only the fields the
 * event has are set.
 */
export function eventEnvironment(body: NotificationBody): Record<string, string> {
  const values: Record<string, string | number | undefined> = {
    ETL_EVENT: body.event,
    ETL_AT: body.at,
    ETL_RUN: body.run,
    ETL_TEXT: body.text,
    ETL_TASK_ID: body.taskId,
    ETL_FAMILY: body.family,
    ETL_PARAMS: body.params === undefined ? undefined : JSON.stringify(body.params),
    ETL_ATTEMPT: body.attempt,
    ETL_ERROR: body.error,
    ETL_SUMMARY: body.summary,
    ETL_EXIT_CODE: body.exitCode,
    ETL_SCHEDULE: body.schedule,
    ETL_LINK: body.link,
    ETL_NOTIFICATION: JSON.stringify(body),
  }
  // An environment value cannot hold a NUL; the rest of an error passes as it is.
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined).map(([name, value]) => [name, String(value).replace(/\0/g, '')]))
}
