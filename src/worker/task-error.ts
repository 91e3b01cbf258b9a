import { EtlError } from '../errors.js'
import type { TaskError } from '../scheduler/scheduler.js'

/** A thrown value as it travels to a scheduler: message, stack and code, nothing else. */
export function toTaskError(error: unknown): TaskError {
  if (!(error instanceof Error)) return { message: String(error) }
  const taskError: TaskError = { message: error.message || error.name }
  if (error.stack) taskError.stack = error.stack
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') taskError.code = code
  if (error instanceof EtlError && error.code === 'ETL_ERR_TASK_MISSING_EXTERNAL_DATA') taskError.missingData = true
  return taskError
}
