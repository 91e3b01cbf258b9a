import { redactParams } from '../util/redact.js'
import type { TaskState } from '../scheduler/task-state.js'
import { TASK_STATUSES, type TaskStatus } from '../scheduler/task-status.js'

/** A task as the UI's table lists it. */
export interface TaskRow {
  id: string
  family: string
  /** `name=value, ...`, cut at `PARAMS_SUMMARY_CHARS` (secrets were masked when the daemon received them). */
  params: string
  status: TaskStatus
  worker: string | null
  startedAt: number | null
  endedAt: number | null
  durationMs: number | null
  updatedAt: number
  progress: string | null
  /** First line of the error, for FAILED and DISABLED tasks, cut at `LINE_SUMMARY_CHARS`. */
  error: string | null
}

export const TASK_SORTS = ['added', 'updated', 'id', 'family', 'status', 'started', 'duration'] as const
export type TaskSort = (typeof TASK_SORTS)[number]

export interface TaskQuery {
  statuses?: readonly TaskStatus[]
  families?: readonly string[]
  /** Case-insensitive text found in the id, the family or a parameter's `name=value`. */
  search?: string
  sort?: TaskSort
  descending?: boolean
  offset?: number
  limit?: number
}

/** One page of the filtered list, with how many matched in all. */
export interface TaskPage {
  total: number
  offset: number
  limit: number
  tasks: TaskRow[]
}

const PARAMS_SUMMARY_CHARS = 160
/** The table shows the start of a task's error and progress; its page shows all of them. */
const LINE_SUMMARY_CHARS = 300
/** The most rows one page returns: enough for a screen, small enough to stay fast at 100,000 tasks. */
export const MAX_PAGE = 1000

/**
 * Filters, sorts and pages the scheduler's tasks for the UI. The work is done here, on the server, so
 * the page gets a hundred rows whether the graph has a hundred tasks or a hundred thousand.
 */
export function queryTasks(states: Iterable<Readonly<TaskState>>, query: TaskQuery, now: number): TaskPage {
  const statuses = query.statuses?.length ? new Set(query.statuses) : undefined
  const families = query.families?.length ? new Set(query.families) : undefined
  const needle = query.search?.trim().toLowerCase() || undefined
  const matched: Readonly<TaskState>[] = []
  for (const state of states) {
    if (!state.known) continue
    if (statuses && !statuses.has(state.status)) continue
    if (families && !families.has(state.family)) continue
    if (needle && !matches(state, needle)) continue
    matched.push(state)
  }
  const sort = query.sort ?? 'added'
  const compare = comparators[sort]
  matched.sort((a, b) => compare(a, b, now) || a.seq - b.seq)
  if (query.descending) matched.reverse()
  const limit = Math.min(Math.max(1, query.limit ?? 100), MAX_PAGE)
  const offset = Math.max(0, query.offset ?? 0)
  return { total: matched.length, offset, limit, tasks: matched.slice(offset, offset + limit).map((state) => rowOf(state, now)) }
}

/** Tasks counted by status, plus the families known with their sizes. */
export function countTasks(states: Iterable<Readonly<TaskState>>): { byStatus: Record<TaskStatus, number>; total: number; families: Record<string, number> } {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>
  const families: Record<string, number> = {}
  let total = 0
  for (const state of states) {
    if (!state.known) continue
    byStatus[state.status] += 1
    families[state.family] = (families[state.family] ?? 0) + 1
    total += 1
  }
  return { byStatus, total, families }
}

export function rowOf(state: Readonly<TaskState>, now: number): TaskRow {
  const params = paramsSummary(state.params)
  return {
    id: state.id,
    family: state.family,
    params: params.length > PARAMS_SUMMARY_CHARS ? `${params.slice(0, PARAMS_SUMMARY_CHARS)}…` : params,
    status: state.status,
    worker: state.worker ?? null,
    startedAt: state.status === 'PENDING' ? null : (state.startedAt ?? null),
    endedAt: state.endedAt ?? null,
    durationMs: durationOf(state, now),
    updatedAt: state.updatedAt,
    progress: state.status === 'RUNNING' && state.progress ? summary(state.progress) : null,
    error: state.error ? summary(state.error.message.split('\n', 1)[0] ?? '') : null,
  }
}

function summary(line: string): string {
  return line.length > LINE_SUMMARY_CHARS ? `${line.slice(0, LINE_SUMMARY_CHARS)}…` : line
}

/** `name=value, ...` up to a little past what the table shows: a parameter may be 16,000 characters long. */
function paramsSummary(params: Readonly<Record<string, string>>): string {
  let summary = ''
  for (const [name, value] of Object.entries(params)) {
    summary += `${summary ? ', ' : ''}${name}=${value.slice(0, PARAMS_SUMMARY_CHARS)}`
    if (summary.length > PARAMS_SUMMARY_CHARS) break
  }
  return summary
}

/** How long the task ran, or has been running. */
export function durationOf(state: Readonly<TaskState>, now: number): number | null {
  if (state.startedAt === undefined) return null
  if (state.status === 'RUNNING') return Math.max(0, now - state.startedAt)
  if (state.endedAt === undefined) return null
  return Math.max(0, state.endedAt - state.startedAt)
}

function matches(state: Readonly<TaskState>, needle: string): boolean {
  if (state.id.toLowerCase().includes(needle) || state.family.toLowerCase().includes(needle)) return true
  // `name=value`, so a search for `date=2024-01-31` finds the task as the table shows it: as shown, masked,
  // or finding a task or not would tell a hidden value one letter at a time. Masked only on a match, as
  // most parameters do not match at all.
  for (const [name, value] of Object.entries(state.params)) {
    if (!`${name}=${value}`.toLowerCase().includes(needle)) continue
    if (`${name}=${shownValue(name, value)}`.toLowerCase().includes(needle)) return true
  }
  return false
}

function shownValue(name: string, value: string): string {
  return redactParams({ [name]: value })[name]!
}

type Comparator = (a: Readonly<TaskState>, b: Readonly<TaskState>, now: number) => number

const STATUS_ORDER: Record<TaskStatus, number> = { FAILED: 0, DISABLED: 1, RUNNING: 2, UPSTREAM_FAILED: 3, PENDING: 4, DONE: 5 }

const comparators: Record<TaskSort, Comparator> = {
  added: (a, b) => a.seq - b.seq,
  updated: (a, b) => a.updatedAt - b.updatedAt,
  id: (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  family: (a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : 0),
  status: (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status],
  started: (a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity),
  duration: (a, b, now) => (durationOf(a, now) ?? -1) - (durationOf(b, now) ?? -1),
}
