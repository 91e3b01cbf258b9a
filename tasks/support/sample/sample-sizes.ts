import { periodDays, samplePeriod, type SamplePeriod } from './sample-periods.js'

/** The shape of the sample at a scale, so `init` and every `advance` agree on it. */
export interface SupportSizes {
  readonly scale: number
  /** Analysts on the books in 2021; a few are hired every month after. */
  readonly analysts: number
  /** New hires per later period. */
  readonly hiresPerPeriod: number
  /** Products under each of the nine product groups. */
  readonly productsPerGroup: number
  /** Cases created in period 1 (six months). */
  readonly firstPeriodCases: number
}

/** Cases at scale 1 in period 1; every period's cases grow linearly with the scale. */
const CASES_PER_SCALE = 2000

/**
 * Scale 1 is about 40 analysts, 36 products and 2,000 cases in period 1. Cases (and the log lines
 * they make) grow linearly with the scale, analysts and products with its square root, as a support
 * department's staff grows more slowly than its case load.
 */
export function supportSizes(scale: number): SupportSizes {
  const s = Math.max(1, Math.round(scale))
  const root = Math.ceil(Math.sqrt(s))
  return { scale: s, analysts: 40 * root, hiresPerPeriod: root, productsPerGroup: 4 * root, firstPeriodCases: CASES_PER_SCALE * s }
}

/** The scale whose period 1 had `cases` cases (what `advance` reads back from the source). */
export function scaleOfFirstPeriod(cases: number): number {
  return Math.max(1, Math.round(cases / CASES_PER_SCALE))
}

/** Cases created in `period`: period 1's number, and the same daily rate in each later month. */
export function casesIn(size: SupportSizes, period: SamplePeriod): number {
  if (period.number === 1) return size.firstPeriodCases
  return Math.round((size.firstPeriodCases * periodDays(period)) / periodDays(samplePeriod(1)))
}
