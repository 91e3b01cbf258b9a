import { param } from '../param.js'
import { RANGE_PARAMS, RangeBase, type RangeWindow } from './range-base.js'
import type { RangedKind } from './ranged-parameter.js'

const DAY_MS = 86_400_000

/**
 * Completes a daily task over a range of days, as Luigi's `RangeDaily`: it requires only the missing
 * days (one bulk check), at most `taskLimit` of them, oldest first unless `reverse`. `stop` is
 * exclusive. Without `start` it looks back `daysBack` days from now, and without `stop` it goes up to
 * now plus `daysForward` days (today included), so a nightly schedule of it catches up every day it
 * missed. The `of` task's one date (or datetime) parameter is found by itself, or named by `param`.
 *
 * ```ts
 * new RangeDaily({ of: LoadDay, start: '2024-01-01', stop: '2024-02-01' }) // January
 * // etl run RangeDaily --of LoadDay --days-back 7   (in a nightly schedule)
 * ```
 */
export class RangeDaily extends RangeBase.with({
  ...RANGE_PARAMS,
  start: param.optional(param.date(), { description: 'the first day, inclusive (default: daysBack days before today)' }),
  stop: param.optional(param.date(), { description: 'the day after the last, exclusive (default: today plus daysForward days, today included)' }),
  daysBack: param.int({ default: 100, description: 'without start: how many days back from today to look for missing days' }),
  daysForward: param.int({ default: 0, description: 'without stop: days after today to include (-1 stops at yesterday)' }),
  everyDays: param.int({ default: 1, description: 'one instance every this many days' }),
}) {
  protected override kinds(): readonly RangedKind[] {
    return ['date', 'datetime']
  }

  protected override window(): RangeWindow {
    const { start, stop, daysBack, daysForward, everyDays } = this.params
    return {
      start: start === null ? null : Date.parse(`${start}T00:00:00Z`),
      stop: stop === null ? null : Date.parse(`${stop}T00:00:00Z`),
      stepMs: everyDays * DAY_MS,
      unitMs: DAY_MS,
      backMs: daysBack * DAY_MS,
      forwardMs: daysForward * DAY_MS,
    }
  }
}
