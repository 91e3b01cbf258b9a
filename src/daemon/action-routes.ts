import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { EtlError } from '../errors.js'
import { requireToken } from './action-token.js'
import type { DaemonContext } from './daemon-context.js'

const taskBody = z.object({ taskId: z.string().min(1) })
const scheduleBody = z.object({ schedule: z.string().min(1) })

/**
 * Actions that change state, each behind the token: re-enable a DISABLED task, forgive a FAILED one
 * (retry it now), rerun a task in a new worker process, trigger a schedule now.
 */
export async function actionRoutes(app: FastifyInstance, context: DaemonContext): Promise<void> {
  app.addHook('preHandler', async (request) => requireToken(request, context.token))

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
    const state = context.scheduler.task(taskId)
    if (!state?.known) throw unknownTask(taskId)
    if (!context.schedules) throw new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', 'rerun needs the daemon to start runs, and this one was started without schedules support')
    // A task that failed is forgiven first, so the new run's worker finds it ready rather than blocked.
    if (state.status === 'FAILED') context.scheduler.act('forgive', taskId)
    if (state.status === 'DISABLED') context.scheduler.act('enable', taskId)
    const record = context.schedules.runTask(state.family, { ...state.params })
    context.logger.info(`action rerun on ${taskId}: run ${record.id} ${record.status}`)
    return { result: record }
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

function unknownTask(taskId: string): EtlError {
  return new EtlError('ETL_ERR_DAEMON_NOT_FOUND', `the scheduler does not know the task ${JSON.stringify(taskId)} (it may have been forgotten after its remove delay)`)
}
