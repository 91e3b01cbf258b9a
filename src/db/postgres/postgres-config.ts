import { z } from 'zod'
import { field } from '../../config/schema-helpers.js'

/**
 * A PostgreSQL server connection in `etl.config.json`.
 *
 * ```json
 * "warehouse": { "dialect": "postgres", "host": "db.internal", "database": "dw", "user": "etl", "password": "${DW_PASSWORD}" }
 * ```
 */
export const postgresConnectionSchema = z.strictObject({
  dialect: z.literal('postgres'),
  /** @defaultValue '127.0.0.1' */
  host: field.string().optional(),
  /** @defaultValue 5432 */
  port: field.port().optional(),
  /** @defaultValue 'postgres' */
  user: field.string().optional(),
  /** Give it as a `${ENV}` reference; it never reaches a log line or an error message. */
  password: z.string({ error: 'expected a string (use a ${ENV} reference)' }).optional(),
  database: field.string(),
  /** The schema unqualified names resolve to (the session's `search_path`). @defaultValue the server's default */
  schema: field.string().optional(),
  /** Connect over TLS. @defaultValue false */
  ssl: field.bool().optional(),
  /** Connections kept open at most. @defaultValue 4 */
  poolSize: field.positiveInt().optional(),
  /** How long to wait for a connection before giving up. @defaultValue 10000 */
  connectTimeoutMs: field.positiveInt().optional(),
})

export type PostgresConnectionConfig = z.infer<typeof postgresConnectionSchema>
