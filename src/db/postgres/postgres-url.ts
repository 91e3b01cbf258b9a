import { EtlError } from '../../errors.js'
import type { PostgresConnectionConfig } from './postgres-config.js'

/**
 * A connection string (`postgres://user:password@host:5432/db?sslmode=require`) as a connection
 * config, for settings given as one URL. The error never repeats the URL: it may hold a password.
 */
export function postgresConfigFromUrl(url: string, setting: string): PostgresConnectionConfig {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new EtlError('ETL_ERR_CONFIG_INVALID', `${setting} is not a URL; expected postgres://user:password@host:5432/database`)
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new EtlError('ETL_ERR_CONFIG_INVALID', `${setting} starts with "${parsed.protocol}//"; expected postgres://user:password@host:5432/database`)
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  for (const name of parsed.searchParams.keys()) {
    if (!SUPPORTED_PARAMETERS.includes(name)) {
      throw new EtlError('ETL_ERR_CONFIG_INVALID', `${setting} has the parameter "${name}", which is not supported here; supported: ${SUPPORTED_PARAMETERS.join(', ')}. Remove it`)
    }
  }
  // A socket folder (`?host=/var/run/postgresql`) as libpq and pg take it.
  const host = parsed.searchParams.get('host') ?? (parsed.hostname ? decodeURIComponent(parsed.hostname) : undefined)
  return {
    dialect: 'postgres',
    database: database || 'postgres',
    ...(host ? { host } : {}),
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(sslFor(parsed.searchParams.get('sslmode'), setting) ? { ssl: true } : {}),
  }
}

const SUPPORTED_PARAMETERS = ['sslmode', 'host']

/**
 * Whether `sslmode` asks for TLS, as pg read it: `prefer` and `require` connect with TLS (and check
 * the certificate, as every connection here does), `disable` without. A mode this connection cannot
 * honour is refused rather than quietly changed.
 */
function sslFor(sslmode: string | null, setting: string): boolean {
  if (sslmode === null || sslmode === 'disable') return false
  if (['prefer', 'require', 'verify-ca', 'verify-full'].includes(sslmode)) return true
  throw new EtlError(
    'ETL_ERR_CONFIG_INVALID',
    `${setting} has sslmode=${sslmode}, which is not supported here; use sslmode=disable, prefer, require, verify-ca or verify-full (certificates are always checked)`,
  )
}
