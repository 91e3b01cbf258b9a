import { pino, type Logger } from 'pino'

export type { Logger } from 'pino'

/** Log levels, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** `text`: one readable line per entry; `json`: pino's JSON lines, for log shippers. */
export const LOG_FORMATS = ['text', 'json'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

export interface LoggerOptions {
  level?: LogLevel
  format?: LogFormat
  /** Where finished lines go (each ends with a newline). @defaultValue process.stderr */
  write?: (line: string) => void
}

/** Fields pino adds that the text format prints in its own way (or not at all). */
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'family', 'taskId', 'workerId', 'err'])

/**
 * The framework's logger: pino, writing synchronously through `write`, so the CLI can keep its live
 * progress line below the log lines. Child loggers carry `{ taskId, family }` or `{ workerId }`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line))
  const format = options.format ?? 'text'
  const destination = { write: format === 'json' ? write : (line: string) => write(formatText(line)) }
  return pino(
    {
      level: options.level ?? 'info',
      base: format === 'json' ? { pid: process.pid } : {},
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  )
}

/** A logger that drops everything, for tests and library use without a CLI. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

function formatText(jsonLine: string): string {
  const entry = JSON.parse(jsonLine) as Record<string, unknown>
  const time = String(entry.time ?? '').slice(11, 19)
  const level = String(entry.level ?? '').toUpperCase().padEnd(5)
  const scope = entry.family ? ` [${String(entry.family)}]` : ''
  const extras = Object.entries(entry)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  const error = entry.err as { stack?: string; message?: string } | undefined
  const errorText = error ? `\n${error.stack ?? error.message}` : ''
  return `${time} ${level}${scope} ${String(entry.msg ?? '')}${extras.length ? ` ${extras.join(' ')}` : ''}${errorText}\n`
}
