/**
 * Secret redaction, in one place: which names are secret (a config key, a task parameter, a JSON field,
 * a `name=value` in a log line, a URL's query), and how free text, structured values and URLs are
 * masked. Every pattern here runs in time linear in its input: each one starts at a fixed anchor (`://`,
 * a secret word, `Bearer`) and every repetition is bounded and cannot overlap the next, because the
 * daemon masks what workers send on its one event loop, and text that makes a regular expression
 * backtrack would stop it answering anyone.
 */

/** What a masked secret becomes. */
export const MASK = '***'

/**
 * The words that make a name secret, wherever they appear in it (`dbPassword`, `PGPASSWORD`,
 * `client_secret`, `aws_session_token`). `pass` leaves out the English words that merely start with
 * it (`passed`, `passes`, `passage`), which log lines are full of.
 */
const SECRET_WORDS = String.raw`pass(?!e[ds]|ing|age|enger|port|ive|through)|pwd|secret|token|credential|private|(?:api|access)[-_]?key|auth(?:orization)?(?![a-z])`

const SECRET_NAME = new RegExp(SECRET_WORDS, 'i')

/**
 * `scheme://user:password@`: the anchor is `://` after a scheme character, the user stops at the
 * first `:`, and the password runs to the last `@` before a `/` or a space (passwords hold `@` more
 * often than they should). Every `://` holds a `/`, so no two matches scan the same characters.
 */
const URL_PASSWORD = /:(?<=[a-z0-9+.-]:)\/\/([^\s/@:]{1,256}):[^\s/]{1,1024}@/gi

/** The user-and-password part of something URL-like that `new URL` cannot read. */
const URL_USERINFO = /\/\/[^\s/@]{1,1024}@/

/** `Bearer <token>` on its own, as in a logged request header; 16 characters at least, so prose goes by. */
const BEARER = /\bbearer\s{1,8}[a-z0-9._~+/-]{16,4096}={0,2}/gi

/** Where a `name=value` or `name: value` pair may be: every `=` and `:` is looked at once. */
const SEPARATOR = /[=:]/g

/** Longest name looked at before a separator, and the spaces and quotes allowed between them. */
const MAX_NAME_CHARS = 64
const MAX_GAP_CHARS = 8

/** Longest value masked: past it the text shows again (no password is that long, and the bound keeps masking linear). */
const MAX_VALUE_CHARS = 4096

/** Auth schemes whose credentials follow them after a space: `Authorization: Bearer ...`. */
const AUTH_SCHEME = /(bearer|basic|digest|token)\s{1,8}/iy

/** Deeper than this a value is not looked into: it is masked whole rather than shown unread. */
const MAX_DEPTH = 100

/** True for a name (config key, parameter, JSON field) whose value must never be shown. */
export function isSecretKey(key: string): boolean {
  return SECRET_NAME.test(key)
}

/**
 * Masks what looks like a secret in free text: the password of a connection URL, `password=...`
 * pairs of connection strings and logs, secret-named JSON fields, and bearer tokens. Linear in the
 * text's length, whatever the text.
 *
 * ```ts
 * redactText('connect postgres://etl:hunter2@db/x failed') // 'connect postgres://etl:***@db/x failed'
 * ```
 */
export function redactText(text: string): string {
  return maskNamedValues(maskBearer(maskUrlCredentials(text)))
}

/** `scheme://user:password@host` with the password masked, wherever such a URL appears in `text`. */
export function maskUrlCredentials(text: string): string {
  return text.includes('://') ? text.replace(URL_PASSWORD, `://$1:${MASK}@`) : text
}

function maskBearer(text: string): string {
  return text.replace(BEARER, (match) => `${match.slice(0, 6)} ${MASK}`)
}

/**
 * `password=...`, `PGPASSWORD=...`, `"db_password": "..."`, `token: ...`, `?access_token=...`,
 * `Authorization: Bearer ...`, `\\"token\\":\\"...\\"`: each separator is found once, the name before it
 * read backwards (it cannot reach past the previous separator), and a secret name's value masked and
 * skipped. Nothing is read twice, so the time is linear however the text is made.
 */
function maskNamedValues(text: string): string {
  if (!SECRET_NAME.test(text)) return text
  const parts: string[] = []
  let copied = 0
  SEPARATOR.lastIndex = 0
  for (let found = SEPARATOR.exec(text); found; found = SEPARATOR.exec(text)) {
    const at = found.index
    if (!isSecretKey(nameBefore(text, at))) continue
    const value = valueAfter(text, at + 1)
    if (value === undefined) continue
    parts.push(text.slice(copied, value.start), value.masked)
    copied = value.end
    SEPARATOR.lastIndex = copied
  }
  if (copied === 0) return text
  parts.push(text.slice(copied))
  return parts.join('')
}

/**
 * The value that starts at `from` (after up to 8 spaces), where it ends, and what it becomes: a
 * double-quoted, escaped-quoted (JSON inside a string) or single-quoted string, masked even when
 * unclosed; an auth scheme and its credentials (`Bearer ...`); or a bare word up to a separator.
 */
