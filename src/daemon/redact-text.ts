import { isSecretKey } from '../config/redact.js'

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi
const KEY_VALUE = /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,'"]+)/gi
const JSON_FIELD = /("(?:[^"\\]*(?:pass|secret|token|credential|private|key)[^"\\]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi

/**
 * Masks what looks like a secret in free text before the daemon shows or stores it: the password of a
 * connection URL, `password=...` pairs of connection strings, and secret-named JSON fields.
 *
 * ```ts
 * redactText('connect postgres://etl:hunter2@db/x failed') // 'connect postgres://etl:***@db/x failed'
 * ```
 */
export function redactText(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1:***@').replace(KEY_VALUE, '$1$2***').replace(JSON_FIELD, '$1"***"')
}

/** A task's parameters, safe to show: secret-named ones masked, the rest through `redactText`. */
export function redactParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const shown: Record<string, string> = {}
  for (const [name, value] of Object.entries(params)) shown[name] = isSecretKey(name) ? '***' : redactText(String(value))
  return shown
}
