import { z } from 'zod'
import { LOG_FORMATS, LOG_LEVELS } from '../util/logger.js'
import { field } from './schema-helpers.js'
import { connectionsSchema } from '../db/connection-config.js'
import { lakeSchema } from '../lake/lake-config.js'
import { schedulerConfigSchema, schedulesConfigSchema } from '../daemon/daemon-config-schema.js'
import { notificationsSchema } from '../notifications/notifications-schema.js'

const retrySchema = z.strictObject({
  count: field.nonNegativeInt().optional(),
  delayMs: field.nonNegativeInt().optional(),
  backoff: field.number(1).optional(),
  maxDelayMs: field.nonNegativeInt().optional(),
})

const logSchema = z.strictObject({
  level: field.oneOf(LOG_LEVELS).optional(),
  format: field.oneOf(LOG_FORMATS).optional(),
})

/**
 * `etl.config.json`, as validated at start. Every section is optional; unknown keys are errors, so a
 * typo never silently falls back to a default.
 */
export const configSchema = z.strictObject({
  /** Tasks run at once by `etl run`. */
  workers: field.positiveInt().optional(),
  /** Folder of output markers. */
  outputDir: field.string().optional(),
  /** Folder of per-item completion markers. */
  completedDir: field.string().optional(),
  /** Folder of run locks. @defaultValue the system temp folder */
  lockDir: field.string().optional(),
  /** Default retry policy for every task. */
  retry: retrySchema.optional(),
  /** Capacity of named resources: `{ "mysql": 2 }`. */
  resources: z.record(z.string(), field.positiveInt()).optional(),
  log: logSchema.optional(),
  /** Per-task parameter values: `{ "LoadOrders": { "date": "2024-01-31" } }`. */
  tasks: z.record(z.string(), z.record(z.string(), z.unknown(), { error: 'expected an object of parameter values' })).optional(),
  /** Named database connections: `{ "source": { "dialect": "mysql", ... }, "warehouse": { ... } }`. @defaultValue embedded PGlite `source` and `warehouse` under `data/` */
  connections: connectionsSchema.optional(),
  /** Where extracts land: `{ "type": "local", "path": "lake" }` or `{ "type": "s3", "bucket": ... }`. @defaultValue the folder `lake/` */
  lake: lakeSchema.optional(),
  /** The central scheduler daemon (`etl scheduler`) and how workers reach it. */
  scheduler: schedulerConfigSchema.optional(),
  /** Runs the daemon starts on a cron schedule: `[{ "name": "nightly", "cron": "0 2 * * *", "task": "RunJob" }]`. */
  schedules: schedulesConfigSchema.optional(),
  /** Channels told of run events: `[{ "on": ["failure"], "webhook": { "url": "https://hooks.example/etl" } }]`. */
  notifications: notificationsSchema.optional(),
})

export type ConfigFile = z.infer<typeof configSchema>
