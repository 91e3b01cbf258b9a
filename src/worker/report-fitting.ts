import { firstLine } from '../errors.js'
import type { TaskResult } from '../core/output-marker.js'
import { MAX_LOG_LINE_CHARS } from '../scheduler/central-scheduler-options.js'
import { MAX_JSON_DEPTH, RPC_LIMIT_DEFAULTS } from '../scheduler/rpc-limits.js'
import type { TaskError, TaskFinishedRequest, TaskLogLine } from '../scheduler/scheduler.js'

/**
 * What a worker keeps of an error for the scheduler: far under the daemon's `maxErrorChars`, so a
 * task's report is never refused for a long message or a deep stack, and still the part that helps.
 */
export const REPORTED_MESSAGE_CHARS = 8000
export const REPORTED_STACK_CHARS = 16_000
/** Progress messages are a hint on the task's row. */
export const REPORTED_PROGRESS_CHARS = 2000

/** After the daemon refused a report as too large: what is kept of it on the second try. */
const SHRUNK = Object.freeze({ messageChars: 1000, stackChars: 2000, logLines: 20, logLineChars: 500 })

/**
 * `text` cut to `max` characters: its head and its tail, which say what failed and where, with how
 * much was left out between them.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text
  const note = `\n… (${text.length - max} characters cut) …\n`
  const keep = Math.max(0, max - note.length)
  const head = Math.ceil(keep * 0.75)
  return `${text.slice(0, head)}${note}${text.slice(text.length - (keep - head))}`
}

/** A log line as a worker sends it: no longer than the daemon keeps. */
export function fitLogLine(line: TaskLogLine): TaskLogLine {
  return line.message.length <= MAX_LOG_LINE_CHARS ? line : { ...line, message: `${line.message.slice(0, MAX_LOG_LINE_CHARS)}…` }
}

/** An error as a worker reports it: message and stack cut to what the daemon takes. */
export function fitTaskError(error: TaskError, chars = { message: REPORTED_MESSAGE_CHARS, stack: REPORTED_STACK_CHARS }): TaskError {
  const fitted: TaskError = { ...error, message: fitText(String(error.message), chars.message) }
  if (error.stack !== undefined) fitted.stack = fitText(String(error.stack), chars.stack)
  return fitted
}

/**
 * A task's result as a worker reports it. One the daemon would refuse (larger than its default
 * `maxResultBytes`, nested deeper than it reads, or not JSON at all) is replaced by a note saying so:
 * the task still ends DONE, and its own outputs are untouched.
 */
export function fitResult(result: TaskResult | null | undefined): TaskResult | null | undefined {
  if (result === null || result === undefined) return result
  const problem = resultProblem(result, RPC_LIMIT_DEFAULTS.maxResultBytes)
  return problem === undefined ? result : droppedResult(problem)
}

/** The whole end-of-task report, fitted: the error, the result and the last log lines. */
export function fitFinishedReport(request: TaskFinishedRequest): TaskFinishedRequest {
  const fitted: TaskFinishedRequest = { ...request }
  if (request.error) fitted.error = fitTaskError(request.error)
  if (request.result !== undefined) fitted.result = fitResult(request.result) ?? null
  if (request.log) fitted.log = request.log.map(fitLogLine)
  return fitted
}

/**
 * The report again, much smaller, after the daemon refused it as too large (its limits were lowered
 * in its config): no result (a log line says why), the last log lines, the error's head and tail.
 * The task's end is what matters; a report that never arrives leaves the task RUNNING until the
 * worker is declared lost.
 */
export function shrinkFinishedReport(request: TaskFinishedRequest, refusal: unknown): TaskFinishedRequest {
  const shrunk: TaskFinishedRequest = { ...request }
  const log = (request.log ?? []).slice(-SHRUNK.logLines).map((line) => ({ ...line, message: line.message.slice(0, SHRUNK.logLineChars) }))
  if (request.result !== undefined && request.result !== null) {
    shrunk.result = null
    log.push({ at: request.endedAt, level: 'warn', message: `the result is not shown: the scheduler refused the report as too large (${firstLine(refusal)})`.slice(0, SHRUNK.logLineChars) })
  }
  if (request.error) shrunk.error = fitTaskError(request.error, { message: SHRUNK.messageChars, stack: SHRUNK.stackChars })
  if (log.length > 0) shrunk.log = log
  return shrunk
}

function droppedResult(reason: string): TaskResult {
  return { dropped: `the result is not shown: ${reason}` }
}

function resultProblem(result: unknown, maxBytes: number): string | undefined {
  // The request around the result takes two levels: { result: { ... } }.
  const depth = depthOf(result, MAX_JSON_DEPTH - 1)
  if (depth > MAX_JSON_DEPTH - 2) return `it is nested more than ${MAX_JSON_DEPTH - 2} levels deep`
  let text: string
  try {
    text = JSON.stringify(result)
  } catch (error) {
    return `it cannot be written as JSON (${firstLine(error)})`
  }
  const bytes = Buffer.byteLength(text)
  return bytes > maxBytes ? `it is ${bytes} bytes of JSON, over the ${maxBytes} the scheduler keeps (scheduler.maxResultBytes)` : undefined
}

/** How deep `value` nests, counted without recursion and no further than `stopAt`. */
function depthOf(value: unknown, stopAt: number): number {
  let deepest = 0
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!
    if (item === null || typeof item !== 'object') continue
    deepest = Math.max(deepest, depth)
    if (deepest > stopAt) return deepest
    for (const child of Object.values(item)) stack.push([child, depth + 1])
  }
  return deepest
}
