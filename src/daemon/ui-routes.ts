import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { EtlError } from '../errors.js'
import type { TaskState } from '../scheduler/task-state.js'
import { TASK_STATUSES } from '../scheduler/task-status.js'
import type { DaemonContext } from './daemon-context.js'
import { redactParams, redactText } from '../util/redact.js'
import { neighbourhood } from './task-graph.js'
import { groupByDateParameter } from './task-groups.js'
import { launchView } from './task-launches.js'
import { countTasks, durationOf, MAX_PAGE, queryTasks, rowOf, TASK_SORTS } from './task-query.js'

/** Dependencies and dependents listed on a task's page; the graph view shows the shape beyond. */
const MAX_LISTED_NEIGHBOURS = 200
/** Attempts of one run drawn on its timeline. */
const MAX_TIMELINE_ATTEMPTS = 5000

const list = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .optional()
    .transform((text) => (text ? text.split(',').filter(Boolean) : []))
    .pipe(z.array(z.enum(values)))

const tasksQuery = z.object({
  status: list(TASK_STATUSES),
  family: z
    .string()
    .optional()
    .transform((text) => (text ? text.split(',').filter(Boolean) : [])),
  q: z.string().max(500).optional(),
  sort: z.enum(TASK_SORTS).optional(),
  desc: z.enum(['0', '1']).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
})

const groupsQuery = z.object({ family: z.string().min(1).max(200).optional() })

const pageQuery = z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(50) })

/**
 * The read-only JSON the web UI is built from. Everything leaves here with secrets masked: what workers
 * sent was masked when the daemon received it (the run history masks rows older daemons wrote), and
 * the rest (where a task came from, the config's schedules) is masked here. The page itself only ever
 * puts it into the document as text.
 */
