import type { FastifyInstance, FastifyRequest } from 'fastify'
import { EtlError } from '../errors.js'
import { RPC_PATH_PREFIX, WORKER_HEADERS } from '../scheduler/rpc-protocol.js'
import { redactText } from '../util/redact.js'
import { RPC_METHODS } from '../scheduler/scheduler.js'
import type { WorkerMeta } from '../scheduler/worker-registry.js'
import type { DaemonContext } from './daemon-context.js'
import { checkRequestLimits } from './request-limits.js'
import { redactRequest } from './request-redaction.js'
import { RPC_SCHEMAS } from './rpc-schemas.js'

/**
 * The workers' API: `POST /api/<method>` for each of `RPC_METHODS`, so the client and the server
 * expose exactly the `Scheduler` interface. Each body is checked against its schema and the daemon's
 * limits, and its secrets masked, before anything of it reaches the state machine.
 */
export async function apiRoutes(app: FastifyInstance, context: DaemonContext): Promise<void> {
  // With a token configured, a call without it changes nothing and learns nothing. (The hook covers
  // this plugin's routes only: the UI's reads and actions are plugins of their own.)
  const { workerToken } = context
  if (workerToken !== undefined) app.addHook('preHandler', (request) => context.guard.check(request, workerToken, 'worker'))
  for (const method of RPC_METHODS) {
    const schema = RPC_SCHEMAS[method]
    app.post(`${RPC_PATH_PREFIX}${method}`, { bodyLimit: context.limits.maxRequestBytes }, async (request) => {
      const parsed = schema.safeParse(request.body)
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
        throw new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', `${method}: the request is malformed: ${issues.join('; ')}`)
      }
      checkRequestLimits(method, parsed.data as Record<string, unknown>, context.limits)
      const body = redactRequest(method, parsed.data as Record<string, unknown>)
      if (typeof body.workerId === 'string') context.scheduler.touchWorker(body.workerId, workerMeta(request))
      const call = context.scheduler[method] as (request: unknown) => Promise<unknown>
      const result = await call.call(context.scheduler, body)
      return { result: result ?? null }
    })
  }
}

function workerMeta(request: FastifyRequest): WorkerMeta {
  const header = (name: string) => {
    const value = request.headers[name]
    if (typeof value !== 'string' || value.length === 0) return undefined
    try {
      return decodeURIComponent(value).slice(0, 500)
    } catch {
      return value.slice(0, 500)
    }
  }
  const pid = Number(header(WORKER_HEADERS.pid))
  const meta: WorkerMeta = {}
  const host = header(WORKER_HEADERS.host)
  const runId = header(WORKER_HEADERS.runId)
  const runLabel = header(WORKER_HEADERS.runLabel)
  if (host) meta.host = host
  if (Number.isInteger(pid)) meta.pid = pid
  if (runId) meta.runId = runId
  if (runLabel) meta.runLabel = redactText(runLabel)
  return meta
}
