/** Keys whose values are secrets wherever they appear in a config. */
const SECRET_KEY = /pass(word)?|secret|token|credential|private|(access|secret)_?key|apikey/i

/** True for a config key whose value must never be shown. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key)
}

/** A deep copy of `value` with every secret-looking field replaced, safe to log or show. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) && item !== undefined ? '***' : redactSecrets(item)]),
  ) as T
}

/** `scheme://user:password@host` with the password masked, wherever such a URL appears in `text`. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+:)[^@\s"]+@/gi, '$1***@')
}
