import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { EtlError } from '../errors.js'
import { requireToken } from './action-token.js'
import type { DaemonContext } from './daemon-context.js'
import { backfillBody, startBackfill } from './backfill-action.js'
import { rerunTask, unknownTask } from './task-rerun.js'

const taskBody = z.object({ taskId: z.string().min(1) })
const scheduleBody = z.object({ schedule: z.string().min(1) })

/**
 * Actions that change state, each behind the token: re-enable a DISABLED task, forgive a FAILED one
 * (retry it now), rerun a task in a new worker process where it was registered from, start a backfill
 * of a family there, trigger a schedule now.
 */
export async function actionRoutes(app: FastifyInstance, context: DaemonContext): Promise<void> {
  app.addHook('preHandler', async (request) => requireToken(request, context.token, context.guard))

  for (const action of ['enable', 'forgive'] as const) {
    app.post(`/api/actions/${action}`, async (request) => {
      const { taskId } = parse(taskBody, request.body, action)
      const status = context.scheduler.act(action, taskId)
      if (status === undefined) throw unknownTask(taskId)
      context.logger.info(`action ${action} on ${taskId}: now ${status}`)
      return { result: { taskId, status } }
    })
  }

  app.post('/api/actions/rerun', async (request) => {
    const { taskId } = parse(taskBody, request.body, 'rerun')
    return { result: await rerunTask(context, taskId) }
  })

  app.post('/api/actions/backfill', async (request) => {
    const body = parse(backfillBody, request.body, 'backfill')
    return { result: await startBackfill(context, body) }
  })

  app.post('/api/actions/trigger', async (request) => {
    const { schedule } = parse(scheduleBody, request.body, 'trigger')
    if (!context.schedules) throw new EtlError('ETL_ERR_DAEMON_SCHEDULE_UNKNOWN', `there is no schedule named ${JSON.stringify(schedule)}`)
    const record = context.schedules.trigger(schedule)
    context.logger.info(`action trigger on schedule ${schedule}: run ${record.id} ${record.status}`)
    return { result: record }
  })
}

function parse<T>(schema: z.ZodType<T>, body: unknown, action: string): T {
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', `${action}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  return parsed.data
}
