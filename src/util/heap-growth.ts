import v8 from 'node:v8'

/**
 * How much V8 may grow the heap after each full collection, in percent, in an `etl run` process.
 *
 * V8's default lets the heap grow up to 4× the live data between full collections, which suits
 * short-lived servers but makes a long batch run's peak memory several times what it holds: measured
 * on the 100,000-task layered benchmark, 675 MB peak for about 140 MB live. At 100% (2× growth) the
 * peak was 416 MB; 30% gave 384 MB but cost a third more time. A run's tasks are dominated by I/O, so
 * the extra collections cost little outside no-op benchmarks.
 */
export const HEAP_GROWING_PERCENT = 100

/** Applies {@link HEAP_GROWING_PERCENT} to this process (the CLI does, before a run). */
export function limitHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`)
}
