import { z } from 'zod'
import { field } from '../../config/schema-helpers.js'

/**
 * A MySQL or MariaDB server connection in `etl.config.json`.
 *
 * ```json
 * "source": { "dialect": "mysql", "host": "orders-db", "database": "shop", "user": "etl", "password": "${MYSQL_PASSWORD}" }
 * ```
 */
export const mysqlConnectionSchema = z.strictObject({
  dialect: z.literal('mysql'),
  /** @defaultValue '127.0.0.1' */
  host: field.string().optional(),
  /** @defaultValue 3306 */
  port: field.port().optional(),
  /** @defaultValue 'root' */
  user: field.string().optional(),
  /** Give it as a `${ENV}` reference; it never reaches a log line or an error message. */
  password: z.string({ error: 'expected a string (use a ${ENV} reference)' }).optional(),
  database: field.string(),
  /** Connections kept open at most. @defaultValue 4 */
  poolSize: field.positiveInt().optional(),
  /** How long to wait for a connection before giving up. @defaultValue 10000 */
  connectTimeoutMs: field.positiveInt().optional(),
})

export type MysqlConnectionConfig = z.infer<typeof mysqlConnectionSchema>
