import type { SeededRandom } from '../../orders/sample/random.js'
import type { AnalystVersion } from './analyst-history.js'

/**
 * Who can be assigned a case: the analysts by hire day (their first history row). A case created
 * on a day picks among those hired by then, so whoever it is assigned to exists at its creation, and
 * the pick comes out the same whenever it is made again (later hires only extend the list).
 */
export class AnalystRoster {
  /** Aids by hire day, then aid. */
  readonly #aids: readonly number[]
  /** `#days[i]` is `#aids[i]`'s hire day (`YYYY-MM-DD`). */
  readonly #days: readonly string[]

  constructor(history: Iterable<AnalystVersion>) {
    const hired = new Map<number, string>()
    for (const version of history) {
      const day = hired.get(version.aid)
      if (day === undefined || version.valid_from < day) hired.set(version.aid, version.valid_from)
    }
    const order = [...hired].sort(([a, dayA], [b, dayB]) => (dayA < dayB ? -1 : dayA > dayB ? 1 : a - b))
    this.#aids = order.map(([aid]) => aid)
    this.#days = order.map(([, day]) => day)
  }

  /** How many analysts were hired on or before `day` (`YYYY-MM-DD`). */
  hiredBy(day: string): number {
    let low = 0
    let high = this.#days.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.#days[mid]! <= day) low = mid + 1
      else high = mid
    }
    return low
  }

  /** An analyst hired by `day`, other than `not`; undefined when there is none. */
  pick(random: SeededRandom, day: string, not?: number): number | undefined {
    const count = this.hiredBy(day)
    if (count === 0 || (count === 1 && this.#aids[0] === not)) return undefined
    for (;;) {
      const aid = this.#aids[random.int(0, count - 1)]!
      if (aid !== not) return aid
    }
  }
}
