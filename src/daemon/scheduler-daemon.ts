import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { EtlConfig } from '../config/load-config.js'
import { EtlError } from '../errors.js'
import { CentralScheduler } from '../scheduler/central-scheduler.js'
import type { CentralSchedulerOptions } from '../scheduler/central-scheduler-options.js'
import { RPC_LIMIT_DEFAULTS, type RpcLimits } from '../scheduler/rpc-limits.js'
import { systemClock, type Clock } from '../util/clock.js'
import { silentLogger } from '../util/logger.js'
import { TOKEN_ENV } from './action-token.js'
import { daemonTokens, WORKER_TOKEN_ENV } from './daemon-tokens.js'
import { isLoopback } from './host-guard.js'
import { launchRun } from './schedules/run-launcher.js'
import { DaemonMetrics } from './daemon-metrics.js'
import type { HistoryConfig } from './history/history-client.js'
import { openRunHistory } from './history/open-run-history.js'
import type { RunHistory } from './history/run-history.js'
import type { RunLauncher } from './schedules/run-launcher.js'
import { ScheduleRunner } from './schedules/schedule-runner.js'
import { EventHub } from '../events/event-hub.js'
import { feedDaemonEvents } from './daemon-events.js'
import { notifyDaemonEvents } from './daemon-notifications.js'

/** How long closing the daemon waits for notifications still being sent. */
const SETTLE_MS = 10_000
import { buildServer } from './server.js'
import { schedulerStatePart } from './scheduler-state-part.js'
import { StateStore } from './state-store.js'

/** Where the daemon listens and keeps its state unless told otherwise. */
export const DAEMON_DEFAULTS = Object.freeze({ host: '127.0.0.1', port: 8082, stateDir: 'data/scheduler' })

/** How often worker timeouts, retries, pruning and compaction are looked at. */
const MAINTAIN_INTERVAL_MS = 1000

/**
 * Options of `startSchedulerDaemon`. Each one left out comes from the config's `scheduler` section,
 * then from the defaults; the CLI passes its flags here and its loaded config as `config`.
 */
export interface SchedulerDaemonOptions {
  /** Address to bind. @defaultValue '127.0.0.1' (this machine only) */
  host?: string
  /** Port to listen on; 0 picks a free one (see `port` on the result). @defaultValue 8082 */
  port?: number
  /** Folder of the state (snapshot, journal, lock) and the embedded history. @defaultValue 'data/scheduler' */
  stateDir?: string
  /** The loaded config: its `scheduler`, `schedules` and `resources` sections are used. */
  config?: EtlConfig
  /** The action token. @defaultValue `scheduler.token`, else the `ETL_SCHEDULER_TOKEN` environment variable */
  token?: string
  /** Listen on a non-loopback address without a token. @defaultValue `scheduler.insecure`, else false */
  insecure?: boolean
  /** Where the run history lives, or false for none. @defaultValue `scheduler.history`, else the embedded database */
  history?: HistoryConfig | false
  /** The command line of a scheduled run, before `run <Task> ...`. @defaultValue `scheduler.runCommand`, else node + the package's `bin/etl.js` */
  runCommand?: readonly string[]
  /** Starts scheduled runs (tests replace it). */
  launcher?: RunLauncher
  /** Scheduler tuning over the config's (timeouts, retry delay, disabling, remove delay). */
  scheduler?: Omit<CentralSchedulerOptions, 'journal' | 'listener' | 'clock'>
  logger?: Logger
  clock?: Clock
  env?: NodeJS.ProcessEnv
  /** @defaultValue the package's `web/` */
  webDir?: string
  /**
   * Starts from what is intact when a piece of the state is damaged or missing, rather than refusing
   * to start (`etl scheduler --recover`); what is lost is logged. @defaultValue false
   */
  recover?: boolean
  /** Where the daemon's own events go (a task disabled, a scheduled run missed). @defaultValue a new hub */
  events?: EventHub
}

/** A running daemon. */
export interface SchedulerDaemon {
  /** `http://<host>:<port>`, for workers' `--scheduler-url` and a browser. */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly stateDir: string
  readonly app: FastifyInstance
  readonly scheduler: CentralScheduler
  readonly history: RunHistory | undefined
  readonly schedules: ScheduleRunner
  /** The daemon's events, for handlers and notification channels. */
  readonly events: EventHub
  /** Stops listening, stops the schedules, writes a last snapshot and closes the history. */
  close(): Promise<void>
}

