import path from 'node:path'
import { ACCESS_LOG_FILE, ExecutionControl, countLines, maxWatermarkSql, type DataServices } from 'etl'
import { METADATA, SOURCE, WAREHOUSE } from './pipeline.js'
import { settle, settledSequence, takeSnapshot, type SourceSnapshot } from './settled-execution.js'
import { weblogDir } from './weblog-dir.js'

/** The web log's row in the control table: its watermarks are line numbers. */
export const WEBLOG_TABLE = 'weblog_access'

/**
 * The execution sequence a run works on:
 * - `open`: the latest sequence has not completed (a failed run): resume it, same watermarks;
 * - `planned`: the latest completed and the source has changed since (or there is none yet): a new one;
 * - `complete`: the latest completed and nothing changed since: nothing to do.
 */
export interface CurrentExecution {
  readonly seq: number
  readonly state: 'open' | 'planned' | 'complete'
  /**
   * The identity of the warehouse that holds the sequence (`ExecutionControl.identity`): undefined
   * for a planned first sequence, whose warehouse has none yet, and for a warehouse built before
   * warehouses had one.
   */
  readonly warehouse: string | undefined
}

const resolved = new WeakMap<DataServices, Promise<CurrentExecution>>()
const snapshots = new WeakMap<DataServices, { seq: number; snapshot: SourceSnapshot }>()

/** The current execution for this run's data services, worked out once per run. */
export function currentExecution(data: DataServices): Promise<CurrentExecution> {
  let found = resolved.get(data)
  if (!found) {
    found = resolve(data)
    resolved.set(data, found)
    found.catch(() => resolved.delete(data))
  }
  return found
}

/** Records what a task just changed (a sequence opened or completed), for the rest of the run. */
export function setCurrentExecution(data: DataServices, execution: CurrentExecution): void {
  resolved.set(data, Promise.resolve(execution))
}

/**
 * Remembers what the source looked like when sequence `seq` read its windows, taken before reading
 * them; if the source still looks the same when the sequence completes, `settleExecution` records it.
 */
export function rememberSnapshot(data: DataServices, seq: number, snapshot: SourceSnapshot | undefined): void {
  if (snapshot) snapshots.set(data, { seq, snapshot })
}

/**
 * Sequence `seq` is complete: if nothing was written to the source since its windows were read, the
 * next run can tell that there is nothing new without opening a database.
 */
export async function settleExecution(data: DataServices, execution: CurrentExecution): Promise<void> {
  const taken = snapshots.get(data)
  if (taken?.seq === execution.seq && (await data.dataVersion(SOURCE)) === taken.snapshot.source) await settle(data, execution, taken.snapshot)
}

async function resolve(data: DataServices): Promise<CurrentExecution> {
  const settled = await settledSequence(data)
  if (settled !== undefined) return { ...settled, state: 'complete' }
  // Taken before anything is read, so a change made while this looks is never taken as seen.
  const snapshot = await takeSnapshot(data)
  const control = new ExecutionControl(await data.database(WAREHOUSE))
  const latest = await control.latest()
  if (!latest) return { seq: 1, state: 'planned', warehouse: undefined }
  const warehouse = await control.identity()
  if (latest.status !== 'COMPLETE') return { seq: latest.seq, state: 'open', warehouse }
  const changed = await sourceChanged(data, control, latest.seq).catch(() => true)
  if (changed) return { seq: latest.seq + 1, state: 'planned', warehouse }
  const current = { seq: latest.seq, state: 'complete', warehouse } as const
  if (snapshot) await settle(data, current, snapshot)
  return current
}

/**
 * True when the source has rows past a completed sequence's end watermarks, a table the sequence did
 * not cover (a new dictionary entry), or log lines past the last one processed. Full tables are
 * re-read by every sequence and do not, on their own, start one.
 */
async function sourceChanged(data: DataServices, control: ExecutionControl, seq: number): Promise<boolean> {
  const tables = await control.tables(seq)
  const source = await data.database(SOURCE)
  for (const meta of METADATA) {
    const done = tables.get(meta.table)
    if (!done) return true
    const query = maxWatermarkSql(meta)
    if (!query) continue
    const { rows } = await source.query(query)
    const max = rows[0]?.wm === null || rows[0]?.wm === undefined ? null : String(rows[0].wm)
    if (max !== null && max !== done.endWatermark) return true
  }
  const lines = await countLines(path.join(weblogDir(), ACCESS_LOG_FILE))
  return lines > Number(tables.get(WEBLOG_TABLE)?.endWatermark ?? 0)
}
