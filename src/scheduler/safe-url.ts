import { isSecretKey } from '../config/redact.js'

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
    return url.replace(/\/\/[^/@\s]*@/, '//***@')
  }
  const credentials = parsed.username || parsed.password
  parsed.username = ''
  parsed.password = ''
  // `api_key` and `api-key` are spelled as often as `apikey`.
  for (const key of [...parsed.searchParams.keys()]) if (isSecretKey(key.replace(/[-_]/g, ''))) parsed.searchParams.set(key, '***')
  const text = parsed.toString().replace(/%2A%2A%2A/g, '***')
  // URL adds a trailing slash to a bare origin; keep the caller's spelling otherwise.
  const shown = url.endsWith('/') || parsed.pathname !== '/' || parsed.search ? text : text.replace(/\/$/, '')
  return credentials ? shown.replace('://', '://***@') : shown
}
