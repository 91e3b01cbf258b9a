import type { FastifyInstance } from 'fastify'
import type { DaemonContext } from './daemon-context.js'
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from './prometheus-text.js'

/** `GET /metrics`: Prometheus text format. */
export async function metricsRoutes(app: FastifyInstance, context: DaemonContext): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    const families = context.metrics.collect(context.scheduler, context.history ? { historyPending: context.history.pending } : {})
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(formatPrometheus(families))
  })
}
