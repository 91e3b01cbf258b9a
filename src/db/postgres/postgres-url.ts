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
  const sslmode = parsed.searchParams.get('sslmode')
  return {
    dialect: 'postgres',
    database: database || 'postgres',
    ...(parsed.hostname ? { host: decodeURIComponent(parsed.hostname) } : {}),
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(sslmode && sslmode !== 'disable' && sslmode !== 'prefer' && sslmode !== 'allow' ? { ssl: true } : {}),
  }
}
