import { firstLine } from '../errors.js'
import type { TaskLike } from '../core/task-like.js'
import type { WorkerEvent } from '../worker/worker-events.js'
import type { RunEvent, RunEventTask } from './run-event.js'

/** Masks the run's secrets in a text (the worker's masker). */
export type TextMask = (text: string) => string

/** The run event a worker event stands for, or undefined for the ones only a terminal cares about (progress). */
export function runEventOf(event: WorkerEvent, run: string, mask: TextMask, link?: (taskId: string) => string): RunEvent | undefined {
  const found = eventOf(event, run, mask)
  return found && link && found.task ? { ...found, link: link(found.task.id) } : found
}

function eventOf(event: WorkerEvent, run: string, mask: TextMask): RunEvent | undefined {
  const at = (ms = Date.now()) => new Date(ms).toISOString()
  switch (event.type) {
    case 'task-started':
      return { event: 'started', at: at(event.at), run, task: taskOf(event.task, mask) }
    case 'task-retry':
      return { event: 'retry', at: at(), run, task: taskOf(event.task, mask), attempt: event.attempt, error: mask(firstLine(event.error.message)) }
    case 'task-finished': {
      const { outcome } = event
      const base = { at: at(outcome.endedAt), run, task: taskOf(event.task, mask), attempt: outcome.attempts }
      if (outcome.status === 'DONE') return { event: 'success', ...base }
      const error = mask(firstLine(outcome.error?.message ?? 'failed'))
      return { event: outcome.error?.missingData ? 'missing_data' : 'failure', ...base, error }
    }
    default:
      return undefined
  }
}

function taskOf(task: TaskLike, mask: TextMask): RunEventTask {
  return { id: task.id, label: mask(String(task)), family: task.family, params: Object.fromEntries(task.parameterEntries.map(({ name, text }) => [name, mask(text)])) }
}
