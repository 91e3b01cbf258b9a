import { EtlError } from '../../errors.js'
import { closestMatch } from '../../util/closest-match.js'
import type { ParamSpec } from '../param.js'
import type { Parameter } from '../parameter.js'
import { DateParameter } from '../parameters/date-parameter.js'
import { DatetimeParameter } from '../parameters/datetime-parameter.js'

/** What a ranged parameter holds: a calendar date (`YYYY-MM-DD`) or a point in time (`Date`). */
export type RangedKind = 'date' | 'datetime'

/** The parameter a range or a backfill steps through. */
export interface RangedParameter {
  readonly name: string
  readonly kind: RangedKind
}

/** The kind of a date or datetime parameter; undefined for any other. */
export function rangedKindOf(parameter: Parameter<unknown>): RangedKind | undefined {
  if (parameter instanceof DateParameter) return 'date'
  if (parameter instanceof DatetimeParameter) return 'datetime'
  return undefined
}

/**
 * The parameter of `family` a range steps through: `named` when given, else its one date or datetime
 * parameter. Refused, naming the parameters there are and the fix, when it has none, several, or the
 * one named is not a date or datetime, or not a kind in `kinds` (an hourly range over a date).
 * `how` says how the caller names one (`param: 'date'`, `--date <interval>`).
 */
export function findRangedParameter(
  family: string,
  spec: ParamSpec,
  named: string | null,
  kinds: readonly RangedKind[],
  how: (name: string) => string,
): RangedParameter {
  const all = Object.keys(spec)
  const listed = all.join(', ') || '(none)'
  if (named !== null) {
    const parameter = spec[named] as Parameter<unknown> | undefined
    if (!parameter) {
      const close = closestMatch(named, all)
      throw new EtlError('ETL_ERR_RANGE_PARAM', `${family} has no parameter '${named}'${close ? ` (did you mean ${close}?)` : ''}; its parameters: ${listed}`)
    }
    const kind = rangedKindOf(parameter)
    if (!kind) throw new EtlError('ETL_ERR_RANGE_PARAM', `parameter '${named}' of ${family} is a ${parameter.typeName}, not a date or datetime, so a range cannot step through it; ${candidatesHint(family, spec, how)}`)
    return checkedKind(family, { name: named, kind }, kinds)
  }
  const candidates = all.filter((name) => rangedKindOf(spec[name] as Parameter<unknown>) !== undefined)
  if (candidates.length === 0) {
    throw new EtlError('ETL_ERR_RANGE_PARAM', `${family} has no date or datetime parameter to step through (its parameters: ${listed}); a range needs a task with a param.date() or param.datetime()`)
  }
  if (candidates.length > 1) {
    throw new EtlError('ETL_ERR_RANGE_PARAM', `${family} has several date or datetime parameters (${candidates.join(', ')}); say which to step through with ${how(candidates[0]!)}`)
  }
  const name = candidates[0]!
  return checkedKind(family, { name, kind: rangedKindOf(spec[name] as Parameter<unknown>)! }, kinds)
}

function checkedKind(family: string, found: RangedParameter, kinds: readonly RangedKind[]): RangedParameter {
  if (kinds.includes(found.kind)) return found
  throw new EtlError(
    'ETL_ERR_RANGE_PARAM',
    found.kind === 'date'
      ? `parameter '${found.name}' of ${family} is a date, which has no hours: step through it by days (RangeDaily, or --every 1d)`
      : `parameter '${found.name}' of ${family} is a datetime: step through it by hours (RangeHourly, or --every 1h)`,
  )
}

function candidatesHint(family: string, spec: ParamSpec, how: (name: string) => string): string {
  const candidates = Object.keys(spec).filter((name) => rangedKindOf(spec[name] as Parameter<unknown>) !== undefined)
  return candidates.length ? `name one of its date or datetime parameters (${candidates.join(', ')}), e.g. ${how(candidates[0]!)}` : `${family} has no date or datetime parameter`
}
