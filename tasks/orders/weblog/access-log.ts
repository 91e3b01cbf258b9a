/** One access-log line in the combined log format, parsed and enriched. */
export interface AccessLogRecord {
  readonly line_no: number
  readonly ip: string
  readonly username: string | null
  readonly request_timestamp: string
  /** `yyyy-mm-dd hh24:mi:ss` in UTC, or `1900-01-01 00:00:00` when the timestamp cannot be read. */
  readonly request_timestamp_converted: string
  readonly method: string | null
  readonly path: string | null
  readonly protocol: string | null
  readonly status: number
  readonly bytes: number | null
  readonly referrer: string | null
  readonly user_agent: string
  readonly device: Device
  readonly country: string
}

export const DEVICES = ['Android', 'iPhone', 'Windows', 'Macintosh', 'iPad', 'Other'] as const
export type Device = (typeof DEVICES)[number]

/** The value for a timestamp that cannot be converted, as the seed specifies. */
export const UNKNOWN_TIMESTAMP = '1900-01-01 00:00:00'

// host ident authuser [date] "request" status bytes "referrer" "user-agent"
const COMBINED = /^(\S+) (\S+) (\S+) \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"\s*$/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const CLF_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/

/** The fields of a line, before enrichment; `undefined` for a malformed line. */
export interface ParsedLine {
  readonly ip: string
  readonly username: string | null
  readonly time: string
  readonly request: string
  readonly status: number
  readonly bytes: number | null
  readonly referrer: string | null
  readonly userAgent: string
}

/** Splits a combined-log-format line; `undefined` when it is not one. */
export function parseAccessLogLine(line: string): ParsedLine | undefined {
  const match = COMBINED.exec(line)
  if (!match) return undefined
  const [, ip, , user, time, request, status, bytes, referrer, userAgent] = match
  return {
    ip: ip!,
    username: user === '-' ? null : user!,
    time: time!,
    request: request!,
    status: Number(status),
    bytes: bytes === '-' ? null : Number(bytes),
    referrer: referrer === '-' || referrer === '' ? null : referrer!,
    userAgent: userAgent!,
  }
}

/** The device from a user agent: Android, iPhone, Windows, Macintosh, iPad, else Other. */
export function deviceOf(userAgent: string): Device {
  // Android before the others (Android agents mention "Linux", some "like iPhone"); iPhone and iPad
  // before Macintosh, since their agents say "like Mac OS X".
  if (userAgent.includes('Android')) return 'Android'
  if (userAgent.includes('iPhone')) return 'iPhone'
  if (userAgent.includes('iPad')) return 'iPad'
  if (userAgent.includes('Windows')) return 'Windows'
  if (userAgent.includes('Macintosh')) return 'Macintosh'
  return 'Other'
}

/** `10/Oct/2024:13:55:36 +0200` → `2024-10-10 11:55:36` (UTC); {@link UNKNOWN_TIMESTAMP} when it cannot. */
export function convertLogTimestamp(text: string): string {
  const match = CLF_TIME.exec(text.trim())
  if (!match) return UNKNOWN_TIMESTAMP
  const [, day, mon, year, hh, mm, ss, sign, oh, om] = match
  const month = MONTHS.indexOf(mon!)
  const [d, h, mi, s] = [Number(day), Number(hh), Number(mm), Number(ss)]
  if (month < 0 || h > 23 || mi > 59 || s > 59) return UNKNOWN_TIMESTAMP
  const local = Date.UTC(Number(year), month, d, h, mi, s)
  const check = new Date(local)
  if (check.getUTCDate() !== d || check.getUTCMonth() !== month) return UNKNOWN_TIMESTAMP
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000
  return new Date(local - offset).toISOString().slice(0, 19).replace('T', ' ')
}

/** `GET /a HTTP/1.1` → its three parts; nulls when the request is not of that shape. */
export function splitRequest(request: string): { method: string | null; path: string | null; protocol: string | null } {
  const parts = request.split(' ')
  if (parts.length !== 3 || !/^[A-Z]+$/.test(parts[0]!)) return { method: null, path: null, protocol: null }
  return { method: parts[0]!, path: parts[1]!, protocol: parts[2]! }
}
