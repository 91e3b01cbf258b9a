import { z } from 'zod'
import { backfillSpan } from '../core/ranges/backfill-span.js'
import type { RangedKind } from '../core/ranges/ranged-parameter.js'
import { EtlError } from '../errors.js'
import type { TaskState } from '../scheduler/task-state.js'
import { closestMatch } from '../util/closest-match.js'
import type { DaemonContext } from './daemon-context.js'
import type { ScheduleRunRecord } from './history/run-history.js'
import { withoutMasks } from './masked-params.js'
import { checkParameterNames } from './schedules/run-arguments.js'

/** What the UI posts to start a backfill. */
export const backfillBody = z.object({
  family: z.string().min(1).max(200),
  interval: z.string().min(1).max(100),
  /** The date or datetime parameter; unset: the family's only one. */
  param: z.string().min(1).max(100).optional(),
  every: z.string().min(1).max(20).optional(),
  order: z.enum(['oldest', 'newest']).optional(),
  /** The family's other parameters, as text. */
  params: z.record(z.string(), z.string().max(2000)).default({}),
  workers: z.number().int().min(1).max(64).optional(),
})

export type BackfillBody = z.infer<typeof backfillBody>

/** The answer: the run started for the backfill. */
export interface BackfillAnswer {
  family: string
  param: string
  record: ScheduleRunRecord
  /**
   * Parameters left off the backfill's command line because their values are masks (secrets, as the
   * scheduler holds them and the UI's groups show them): the new process takes them from its config.
   */
  maskedParams: string[]
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

/**
 * The UI's backfill: starts `etl backfill <family> --<param>=<interval> …` in a new process, in the
 * folder and with the module (and config) the family's latest task with an origin was registered
 * from, as a rerun starts `etl run`: the parameters go to the process as arguments, never through a
 * shell. What the daemon can check is checked first, with the CLI's own messages: the family, the
 * parameter names, the interval and the step; the rest (the values) the new process checks.
 */
export async function startBackfill(context: DaemonContext, body: BackfillBody): Promise<BackfillAnswer> {
  const { schedules } = context
  if (!schedules) throw new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', 'backfill needs the daemon to start runs, and this one was started without schedules support')
  const sample = latestWithOrigin(context, body.family)
  const names = Object.keys(sample.params)
  const param = body.param ?? onlyDateParameter(body.family, sample)
  const kind = kindOf(sample.params[param])
  if (!names.includes(param) || !kind) {
    const close = closestMatch(param, names)
    throw bad(`${body.family} has no date or datetime parameter '${param}'${close && close !== param ? ` (did you mean ${close}?)` : ''}; its parameters: ${names.join(', ') || '(none)'}`)
  }
  rethrown(() => backfillSpan({ name: param, kind }, body.family, body.interval, body.every))
  for (const [name, value] of Object.entries(body.params)) {
    if (name === param) throw bad(`params sets '${name}', the parameter the backfill steps through; give its span as interval instead`)
    if (!names.includes(name)) throw bad(`${body.family} has no parameter '${name}'; its parameters: ${names.join(', ')}`)
  }
  const { params, maskedParams } = withoutMasks(body.params)
  checkParameterNames(body.family, { ...params, [param]: body.interval })
  const backfill = { param, interval: body.interval, ...(body.every !== undefined ? { every: body.every } : {}), ...(body.order !== undefined ? { order: body.order } : {}) }
  const { record, launched } = schedules.backfill({ family: body.family, params, backfill, origin: sample.origin!, workers: body.workers })
  if (record.status === 'skipped') throw bad(`a backfill of ${body.family} is still going (${record.message}); wait for it to end, the run history follows it`)
  if (!launched) throw new EtlError('ETL_ERR_DAEMON_LAUNCH_FAILED', `could not start the backfill of ${body.family} in ${sample.origin!.cwd}: ${record.message ?? 'no reason given'}`)
  try {
    await launched.spawned
  } catch (error) {
    throw new EtlError('ETL_ERR_DAEMON_LAUNCH_FAILED', `could not start the backfill of ${body.family} in ${sample.origin!.cwd}: ${(error as Error).message}`)
  }
  const leftOff = maskedParams.length > 0 ? `; ${maskedParams.join(', ')} left off (masked secrets: the run takes them from its config)` : ''
  context.logger.info(`action backfill of ${body.family} over ${param} ${body.interval}: run ${record.runId} started in ${sample.origin!.cwd}${leftOff}`)
  return { family: body.family, param, record, maskedParams }
}

/** The family's most recently added task that says where it was registered from. */
function latestWithOrigin(context: DaemonContext, family: string): Readonly<TaskState> {
  let latest: Readonly<TaskState> | undefined
  const families = new Set<string>()
  for (const state of context.scheduler.allTasks()) {
    if (!state.known) continue
    families.add(state.family)
    if (state.family === family && state.origin && (!latest || state.addedAt > latest.addedAt)) latest = state
  }
  if (latest) return latest
  if (families.has(family)) {
    throw bad(`no task of ${family} says which module and folder it was registered from, so the daemon cannot start a backfill of it; run etl backfill ${family} in its project folder`)
  }
  const close = closestMatch(family, [...families])
  throw new EtlError('ETL_ERR_DAEMON_NOT_FOUND', `the scheduler holds no task of the family ${JSON.stringify(family)}${close ? ` (did you mean ${close}?)` : ''}; run one with etl run first`)
}

/** The one parameter whose recorded value is a date or a datetime. */
function onlyDateParameter(family: string, sample: Readonly<TaskState>): string {
  const candidates = Object.keys(sample.params).filter((name) => kindOf(sample.params[name]) !== undefined)
  if (candidates.length === 1) return candidates[0]!
  if (candidates.length === 0) throw bad(`${family} has no date or datetime parameter to backfill over; its parameters: ${Object.keys(sample.params).join(', ') || '(none)'}`)
  throw bad(`${family} has several date or datetime parameters (${candidates.join(', ')}); say which in param`)
}

function kindOf(value: string | undefined): RangedKind | undefined {
  if (value === undefined) return undefined
  return DATE.test(value) ? 'date' : DATETIME.test(value) ? 'datetime' : undefined
}

/** The CLI's refusal of an interval or a step, as the daemon's answer to a bad request. */
function rethrown<T>(check: () => T): T {
  try {
    return check()
  } catch (error) {
    throw bad((error as Error).message)
  }
}

function bad(message: string): EtlError {
  return new EtlError('ETL_ERR_DAEMON_BAD_REQUEST', `backfill: ${message}`)
}
