import { isOutputMarker, type TaskResult } from '../core/output-marker.js'
import { outputTargets, requiredTasks, type Task } from '../core/task.js'
import type { TaskLike } from '../core/task-like.js'
import type { ParameterValue, PlaceholderScope } from './placeholder-values.js'
import type { StepVariables } from './step-variables.js'

/**
 * The name `${name.field}` reads a required task's result under: a job step's name (`conditions`),
 * else the task's family (`CheckExports`).
 */
export function runTimeName(task: TaskLike): string {
  const stepName = (task as { stepName?: unknown }).stepName
  return typeof stepName === 'string' ? stepName : task.family
}

/** A task's parameters as placeholders see them: the value (bound in SQL) and its text (written in a command). */
export function parameterValues(task: Task<any>): Map<string, ParameterValue> {
  const values = task.params as Record<string, unknown>
  return new Map(task.parameterEntries.map(({ name, parameter }) => [name, { value: bindable(values[name], parameter.serialize(values[name])), text: parameter.serialize(values[name]) }]))
}

/**
 * The scope before anything has run: the parameters, the resource values, and the names of the
 * tasks upstream, whose results are not known yet.
 */
export function staticScope(task: Task<any>, vars: StepVariables, extra: readonly string[] = []): PlaceholderScope {
  const runTime = new Map<string, TaskResult | null | undefined>()
  for (const upstream of upstreamTasks(task)) runTime.set(runTimeName(upstream), undefined)
  for (const name of extra) runTime.set(name, undefined)
  return { owner: String(task), params: parameterValues(task), vars, runTime }
}

/** The scope at run time: as before, with each upstream task's result read from its output marker. */
export async function runTimeScope(task: Task<any>, vars: StepVariables, extra: Readonly<Record<string, TaskResult | null>> = {}): Promise<PlaceholderScope> {
  const runTime = new Map<string, TaskResult | null | undefined>()
  const upstream = upstreamTasks(task)
  const results = await Promise.all(upstream.map((required) => recordedResult(required)))
  upstream.forEach((required, index) => runTime.set(runTimeName(required), results[index]))
  for (const [name, result] of Object.entries(extra)) runTime.set(name, result)
  return { owner: String(task), params: parameterValues(task), vars, runTime }
}

/**
 * Every task upstream of `task`, nearest first (what it requires, then what those require, …),
 * each once; of two with the same run-time name, the nearer one is kept.
 */
export function upstreamTasks(task: TaskLike): TaskLike[] {
  const found: TaskLike[] = []
  const ids = new Set<string>()
  const names = new Set<string>()
  let level = requiredTasks(task)
  while (level.length) {
    const next: TaskLike[] = []
    for (const upstream of level) {
      if (ids.has(upstream.id)) continue
      ids.add(upstream.id)
      const name = runTimeName(upstream)
      if (!names.has(name)) {
        names.add(name)
        found.push(upstream)
      }
      next.push(...requiredTasks(upstream))
    }
    level = next
  }
  return found
}

/** What a task's own output marker records it returned; null when it has no marker or the marker no result. */
export async function recordedResult(task: TaskLike): Promise<TaskResult | null> {
  const marker = outputTargets(task).find((target) => isOutputMarker(target) && target.taskId === task.id)
  if (!marker || !isOutputMarker(marker) || !(await marker.exists())) return null
  try {
    return (await marker.readRecord()).result
  } catch {
    return null
  }
}

/** What a parameter binds as in SQL: scalars, dates and lists as they are, anything else as its text. */
function bindable(value: unknown, text: string): unknown {
  if (value === null || value === undefined) return null
  if (typeof value !== 'object' || value instanceof Date || Array.isArray(value)) return value
  return text
}
