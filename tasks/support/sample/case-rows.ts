import type { SeededRandom } from '../../orders/sample/random.js'
import type { SamplePeriod } from './sample-periods.js'
import { HOUR } from './sample-time.js'

/** A case as the case system creates it. Times are seconds since 1970. */
export interface NewCase {
  readonly case_id: number
  readonly product_id: number
  readonly priority: string
  readonly created: number
}

/** Shares of the priorities, most urgent first (cumulative bounds of a draw in [0, 1)). */
const PRIORITIES: readonly (readonly [string, number])[] = [
  ['P1', 0.05],
  ['P2', 0.2],
  ['P3', 0.65],
  ['P4', 1],
]

/** How many cases an hour gets, relative to the others: most on weekday office hours, few at night. */
function hourWeight(start: number): number {
  const date = new Date(start * 1000)
  const hour = date.getUTCHours()
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6
  if (weekend) return hour >= 9 && hour < 18 ? 1.2 : 0.3
  if (hour >= 8 && hour < 18) return 6
  return hour === 7 || (hour >= 18 && hour < 22) ? 2 : 0.4
}

/**
 * The cases created in `period`, numbered from `firstId` in creation order. Creation times follow
 * office hours: case `i` is placed at the `(i + draw) / count` point of the period's cumulative
 * hourly weight, so they come out in time order without being held, however many there are.
 */
export function* newCases(random: SeededRandom, period: SamplePeriod, count: number, firstId: number, leaves: readonly number[]): Generator<NewCase> {
  const hours = Math.round((period.end - period.start) / HOUR)
  const cumulative = new Float64Array(hours + 1)
  for (let h = 0; h < hours; h++) cumulative[h + 1] = cumulative[h]! + hourWeight(period.start + h * HOUR)
  const total = cumulative[hours]!
  let hour = 0
  for (let i = 0; i < count; i++) {
    const point = ((i + random.next()) / count) * total
    while (hour < hours - 1 && cumulative[hour + 1]! <= point) hour++
    const into = Math.min(HOUR - 1, Math.floor(((point - cumulative[hour]!) / (cumulative[hour + 1]! - cumulative[hour]!)) * HOUR))
    const draw = random.next()
    const priority = PRIORITIES.find(([, bound]) => draw < bound)![0]
    // Some products get far more cases than others.
    const product = leaves[Math.floor(leaves.length * random.next() ** 1.6)]!
    yield { case_id: firstId + i, product_id: product, priority, created: period.start + hour * HOUR + into }
  }
}
