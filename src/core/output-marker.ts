import path from 'node:path'
import { getLayout } from './layout.js'
import { LocalTarget } from './local-target.js'

/** A JSON-serializable value, as task results and marker records hold. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** What a task's `run` may return: figures worth keeping, such as row counts. */
export type TaskResult = { readonly [key: string]: JsonValue }

/** The record an output marker holds: which task ran, when, and what it produced. */
export interface MarkerRecord {
  taskId: string
  family: string
  params: Record<string, string>
  startedAt: string
  endedAt: string
  durationMs: number
  attempts: number
  result: TaskResult | null
  host: string
  pid: number
}

/**
 * The default output of a task: `output/<Family>/<taskId>.json`, written by the worker only after the
 * task's `run` succeeded. Delete it (or `etl invalidate`) and the task runs again.
 */
export class OutputMarker extends LocalTarget {
  readonly taskId: string
  readonly family: string

  constructor(family: string, taskId: string) {
    super(path.join(getLayout().outputDir, family, `${taskId}.json`))
    this.family = family
    this.taskId = taskId
  }

  writeRecord(record: MarkerRecord): Promise<void> {
    return this.write(`${JSON.stringify(record, null, 2)}\n`)
  }

  async readRecord(): Promise<MarkerRecord> {
    return JSON.parse(await this.read()) as MarkerRecord
  }
}

/** True for an output marker target. */
export function isOutputMarker(value: unknown): value is OutputMarker {
  return value instanceof OutputMarker
}
