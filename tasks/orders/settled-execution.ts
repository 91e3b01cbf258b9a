import fs from 'node:fs'
import path from 'node:path'
import { ACCESS_LOG_FILE, LocalTarget, getLayout, type DataServices } from 'etl'
import type { CurrentExecution } from './current-execution.js'
import { METADATA, SOURCE, WAREHOUSE } from './pipeline.js'
import { weblogDir } from './weblog-dir.js'

/**
 * What the source looked like when a sequence was found complete, as far as it can be known without
 * opening anything: the source's data version (embedded databases have one), the access log's size
 * and modification time, the tables the dictionaries name, and which warehouse holds the sequence.
 */
export interface SourceSnapshot {
  readonly source: string
  readonly weblog: { readonly size: number; readonly mtimeMs: number } | null
  readonly tables: readonly string[]
  readonly warehouse: string
}

interface SettledExecution extends SourceSnapshot {
  readonly seq: number
  /** The warehouse's identity (see `CurrentExecution.warehouse`). */
  readonly warehouseId?: string
  /** The warehouse's data version as the run that settled left it (embedded only): a wiped or replaced warehouse no longer matches. */
  readonly warehouseVersion?: string
}

/**
 * The snapshot now, or undefined when the source cannot vouch for its data without being read (a
 * server, or an embedded database something else has opened).
 */
export async function takeSnapshot(data: DataServices): Promise<SourceSnapshot | undefined> {
  const source = await data.dataVersion(SOURCE)
  if (source === undefined) return undefined
  return { source, weblog: weblogStat(weblogDir()), tables: METADATA.map((meta) => meta.table), warehouse: data.describe(WAREHOUSE) }
}

/**
 * Records that sequence `seq` is complete and covers everything in `snapshot`: while the snapshot
 * still holds, and the warehouse is as this run leaves it, a run knows there is nothing new without
 * opening the source or the warehouse.
 */
export async function settle(data: DataServices, execution: CurrentExecution, snapshot: SourceSnapshot): Promise<void> {
  const warehouseVersion = await data.dataVersionOnClose(WAREHOUSE)
  const settled: SettledExecution = {
    seq: execution.seq,
    ...snapshot,
    ...(execution.warehouse === undefined ? {} : { warehouseId: execution.warehouse }),
    ...(warehouseVersion === undefined ? {} : { warehouseVersion }),
  }
  await new LocalTarget(settledFile()).write(`${JSON.stringify(settled, null, 2)}\n`)
}

/** The settled sequence and its warehouse, if the snapshot it was recorded with still holds now. */
export async function settledSequence(data: DataServices): Promise<{ seq: number; warehouse: string | undefined } | undefined> {
  const settled = readSettled()
  if (!settled) return undefined
  const now = await takeSnapshot(data)
  if (now === undefined || !sameSnapshot(settled, now)) return undefined
  if ((await data.dataVersion(WAREHOUSE)) !== settled.warehouseVersion) return undefined
  return { seq: settled.seq, warehouse: settled.warehouseId }
}

/** Forgets the settled sequence (a new one is starting). */
export function unsettle(): void {
  fs.rmSync(settledFile(), { force: true })
}

function sameSnapshot(a: SourceSnapshot, b: SourceSnapshot): boolean {
  return (
    a.source === b.source &&
    a.warehouse === b.warehouse &&
    a.weblog?.size === b.weblog?.size &&
    a.weblog?.mtimeMs === b.weblog?.mtimeMs &&
    a.tables.length === b.tables.length &&
    a.tables.every((table, index) => table === b.tables[index])
  )
}

function weblogStat(weblogDir: string): SourceSnapshot['weblog'] {
  const stat = fs.statSync(path.join(weblogDir, ACCESS_LOG_FILE), { throwIfNoEntry: false })
  return stat ? { size: stat.size, mtimeMs: stat.mtimeMs } : null
}

function readSettled(): SettledExecution | undefined {
  try {
    return JSON.parse(fs.readFileSync(settledFile(), 'utf8')) as SettledExecution
  } catch {
    return undefined
  }
}

/** Beside the output markers, so a fresh output folder forgets it with them. */
function settledFile(): string {
  return path.join(getLayout().outputDir, '.settled', 'RunJob.json')
}