/**
 * Starts the central scheduler daemon: restores its state, listens for workers and browsers, runs its
 * schedules and keeps time-based state current. Resolves once it listens.
 *
 * ```ts
 * const daemon = await startSchedulerDaemon({ config: await loadConfig(), port: 8082 })
 * process.once('SIGTERM', () => void daemon.close())
 * ```
 */
export async function startSchedulerDaemon(options: SchedulerDaemonOptions = {}): Promise<SchedulerDaemon> {
  const section = options.config?.raw.scheduler ?? {}
  const env = options.env ?? process.env
  const logger = options.logger ?? silentLogger()
  const clock = options.clock ?? systemClock
  const host = options.host ?? section.host ?? DAEMON_DEFAULTS.host
  const port = options.port ?? section.port ?? DAEMON_DEFAULTS.port
  const stateDir = path.resolve(options.stateDir ?? section.stateDir ?? DAEMON_DEFAULTS.stateDir)
  const tokens = daemonTokens(section, env, { action: options.token })
  const token = tokens.action
  if (!isLoopback(host) && tokens.worker === undefined && !(options.insecure ?? section.insecure ?? false)) {
    throw new EtlError(
      'ETL_ERR_DAEMON_INSECURE',
      `refusing to listen on ${host} without a token: anyone who reaches it could register, finish and fail tasks and see every task's details. ` +
        `Set ${TOKEN_ENV} (or scheduler.token, and optionally a separate scheduler.workerToken / ${WORKER_TOKEN_ENV}), or pass --insecure if the network itself is trusted`,
    )
  }
  const tls = section.tls ? readTls(section.tls) : undefined

  const scheduler = new CentralScheduler({ ...tuningFrom(section), resources: options.config?.resources ?? {}, ...options.scheduler, clock })
  const metrics = new DaemonMetrics()
  scheduler.onEvent(metrics.listener)
  const historyConfig = options.history ?? section.history ?? { type: 'embedded' as const }
  const opened = historyConfig === false ? undefined : openRunHistory(historyConfig, stateDir, logger)
  const history = opened?.history
  if (history) scheduler.onEvent(history.listener)

  let url = ''
  const store = new StateStore({ dir: stateDir, logger, canCompact: () => (history?.pending ?? 0) === 0, recover: options.recover ?? false })
  const schedules = new ScheduleRunner({
    schedules: options.config?.raw.schedules ?? [],
    runCommand: options.runCommand ?? section.runCommand ?? defaultRunCommand(),
    // The runs it starts are workers too: they get the worker token however the daemon got it.
    launcher: options.launcher ?? ((spec) => launchRun(spec, tokens.worker === undefined ? {} : { [WORKER_TOKEN_ENV]: tokens.worker })),
    schedulerUrl: () => url,
    record: (record) => {
      history?.recordScheduleRun(record)
      metrics.recordScheduleRun(record)
    },
    journal: store.journal('schedules'),
    clock,
    logger,
  })
  const events = options.events ?? new EventHub(logger)
  const closeNotifications = notifyDaemonEvents(events, options.config, logger)
  feedDaemonEvents(events, scheduler, schedules, (taskId) => (url ? `${url}/#/${taskId ? `task/${encodeURIComponent(taskId)}` : 'schedules'}` : undefined))
  store.register('scheduler', schedulerStatePart(scheduler))
  store.register('schedules', schedules)
  let recovery: ReturnType<StateStore['open']>
  try {
    recovery = store.open()
  } catch (error) {
    await history?.close().catch(() => {})
    throw error
  }
  scheduler.setJournal(store.journal('scheduler'))

  let app: FastifyInstance
  try {
    app = await buildServer({
      scheduler,
      history,
      schedules,
      token,
      workerToken: tokens.worker,
      allowedHosts: section.allowedHosts ?? [],
      bindHost: host,
      tls,
      metrics,
      limits: limitsFrom(section),
      clock,
      logger,
      info: { history: opened?.description ?? 'off', stateDir },
      ...(options.webDir ? { webDir: options.webDir } : {}),
    })
    await app.listen({ host, port })
  } catch (error) {
    store.close()
    await history?.close().catch(() => {})
    const code = (error as NodeJS.ErrnoException).code
    const hint = code === 'EADDRINUSE' ? `port ${port} is in use: is a daemon already running? pick another with --port` : (error as Error).message
    throw new EtlError('ETL_ERR_DAEMON_LISTEN_FAILED', `the scheduler daemon cannot listen on ${host}:${port}: ${hint}`, { cause: error })
  }
  const address = app.server.address()
  const boundPort = typeof address === 'object' && address ? address.port : port
  url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`

  const timer = setInterval(() => {
    try {
      scheduler.maintain()
      store.maybeCompact()
    } catch (error) {
      logger.error({ err: error }, 'scheduler maintenance failed')
    }
  }, MAINTAIN_INTERVAL_MS)
  timer.unref()
  schedules.start()

  const tasks = [...scheduler.allTasks()].length
  logger.info(
    `scheduler daemon at ${url} (state in ${stateDir}: ${recovery.fromSnapshot ? `restored ${tasks} tasks, replayed ${recovery.replayed} changes` : 'new'}${recovery.lost.length > 0 ? `, recovered with ${recovery.lost.length} piece(s) lost (see the warnings above)` : ''}; history: ${opened?.description ?? 'off'}; ` +
      `actions ${token ? 'need the token' : `disabled (no token: set ${TOKEN_ENV})`}; workers ${tokens.worker ? 'need the worker token' : 'need no token'})`,
  )
  if (!isLoopback(host) && tokens.worker === undefined) {
    logger.warn(`the daemon listens on ${host} without a token (--insecure): anyone who reaches it can register, finish and fail tasks and see task details; keep it behind a firewall`)
  }

  let closing: Promise<void> | undefined
  return {
    url,
    host,
    port: boundPort,
    stateDir,
    app,
    scheduler,
    history,
    schedules,
    events,
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer)
        schedules.stop()
        await app.close()
        await events.settle(SETTLE_MS)
        await closeNotifications(SETTLE_MS)
        await history?.flush()
        store.close()
        await history?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the run history failed'))
      })()),
  }
}

function tuningFrom(section: NonNullable<EtlConfig['raw']['scheduler']>): CentralSchedulerOptions {
  const tuning: CentralSchedulerOptions = {}
  if (section.workerTimeoutMs !== undefined) tuning.workerTimeoutMs = section.workerTimeoutMs
  if (section.retryDelayMs !== undefined) tuning.retryDelayMs = section.retryDelayMs
  if (section.disableAfterFailures !== undefined) tuning.disableAfterFailures = section.disableAfterFailures
  if (section.disableWindowMs !== undefined) tuning.disableWindowMs = section.disableWindowMs
  if (section.removeDelayMs !== undefined) tuning.removeDelayMs = section.removeDelayMs
  if (section.logTailLines !== undefined) tuning.logTailLines = section.logTailLines
  return tuning
}

/** The request limits the config's `scheduler` section sets; the rest keep their defaults. */
function limitsFrom(section: NonNullable<EtlConfig['raw']['scheduler']>): Partial<RpcLimits> {
  const limits: Partial<RpcLimits> = {}
  for (const name of Object.keys(RPC_LIMIT_DEFAULTS) as (keyof RpcLimits)[]) {
    const value = section[name]
    if (value !== undefined) limits[name] = value
  }
  return limits
}

/** `node <package>/bin/etl.js`: the package's own CLI, whichever folder the daemon was started in. */
export function defaultRunCommand(): string[] {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let up = 0; up < 5; up++) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'etl') {
      return [process.execPath, path.join(dir, 'bin', 'etl.js')]
    }
    dir = path.dirname(dir)
  }
  return [process.execPath, 'bin/etl.js']
}

/** The TLS key and certificate files, read at start: a missing one stops the daemon with its path. */
function readTls(files: { key: string; cert: string }): { key: Buffer; cert: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file)
    } catch (error) {
      throw new EtlError('ETL_ERR_CONFIG_INVALID', `cannot read the TLS ${what} ${file} (scheduler.tls.${what}): ${(error as Error).message}`, { cause: error })
    }
  }
  return { key: read(files.key, 'key'), cert: read(files.cert, 'cert') }
}
