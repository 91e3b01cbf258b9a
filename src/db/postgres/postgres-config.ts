import { z } from 'zod'
import { field } from '../../config/schema-helpers.js'

/** A server setting's name: what `-c name=value` can carry without quoting. */
const SETTING_NAME = /^[a-z_][a-z0-9_.]*$/

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
  /**
   * Server settings for every session of this connection, as `-c` options at connect
   * (`{ "work_mem": "256MB" }`): a warehouse load's large aggregates and joins stay in memory
   * rather than spilling to disk at the server's default of 4MB. @defaultValue the server's own
   */
  settings: z
    .record(z.string(), z.union([z.string(), z.number()], { error: 'expected a string or a number, e.g. "256MB"' }))
    .superRefine((settings, ctx) => {
      for (const name of Object.keys(settings)) {
        if (!SETTING_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], input: name, message: 'expected a setting name such as work_mem (lower case letters, digits, _ and .)' })
      }
    })
    .optional(),
  /** Connect over TLS. @defaultValue false */
  ssl: field.bool().optional(),
  /** Connections kept open at most. @defaultValue 4 */
  poolSize: field.positiveInt().optional(),
  /** How long to wait for a connection before giving up. @defaultValue 10000 */
  connectTimeoutMs: field.positiveInt().optional(),
})

export type PostgresConnectionConfig = z.infer<typeof postgresConnectionSchema>