function valueAfter(text: string, from: number): { start: number; end: number; masked: string } | undefined {
  let start = from
  while (start < text.length && start - from < MAX_GAP_CHARS && isSpace(text.charCodeAt(start))) start += 1
  const limit = Math.min(text.length, start + MAX_VALUE_CHARS)
  const first = text[start]
  if (first === '\\' && text[start + 1] === '"') return { start, end: escapedQuotedEnd(text, start + 2, limit), masked: `\\"${MASK}\\"` }
  if (first === '"') return { start, end: quotedEnd(text, start + 1, limit), masked: `"${MASK}"` }
  if (first === "'") return { start, end: singleQuotedEnd(text, start + 1, limit), masked: `'${MASK}'` }
  AUTH_SCHEME.lastIndex = start
  const scheme = AUTH_SCHEME.exec(text)
  const word = scheme ? start + scheme[0].length : start
  const end = bareEnd(text, word, Math.min(text.length, word + MAX_VALUE_CHARS))
  if (end === word) return undefined
  return { start, end, masked: scheme ? `${scheme[1]} ${MASK}` : MASK }
}

/** After the closing quote, or where an unclosed string stops (a line end, the limit). */
function quotedEnd(text: string, at: number, limit: number): number {
  for (let i = at; i < limit; i += 1) {
    const code = text.charCodeAt(i)
    if (code === 34) return i + 1
    if (code === 10) return i
    if (code === 92) i += 1
  }
  return limit
}

function escapedQuotedEnd(text: string, at: number, limit: number): number {
  for (let i = at; i < limit; i += 1) {
    const code = text.charCodeAt(i)
    if (code === 34) return i
    if (code === 92) {
      if (text.charCodeAt(i + 1) === 34) return i + 2
      i += 1
    }
  }
  return limit
}

function singleQuotedEnd(text: string, at: number, limit: number): number {
  for (let i = at; i < limit; i += 1) {
    const code = text.charCodeAt(i)
    if (code === 39) return i + 1
    if (code === 10) return i
  }
  return limit
}

/** A bare value stops at a space or one of `& ; , ' " \\`. */
function bareEnd(text: string, at: number, limit: number): number {
  let i = at
  while (i < limit) {
    const code = text.charCodeAt(i)
    if (isSpace(code) || code === 38 || code === 59 || code === 44 || code === 39 || code === 34 || code === 92) break
    i += 1
  }
  return i
}

/** The name just before a separator: `token` in `token=`, `"token" :` and `\\"token\\":`. */
function nameBefore(text: string, separator: number): string {
  let end = separator
  const gapLimit = Math.max(0, separator - MAX_GAP_CHARS)
  while (end > gapLimit && isSpace(text.charCodeAt(end - 1))) end -= 1
  if (text[end - 1] === '"' || text[end - 1] === "'") end -= 1
  if (text[end - 1] === '\\') end -= 1
  let start = end
  const nameLimit = Math.max(0, end - MAX_NAME_CHARS)
  while (start > nameLimit && isNameChar(text.charCodeAt(start - 1))) start -= 1
  return text.slice(start, end)
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13)
}

/** `[A-Za-z0-9_.-]`: what names are made of. */
function isNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 46 || code === 45
}


/** A task's parameters, safe to show: secret-named ones masked, the rest through `redactText`. */
export function redactParams(params: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, isSecretKey(name) ? MASK : redactText(String(value))]))
}

/**
 * A deep copy of `value`, safe to log, show or store: every secret-named field masked and every string
 * through `redactText`.
 *
 * ```ts
 * redactSecrets({ host: 'db', password: 'hunter2' }) // { host: 'db', password: '***' }
 * ```
 */
export function redactSecrets<T>(value: T): T {
  return redactAt(value, 0) as T
}

function redactAt(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value)
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_DEPTH) return MASK
  if (Array.isArray(value)) return value.map((item) => redactAt(item, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, isSecretKey(key) && item !== undefined ? MASK : redactAt(item, depth + 1)]))
}

/** `text` with every one of `secrets` (known values: a connection's password, a key) cut out. */
export function cutSecrets(text: string, secrets: readonly string[]): string {
  let safe = text
  for (const secret of secrets) if (secret.length > 0) safe = safe.split(secret).join(MASK)
  return safe
}

/**
 * A URL fit for a log line or an error message: credentials (`user:token@`) become `***@` and
 * secret-named query values (`?token=...`) become `***`. The scheduler's URL may carry a proxy's
 * credentials, and these messages end up in cron mail and log shippers.
 *
 * ```ts
 * safeUrl('https://etl:s3cret@sched.example/?token=abc&x=1') // 'https://***@sched.example/?token=***&x=1'
 * ```
 */
export function safeUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // Not a URL we can take apart: hide whatever sits before an @, the likely credentials.
    return url.replace(URL_USERINFO, `//${MASK}@`)
  }
  const credentials = parsed.username || parsed.password
  parsed.username = ''
  parsed.password = ''
  for (const key of [...parsed.searchParams.keys()]) if (isSecretKey(key)) parsed.searchParams.set(key, MASK)
  const text = parsed.toString().replace(/%2A%2A%2A/g, MASK)
  // URL adds a trailing slash to a bare origin; keep the caller's spelling otherwise.
  const shown = url.endsWith('/') || parsed.pathname !== '/' || parsed.search ? text : text.replace(/\/$/, '')
  return credentials ? shown.replace('://', `://${MASK}@`) : shown
}
