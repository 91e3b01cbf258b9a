import type { AddTasksRequest, TaskError, TaskFinishedRequest, TaskLogLine, TaskLogRequest, TaskProgressRequest, TaskRecord } from '../scheduler/scheduler.js'
import { redactParams, redactSecrets, redactText } from '../util/redact.js'

/**
 * A worker's call with its secrets masked, as the daemon keeps it: parameters, errors, log lines,
 * progress messages and results. Masking once, here, means the journal, the snapshot, the run history
 * and every page of the UI hold the masked text, and nothing is masked again on each read.
 */
export function redactRequest(method: string, body: Record<string, unknown>): Record<string, unknown> {
  switch (method) {
    case 'addTasks': {
      const request = body as unknown as AddTasksRequest
      return { ...request, tasks: request.tasks.map(redactRecord) }
    }
    case 'taskProgress': {
      const request = body as unknown as TaskProgressRequest
      return { ...request, message: redactText(request.message) }
    }
    case 'taskFinished':
      return redactFinished(body as unknown as TaskFinishedRequest) as unknown as Record<string, unknown>
    case 'taskLog': {
      const request = body as unknown as TaskLogRequest
      return { ...request, lines: request.lines.map(redactLine) }
    }
    default:
      return body
  }
}

function redactRecord(record: TaskRecord): TaskRecord {
  return { ...record, params: redactParams(record.params), ...(record.error ? { error: redactError(record.error) } : {}) }
}

function redactFinished(request: TaskFinishedRequest): TaskFinishedRequest {
  const shown: TaskFinishedRequest = { ...request }
  if (request.result) shown.result = redactSecrets(request.result)
  if (request.error) shown.error = redactError(request.error)
  if (request.log) shown.log = request.log.map(redactLine)
  return shown
}

/** A task's error with its message and stack masked. */
export function redactError(error: TaskError): TaskError {
  return { ...error, message: redactText(error.message), ...(error.stack !== undefined ? { stack: redactText(error.stack) } : {}) }
}

function redactLine(line: TaskLogLine): TaskLogLine {
  return { ...line, message: redactText(line.message) }
}