export async function uiRoutes(app: FastifyInstance, context: DaemonContext): Promise<void> {
  const { scheduler } = context

  app.get('/api/ui/summary', async () => {
    const counts = countTasks(scheduler.allTasks())
    let activeWorkers = 0
    for (const worker of scheduler.workers()) if (worker.state === 'active') activeWorkers += 1
    return {
      now: context.clock.now(),
      counts: counts.byStatus,
      total: counts.total,
      families: counts.families,
      activeWorkers,
      actionsEnabled: context.token !== undefined,
      schedules: context.schedules?.list().length ?? 0,
      info: context.info,
    }
  })

  app.get('/api/ui/tasks', async (request) => {
    const query = parseQuery(tasksQuery, request.query)
    return queryTasks(
      scheduler.allTasks(),
      {
        statuses: query.status,
        families: query.family,
        ...(query.q !== undefined ? { search: query.q } : {}),
        ...(query.sort ? { sort: query.sort } : {}),
        descending: query.desc === '1',
        ...(query.offset !== undefined ? { offset: query.offset } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      },
      context.clock.now(),
    )
  })

  app.get('/api/ui/groups', async (request) => {
    const { family } = parseQuery(groupsQuery, request.query)
    return { actionsEnabled: context.token !== undefined, ...groupByDateParameter(scheduler.allTasks(), family) }
  })

  app.get<{ Params: { id: string } }>('/api/ui/tasks/:id', async (request) => {
    const id = request.params.id
    const state = scheduler.task(id)
    const attempts = context.history ? await context.history.attemptsOfTask(id, 20).catch(() => []) : []
    if (!state?.known) {
      if (attempts.length === 0) throw new EtlError('ETL_ERR_DAEMON_NOT_FOUND', `no task ${JSON.stringify(id)} in the scheduler or its history`)
      return { task: null, attempts }
    }
    const detail = taskDetail(state, (depId) => scheduler.task(depId), context.clock.now())
    return { task: { ...detail, launch: state.launch ? launchView(state.launch, scheduler) : null }, attempts }
  })

  app.get<{ Params: { id: string }; Querystring: { depth?: string } }>('/api/ui/graph/:id', async (request) => {
    const depth = Math.min(Math.max(Number(request.query.depth ?? 2) || 2, 1), 6)
    const graph = neighbourhood((id) => scheduler.task(id), request.params.id, depth)
    if (!graph) throw new EtlError('ETL_ERR_DAEMON_NOT_FOUND', `no task ${JSON.stringify(request.params.id)} in the scheduler`)
    return graph
  })

  app.get('/api/ui/workers', async () => {
    const running = new Map<string, string[]>()
    for (const state of scheduler.allTasks()) {
      if (state.status === 'RUNNING' && state.worker) running.set(state.worker, [...(running.get(state.worker) ?? []), state.id])
    }
    const workers = [...scheduler.workers()].map((worker) => ({ ...worker, running: running.get(worker.id) ?? [] }))
    workers.sort((a, b) => Number(b.state === 'active') - Number(a.state === 'active') || b.lastSeen - a.lastSeen)
    return { now: context.clock.now(), workerTimeoutMs: scheduler.options.workerTimeoutMs, workers, resources: scheduler.resourceUsage() }
  })

  app.get('/api/ui/runs', async (request) => {
    const { offset, limit } = parseQuery(pageQuery, request.query)
    if (!context.history) return { enabled: false, total: 0, runs: [] }
    const { runs, total } = await context.history.runs({ offset, limit })
    const counts = await context.history.attemptCounts(runs.map((run) => run.id))
    return { enabled: true, total, runs: runs.map((run) => ({ ...run, attempts: counts[run.id] ?? {} })) }
  })

  app.get<{ Params: { id: string } }>('/api/ui/runs/:id', async (request) => {
    if (!context.history) throw new EtlError('ETL_ERR_DAEMON_NOT_FOUND', 'the run history is off')
    const run = (await context.history.run(request.params.id)) ?? scheduler.run(request.params.id)
    if (!run) throw new EtlError('ETL_ERR_DAEMON_NOT_FOUND', `no run ${JSON.stringify(request.params.id)} in the history`)
    const attempts = await context.history.attemptsOfRun(run.id, MAX_TIMELINE_ATTEMPTS)
    return { run, attempts, truncated: attempts.length >= MAX_TIMELINE_ATTEMPTS, now: context.clock.now() }
  })

  app.get('/api/ui/schedules', async () => {
    const schedules = context.schedules?.list() ?? []
    const runs = context.history ? await context.history.scheduleRuns({ limit: 100 }) : []
    return {
      now: context.clock.now(),
      actionsEnabled: context.token !== undefined,
      schedules: schedules.map((schedule) => ({ ...schedule, params: redactParams(Object.fromEntries(Object.entries(schedule.params).map(([k, v]) => [k, String(v)]))) })),
      runs,
    }
  })
}

function taskDetail(state: Readonly<TaskState>, lookup: (id: string) => Readonly<TaskState> | undefined, now: number) {
  const neighbour = (id: string) => {
    const other = lookup(id)
    return { id, family: other?.family ?? id, status: other?.known ? other.status : 'UNKNOWN' }
  }
  return {
    ...rowOf(state, now),
    kind: state.kind,
    params: state.params,
    priority: state.priority,
    resources: state.resources,
    addedAt: state.addedAt,
    durationMs: durationOf(state, now),
    attempts: state.attempts,
    retryAt: state.status === 'FAILED' ? (state.retryAt ?? null) : null,
    recentFailures: state.failures.length,
    result: state.result ?? null,
    error: state.error ? { message: state.error.message, stack: state.error.stack ?? null, code: state.error.code ?? null } : null,
    log: state.log ?? [],
    workers: [...state.workers],
    // Kept as the worker sent it, to rerun the task where it came from; short, so masked on each read.
    origin: state.origin ? { module: redactText(state.origin.module), cwd: redactText(state.origin.cwd), config: state.origin.config ? redactText(state.origin.config) : null } : null,
    deps: state.deps.slice(0, MAX_LISTED_NEIGHBOURS).map(neighbour),
    depsCount: state.deps.length,
    dependents: state.dependents.slice(0, MAX_LISTED_NEIGHBOURS).map(neighbour),
    dependentsCount: state.dependents.length,
  }
}

function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query)
  if (!parsed.success) {
    throw new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', `bad query: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  }
  return parsed.data
}
