import type { TaskRecord } from '../scheduler/scheduler.js'
import { fitTaskError } from './report-fitting.js'

/** Records sent to the scheduler per call, so a 100,000-task graph is not one giant request. */
export const ADD_TASKS_BATCH = 2000
/**
 * Bytes of JSON per call, a quarter of the daemon's default `maxRequestBytes`: records with long
 * parameters or thousands of dependencies go in smaller batches. A record larger than this on its own
 * still goes alone; only the daemon's limit can refuse it, by name.
 */
export const ADD_TASKS_BATCH_BYTES = 4 * 1024 * 1024

/**
 * Splits the records a worker registers into calls of at most `ADD_TASKS_BATCH` records and about
 * `ADD_TASKS_BATCH_BYTES` bytes, in order, each record's error fitted to what the daemon takes.
 */
export function registerBatches(records: readonly TaskRecord[], maxRecords = ADD_TASKS_BATCH, maxBytes = ADD_TASKS_BATCH_BYTES): TaskRecord[][] {
  const batches: TaskRecord[][] = []
  let batch: TaskRecord[] = []
  let bytes = 0
  for (const original of records) {
    const record = original.error ? { ...original, error: fitTaskError(original.error) } : original
    // Characters, not bytes: close enough for a budget that is a quarter of the limit.
    const size = JSON.stringify(record).length + 1
    if (batch.length > 0 && (batch.length >= maxRecords || bytes + size > maxBytes)) {
      batches.push(batch)
      batch = []
      bytes = 0
    }
    batch.push(record)
    bytes += size
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}

/** A batch cut in two, for a daemon whose limit refused it whole. */
export function halves<T>(batch: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(batch.length / 2)
  return [batch.slice(0, middle), batch.slice(middle)]
}
