import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import type { Logger } from 'pino'
import { EtlError, httpStatusOf } from '../errors.js'
import type { CentralScheduler } from '../scheduler/central-scheduler.js'
import { RPC_LIMIT_DEFAULTS, type RpcLimits } from '../scheduler/rpc-limits.js'
import { systemClock, type Clock } from '../util/clock.js'
import { lazyImport } from '../util/lazy-import.js'
import { silentLogger } from '../util/logger.js'
import { actionRoutes } from './action-routes.js'
import { apiRoutes } from './api-routes.js'
import type { DaemonContext } from './daemon-context.js'
import { DaemonMetrics } from './daemon-metrics.js'
import type { RunHistory } from './history/run-history.js'
import { metricsRoutes } from './metrics-routes.js'
import type { ScheduleRunner } from './schedules/schedule-runner.js'
import { defaultWebDir, staticRoutes } from './static-routes.js'
import { noteTaskRun } from './task-launches.js'
import { hostGuard, type AllowedHosts } from './host-guard.js'
import { TokenGuard } from './token-guard.js'
import { parseJsonBody } from './json-body-parser.js'
import { bodyTooLarge } from './request-limits.js'
import { uiRoutes } from './ui-routes.js'
import { installedVersion } from '../util/installed-version.js'

/** What `buildServer` serves. */
export interface ServerOptions {
  scheduler: CentralScheduler
  history?: RunHistory | undefined
  /** Starts runs for schedules and reruns; the start and end of each rerun is filed on its task. */
  schedules?: ScheduleRunner | undefined
  /** The action token; without one every state-changing action is refused (and the UI says so). */
  token?: string | undefined
  /** The token every worker call must carry. @defaultValue none: any caller may call (keep the daemon on loopback) */
  workerToken?: string | undefined
  /** Host names answered besides IP addresses, `localhost` and this machine's (see `hostGuard`). @defaultValue none */
  allowedHosts?: AllowedHosts
  /** The address the server binds, a name it answers to. @defaultValue '127.0.0.1' */
  bindHost?: string
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer } | undefined
  /** @defaultValue the package's `web/` folder */
  webDir?: string
  /** Counts attempts as they end; pass one already listening to the scheduler, or one is made and attached. */
  metrics?: DaemonMetrics
  /** What one worker call may carry; each one left out has its default. */
  limits?: Partial<RpcLimits>
  clock?: Clock
  logger?: Logger
  /** The state folder and a safe description of the history database, for the UI's about line. */
  info?: { history?: string; stateDir?: string }
}

/** fastify, loaded when a server is built rather than by importing `etl`. */
const loadFastify = lazyImport(() => import('fastify'))

/** Every page of the UI is served from this origin and runs only its own scripts. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')


/** Bodies of the UI's actions are a task id or a schedule name. */
const UI_BODY_LIMIT = 1024 * 1024
/**
 * Characters of one path segment: a task id (up to 2,000 characters) percent-encoded, for the UI's
 * task and graph pages. The web framework's default, 100, made longer ids answer 414.
 */
const MAX_PARAM_LENGTH = 8192

/**
 * The daemon's HTTP server, built but not listening (tests call `app.inject()`): the workers' API,
 * the UI's JSON and static files, token-guarded actions and `/metrics`.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { default: Fastify, LogController } = await loadFastify()
  const logger = options.logger ?? silentLogger()
  let metrics = options.metrics
  if (!metrics) {
    metrics = new DaemonMetrics()
    options.scheduler.onEvent(metrics.listener)
  }
  const context: DaemonContext = {
    scheduler: options.scheduler,
    history: options.history,
    schedules: options.schedules,
    token: options.token,
    workerToken: options.workerToken,
    guard: new TokenGuard({ logger, ...(options.clock ? { clock: options.clock } : {}) }),
    metrics,
    limits: { ...RPC_LIMIT_DEFAULTS, ...options.limits },
    clock: options.clock ?? systemClock,
    logger,
    info: { version: PACKAGE_VERSION, history: options.info?.history ?? (options.history ? 'on' : 'off'), stateDir: options.info?.stateDir },
  }
  // A rerun's start and end, reported by the runner, go on the task, where its page shows them.
  options.schedules?.onRecord((record) => noteTaskRun(options.scheduler, record))
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: UI_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    return503OnClosing: true,
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
    // Addresses the router cannot read answer in the daemon's own shape, saying why.
    frameworkErrors: (error, request, reply) => {
      const path = request.url.split('?', 1)[0]!.slice(0, 200)
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? `${path}…: a part of this address is longer than ${MAX_PARAM_LENGTH} characters, and no task or run id is that long`
          : `${path}: this address does not decode (a % that starts no valid escape); encode ids with encodeURIComponent`
      const status: number = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400
      return (reply as FastifyReply).code(status).send({ error: { code: 'ETL_ERR_DAEMON_BAD_REQUEST', message } })
    },
  })

  const knownHost = hostGuard(options.allowedHosts ?? [], options.bindHost ?? '127.0.0.1')
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host
    if (knownHost(host)) return
    throw new EtlError(
      'ETL_ERR_DAEMON_HOST_REFUSED',
      `this daemon does not answer to the host name in ${JSON.stringify(host ?? '')} (a web page that points a name of its own at this address would: DNS rebinding); if you reach it by that name, add it to scheduler.allowedHosts`,
    )
  })
  // The daemon's own JSON reader: bounded nesting, no __proto__, nothing Postgres cannot store, and
  // messages that say which (the framework's says "not valid JSON" for all of them).
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string))
    } catch (error) {
      done(error as Error, undefined)
    }
  })

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY)
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'no-referrer')
    reply.header('x-frame-options', 'DENY')
    return payload
  })

  app.setErrorHandler((error: FastifyError | EtlError, request, reply) => {
    if (error instanceof EtlError) {
      return reply.code(httpStatusOf(error)).send({ error: { code: error.code, message: error.message } })
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const refusal = bodyTooLarge(request, context.limits)
      return reply.code(413).send({ error: { code: refusal.code, message: refusal.message } })
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status < 500) return reply.code(status).send({ error: { code: error.code ?? 'ETL_ERR_DAEMON_BAD_REQUEST', message: error.message } })
    logger.error({ err: error, url: request.url }, 'the daemon failed to answer a request')
    return reply.code(500).send({ error: { code: 'ETL_ERR_DAEMON_INTERNAL', message: 'the daemon failed to answer; see its log' } })
  })

  app.setNotFoundHandler((request, reply) => {
    const message = `nothing at ${request.method} ${request.url.split('?', 1)[0]}`
    return reply.code(404).send({ error: { code: 'ETL_ERR_DAEMON_NOT_FOUND', message } })
  })

  await app.register(apiRoutes, context)
  await app.register(uiRoutes, context)
  await app.register(actionRoutes, context)
  await app.register(metricsRoutes, context)
  await app.register(staticRoutes, { webDir: options.webDir ?? defaultWebDir() })
  return app
}

/** Shown on the UI; read once from the package. */
const PACKAGE_VERSION: string = installedVersion('etl')
