import { EtlError } from '../errors.js'
import type { ParamSpec } from './param.js'
import { Task, withParams, type TaskClassWith } from './task.js'
import { ABSTRACT_TASK, type TaskKind } from './task-like.js'

/**
 * Data that must appear from outside (an export file, a partner's upload): it has outputs but no `run`.
 * When it is missing the worker waits up to `pollTimeoutMs`, looking every `pollIntervalMs`, then fails
 * the run as "missing external data".
 *
 * ```ts
 * export class ExportFile extends ExternalTask.with({ date: param.date() }) {
 *   override pollTimeoutMs = 30 * 60_000
 *   override output() { return new LocalTarget(`exports/cases-${this.params.date}.csv`) }
 * }
 * ```
 */
export class ExternalTask<S extends ParamSpec = {}> extends Task<S> {
  /** How long to wait for the data before failing; 0 checks once. @defaultValue 0 */
  pollTimeoutMs = 0
  /** How often to look while waiting. @defaultValue 10000 */
  pollIntervalMs = 10_000

  /** What is missing, in words, for the error when the data never comes. @defaultValue the missing outputs */
  describeMissing?(): Promise<string>

  static override with<const S extends ParamSpec>(spec: S): TaskClassWith<S, ExternalTask<S>> {
    return withParams(this, spec) as unknown as TaskClassWith<S, ExternalTask<S>>
  }

  override get kind(): TaskKind {
    return 'external'
  }

  override run(): never {
    throw new EtlError('ETL_ERR_TASK_MISSING_EXTERNAL_DATA', `${this} is external data: it cannot be run, only waited for`)
  }
}
Object.defineProperty(ExternalTask, ABSTRACT_TASK, { value: true })
