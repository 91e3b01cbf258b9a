import { param } from '../param.js'
import { RANGE_PARAMS, RangeBase, type RangeWindow } from './range-base.js'
import type { RangedKind } from './ranged-parameter.js'

const HOUR_MS = 3_600_000

/**
 * Completes an hourly task over a range of hours, as Luigi's `RangeHourly`: `RangeDaily` by the hour,
 * over the `of` task's one datetime parameter (UTC). Without `start` it looks back `hoursBack` hours
 * from now; without `stop` it goes up to now plus `hoursForward` hours (the current hour included).
 *
 * ```ts
 * new RangeHourly({ of: LoadHour, start: new Date('2024-01-01T00:00Z'), stop: new Date('2024-01-02T00:00Z') })
 * // etl run RangeHourly --of LoadHour --hours-back 48
 * ```
 */
export class RangeHourly extends RangeBase.with({
  ...RANGE_PARAMS,
  start: param.optional(param.datetime(), { description: 'the first hour, inclusive (default: hoursBack hours before now)' }),
  stop: param.optional(param.datetime(), { description: 'the end, exclusive (default: now plus hoursForward hours, the current hour included)' }),
  hoursBack: param.int({ default: 100 * 24, description: 'without start: how many hours back from now to look for missing hours' }),
  hoursForward: param.int({ default: 0, description: 'without stop: hours after now to include (-1 stops at the hour before)' }),
  everyHours: param.int({ default: 1, description: 'one instance every this many hours' }),
}) {
  protected override kinds(): readonly RangedKind[] {
    return ['datetime']
  }

  protected override window(): RangeWindow {
    const { start, stop, hoursBack, hoursForward, everyHours } = this.params
    return {
      start: start?.getTime() ?? null,
      stop: stop?.getTime() ?? null,
      stepMs: everyHours * HOUR_MS,
      unitMs: HOUR_MS,
      backMs: hoursBack * HOUR_MS,
      forwardMs: hoursForward * HOUR_MS,
    }
  }
}
