import { EtlError } from '../../errors.js'
import type { Parameter } from '../parameter.js'
import type { ParameterTexts, TaskRegistry } from '../task-registry.js'
import { backfillSpan } from './backfill-span.js'
import { MAX_RANGE_INSTANCES, type RangeBase } from './range-base.js'
import { RangeDaily } from './range-daily.js'
import { RangeHourly } from './range-hourly.js'
import { findRangedParameter, rangedKindOf, type RangedParameter } from './ranged-parameter.js'

/** How a backfill is asked for, besides the task's parameters. */
export interface BackfillRequest {
  /** `--every`: `1d`, `7d`, `1h`, `6h` … @defaultValue a day for a date parameter, an hour for a datetime */
  every?: string | undefined
  /** `--order`. @defaultValue 'oldest' */
  order?: string | undefined
}

/** The orders a backfill runs its instances in. */
export const BACKFILL_ORDERS = ['oldest', 'newest'] as const

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

/**
 * The range a backfill runs: `family`'s instances over the interval its date or datetime parameter is
 * given (`texts`, as the command line has them: `{ date: '2024-01', region: 'eu' }`), every other
 * parameter passed on to each instance. It is a `RangeDaily` (a date parameter) or `RangeHourly` (a
 * datetime), with no task limit, so it requires every missing instance. Bad input is refused before
 * anything is checked or run, naming the parameter, the value and the fix.
 */
export function backfillRange(registry: TaskRegistry, family: string, texts: ParameterTexts, request: BackfillRequest = {}): RangeBase {
  const cls = registry.require(family)
  const parameter = rangedParameterOf(family, cls.params, texts)
  const span = backfillSpan(parameter, family, String(texts[parameter.name]), request.every)
  const reverse = orderOf(request.order) === 'newest'
  const ofParams = Object.fromEntries(Object.entries(texts).filter(([name, value]) => name !== parameter.name && value !== undefined))
  const common = { of: family, ofParams, param: parameter.name, reverse, taskLimit: MAX_RANGE_INSTANCES }
  if (parameter.kind === 'date') {
    const day = (at: number) => new Date(at).toISOString().slice(0, 10)
    return new RangeDaily({ ...common, start: day(span.start), stop: day(span.stop), everyDays: span.stepMs / DAY_MS })
  }
  return new RangeHourly({ ...common, start: new Date(span.start), stop: new Date(span.stop), everyHours: span.stepMs / HOUR_MS })
}

/**
 * The date or datetime parameter given an interval: of those given, the one whose text is not a
 * single value (`2024-01` rather than `2024-01-15`), or the only one given.
 */
function rangedParameterOf(family: string, spec: Readonly<Record<string, Parameter<unknown>>>, texts: ParameterTexts): RangedParameter {
  const given = Object.keys(texts).filter((name) => texts[name] !== undefined && spec[name] && rangedKindOf(spec[name]) !== undefined)
  const how = (name: string) => `--${name} <interval>`
  if (given.length === 0) {
    const found = findRangedParameter(family, spec, null, ['date', 'datetime'], how)
    throw new EtlError('ETL_ERR_RANGE_PARAM', `etl backfill ${family} needs the interval to run over: give it as --${found.name} <interval>, e.g. --${found.name} ${found.kind === 'date' ? '2024-01-01/2024-02-01' : '2024-01-01T00/2024-01-02T00'} (the end excluded)`)
  }
  const intervals = given.filter((name) => !parsesAsOne(spec[name]!, String(texts[name])))
  const chosen = intervals.length === 1 ? intervals[0]! : given.length === 1 ? given[0]! : undefined
  if (chosen === undefined) {
    throw new EtlError(
      'ETL_ERR_RANGE_PARAM',
      `etl backfill ${family}: ${intervals.length ? 'several' : 'none'} of its date or datetime parameters given (${given.map((name) => `--${name}`).join(', ')}) ${intervals.length ? 'are intervals' : 'is an interval'}; give exactly one as an interval (2024-01-01/2024-02-01) and the others as single values`,
    )
  }
  return findRangedParameter(family, spec, chosen, ['date', 'datetime'], how)
}

function parsesAsOne(parameter: Parameter<unknown>, text: string): boolean {
  try {
    parameter.parse(text)
    return true
  } catch {
    return false
  }
}

function orderOf(order: string | undefined): (typeof BACKFILL_ORDERS)[number] {
  if (order === undefined) return 'oldest'
  const found = BACKFILL_ORDERS.find((known) => known === order.trim())
  if (found) return found
  throw new EtlError('ETL_ERR_RANGE_STEP', `invalid --order ${JSON.stringify(order)}: expected oldest (the default: the oldest missing instance first) or newest`)
}
