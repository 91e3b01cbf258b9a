import { z } from 'zod'
import { field } from '../config/schema-helpers.js'
import { pausedCron } from './schedules/cron.js'

const historySchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('embedded'), dir: field.string().optional() }),
    z.strictObject({
      type: z.literal('postgres'),
      url: field.string(),
      schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: 'expected a plain SQL name: letters, digits and _' }).optional(),
    }),
  ],
  { error: 'expected {"type": "embedded"} or {"type": "postgres", "url": "postgres://..."}' },
)

/**
 * The config's `scheduler` section: where the daemon listens and keeps its state, how it treats
 * workers and failures, its action token, its run history, and how workers reach it.
 */
export const schedulerConfigSchema = z.strictObject({
  /** Address the daemon binds. @defaultValue '127.0.0.1' */
  host: field.string().optional(),
  /** @defaultValue 8082 */
  port: field.port().optional(),
  /** Where workers find the daemon (`etl run` without `--local-scheduler`). @defaultValue `http://127.0.0.1:8082` */
  url: z.url({ error: 'expected an http:// or https:// URL' }).optional(),
  /** Folder of the daemon's state and embedded history. @defaultValue 'data/scheduler' */
  stateDir: field.string().optional(),
  /** Token for actions that change state from the UI; better `${ETL_SCHEDULER_TOKEN}` or the env variable itself. At least 16 characters. */
  token: field.string().optional(),
  /**
   * Token every worker call must carry (workers read it from here or `ETL_WORKER_TOKEN`).
   * @defaultValue the action token: one secret secures both
   */
  workerToken: field.string().optional(),
  /**
   * Host names the daemon answers to besides IP addresses, `localhost` and this machine's name
   * (`.example.com` allows every name under it); `true` answers to any, giving up the defence
   * against DNS rebinding. @defaultValue []
   */
  allowedHosts: z.union([z.literal(true), z.array(field.string())], { error: 'expected a list of host names, or true' }).optional(),
  /** Serve HTTPS: PEM files of the key and the certificate. */
  tls: z.strictObject({ key: field.string(), cert: field.string() }).optional(),
  /** For workers of an `https://` daemon whose certificate a private CA signed: that CA's PEM file (or set `NODE_EXTRA_CA_CERTS`). */
  caFile: field.string().optional(),
  /** Listen on a non-loopback address without a token (anyone who reaches it can register and finish tasks). @defaultValue false */
  insecure: z.boolean().optional(),
  workerTimeoutMs: field.positiveInt().optional(),
  retryDelayMs: field.nonNegativeInt().optional(),
  disableAfterFailures: field.positiveInt().optional(),
  disableWindowMs: field.positiveInt().optional(),
  removeDelayMs: field.positiveInt().optional(),
  logTailLines: field.positiveInt().optional(),
  /** Workers' tries per call to the daemon, and the wait between tries: how long a restart is ridden out. @defaultValue 20, 3000 */
  rpcRetryAttempts: field.positiveInt().optional(),
  rpcRetryWaitMs: field.nonNegativeInt().optional(),
  /**
   * The same, until the daemon has answered once: a run that never reached it gives up after these,
   * with exit code 5. Never more than the two above. @defaultValue 5, 2000
   */
  rpcConnectAttempts: field.positiveInt().optional(),
  rpcConnectRetryWaitMs: field.nonNegativeInt().optional(),
  history: historySchema.optional(),
  /** Bytes in one request from a worker; a larger one is refused (HTTP 413) before it is read. @defaultValue 16777216 (16 MiB) */
  maxRequestBytes: field.positiveInt().optional(),
  /** Tasks registered plus the dependencies they name, per `addTasks` call (workers send 2,000 at most); ids per `taskStatuses` call. @defaultValue 500000 */
  maxTasksPerCall: field.positiveInt().optional(),
  /** Characters in one task parameter's name or value. @defaultValue 16384 */
  maxParamChars: field.positiveInt().optional(),
  /** Characters in an error's message, and in its stack (workers cut theirs to 8,000 and 16,000). @defaultValue 65536 */
  maxErrorChars: field.positiveInt().optional(),
  /** Bytes of a task's result as JSON (workers replace a larger one with a note). @defaultValue 1048576 (1 MiB) */
  maxResultBytes: field.positiveInt().optional(),
  /**
   * The command line a scheduled run starts, before `run <Task> --<param> <value>... --scheduler-url <url>`.
   * @defaultValue `["<node>", "<package>/bin/etl.js"]`
   */
  runCommand: z.array(field.string()).min(1, { error: 'expected at least the program to start' }).optional(),
})

export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>

const scheduleSchema = z.strictObject({
  /** Unique; names the schedule in the UI, the history and the trigger action. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'expected 1-64 letters, digits, _ . or -' }),
  /** Five fields (minute precision) or six (with seconds first), as croner reads them. */
  cron: field.string().refine(isCron, { error: 'expected a cron expression such as "0 2 * * *"' }),
  /** The task family to run. */
  task: field.string(),
  /** Parameter values, as on the command line. */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), { error: 'expected an object of parameter values' }).optional(),
  /** IANA time zone of the cron expression. @defaultValue the daemon's */
  timezone: field.string().optional(),
  /** Tasks the run's worker runs at once. */
  workers: field.positiveInt().optional(),
  /** @defaultValue true */
  enabled: field.bool().optional(),
})

/** The config's `schedules`: runs the daemon starts itself, like a crontab. */
export const schedulesConfigSchema = z
  .array(scheduleSchema)
  .refine((schedules) => new Set(schedules.map((schedule) => schedule.name)).size === schedules.length, { error: 'expected every schedule to have its own name' })

export type ScheduleConfig = z.infer<typeof scheduleSchema>

function isCron(pattern: string): boolean {
  try {
    pausedCron(pattern)
    return true
  } catch {
    return false
  }
}
