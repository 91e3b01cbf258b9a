import type { TaskState } from '../scheduler/task-state.js'
import type { TaskStatus } from '../scheduler/task-status.js'
import { canonicalJson } from '../util/canonical-json.js'

/** Instances listed in a group; its counts cover them all. */
export const MAX_GROUP_INSTANCES = 500
/** Groups answered at once, the largest first. */
export const MAX_GROUPS = 200

const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

/** The instances of one family that differ only by their date (or datetime) parameter. */
export interface TaskGroup {
  family: string
  /** The parameter the instances differ by. */
  param: string
  /** The parameters they share. */
  others: Record<string, string>
  total: number
  counts: Partial<Record<TaskStatus, number>>
  /** The earliest and latest value of `param`. */
  first: string
  last: string
  /** Up to `MAX_GROUP_INSTANCES` of them, by `param`: what a backfill's grouped view draws. */
  instances: { id: string; value: string; status: TaskStatus }[]
}

/**
 * Groups the tasks of each family that have exactly one parameter holding a date or a datetime and
 * agree on all the others (a backfill's instances, a daily task's history), with counts per status.
 * Only groups of two or more are given, the largest first.
 */
export function groupByDateParameter(states: Iterable<Readonly<TaskState>>, family?: string): { groups: TaskGroup[]; truncated: boolean } {
  const groups = new Map<string, TaskGroup>()
  for (const state of states) {
    if (!state.known || (family !== undefined && state.family !== family)) continue
    const dated = Object.keys(state.params).filter((name) => DATE.test(state.params[name]!) || DATETIME.test(state.params[name]!))
    if (dated.length !== 1) continue
    const param = dated[0]!
    const others = Object.fromEntries(Object.entries(state.params).filter(([name]) => name !== param))
    const key = `${state.family}\n${param}\n${canonicalJson(others)}`
    const value = state.params[param]!
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { family: state.family, param, others, total: 0, counts: {}, first: value, last: value, instances: [] }))
    group.total += 1
    group.counts[state.status] = (group.counts[state.status] ?? 0) + 1
    if (value < group.first) group.first = value
    if (value > group.last) group.last = value
    group.instances.push({ id: state.id, value, status: state.status })
  }
  const all = [...groups.values()].filter((group) => group.total > 1).sort((a, b) => b.total - a.total || a.family.localeCompare(b.family))
  for (const group of all) {
    group.instances.sort((a, b) => a.value.localeCompare(b.value))
    group.instances = group.instances.slice(0, MAX_GROUP_INSTANCES)
  }
  return { groups: all.slice(0, MAX_GROUPS), truncated: all.length > MAX_GROUPS }
}
