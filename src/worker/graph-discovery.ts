import { EtlError } from '../errors.js'
import { uniqueTasks } from '../core/task.js'
import type { TaskLike } from '../core/task-like.js'
import { DependencyGraph } from '../graph/dependency-graph.js'
import type { TaskRecord } from '../scheduler/scheduler.js'
import { toTaskError } from './task-error.js'
import { CHECK_CHUNK, type CompletionCache } from './completion-cache.js'

/** What walking the graph from some roots found. */
export interface Discovery {
  graph: DependencyGraph<TaskLike>
  /** One record per task found, in discovery order, ready for `Scheduler.addTasks`. */
  records: TaskRecord[]
}

export interface DiscoverOptions {
  /** Ids that must not be reached (a running task asking for more work), or the request is a cycle. */
  forbidden?: ReadonlySet<string>
}

/** No dependencies, shared by every leaf's record. */
const NO_DEPS: readonly string[] = Object.freeze([])

/**
 * Walks `requires()` breadth-first from `roots`, checking every task's completeness concurrently, level
 * by level. Like Luigi it does not descend below a complete task. Throws a scheduling error for a cycle
 * or a malformed `requires()` before anything is registered or run.
 */
export async function discover(roots: readonly TaskLike[], cache: CompletionCache, options: DiscoverOptions = {}): Promise<Discovery> {
  const graph = new DependencyGraph<TaskLike>()
  const records: TaskRecord[] = []
  let frontier: TaskLike[] = []
  for (const root of roots) {
    if (graph.has(root.id)) continue
    graph.addTask(root.id, root)
    frontier.push(root)
  }
  try {
    while (frontier.length > 0) {
      const next: TaskLike[] = []
      for (let start = 0; start < frontier.length; start += CHECK_CHUNK) {
        const chunk = frontier.slice(start, start + CHECK_CHUNK)
        const checks = await cache.checkAll(chunk)
        chunk.forEach((task, index) => {
          if (options.forbidden?.has(task.id)) throw cycleThrough(task)
          const check = checks[index]!
          const status = check.error !== undefined ? 'FAILED' : check.complete ? 'DONE' : 'PENDING'
          const deps = status === 'PENDING' ? uniqueTasks(cache.requirements(task)) : []
          for (const dep of deps) {
            if (!graph.has(dep.id)) {
              graph.addTask(dep.id, dep)
              next.push(dep)
            }
            graph.addDependency(task.id, dep.id)
          }
          records.push(recordOf(task, deps, status, check.error))
        })
      }
      frontier = next
    }
  } finally {
    cache.forgetRequirements()
  }
  graph.assertAcyclic()
  return { graph, records }
}

function recordOf(task: TaskLike, deps: readonly TaskLike[], status: TaskRecord['status'], error: unknown): TaskRecord {
  const record: TaskRecord = {
    id: task.id,
    family: task.family,
    params: displayParams(task),
    kind: task.kind,
    deps: deps.length ? deps.map((dep) => dep.id) : (NO_DEPS as string[]),
    status,
    priority: task.priority,
    resources: checkedResources(task),
  }
  if (status === 'FAILED') {
    const cause = toTaskError(error)
    record.error = { ...cause, message: `checking whether ${task} is complete failed: ${cause.message}` }
  }
  return record
}

/** Every parameter as text (a secret as `••••`); the id's own (frozen) values when they are all of them. */
function displayParams(task: TaskLike): Record<string, string> {
  const entries = task.parameterEntries
  if (entries.every(({ parameter, secret }) => parameter.significant && !secret)) return task.serializedParams as Record<string, string>
  return Object.fromEntries(entries.map(({ name, text }) => [name, text]))
}

/**
 * A task's resources, which must be whole numbers of units: the scheduler adds and subtracts them
 * as tasks start and end, and fractions would leave rounding errors behind (units in use that
 * never return to 0).
 */
function checkedResources(task: TaskLike): Record<string, number> {
  for (const [name, amount] of Object.entries(task.resources)) {
    if (!Number.isSafeInteger(amount) || amount < 0) {
      throw new EtlError(
        'ETL_ERR_TASK_BAD_RESOURCES',
        `${task} holds ${JSON.stringify(amount)} units of resource '${name}': a task holds a whole number of units (0, 1, 2, …); scale the resource's capacity in the config instead of using fractions`,
      )
    }
  }
  return task.resources
}

function cycleThrough(task: TaskLike): EtlError {
  return new EtlError(
    'ETL_ERR_GRAPH_CYCLE',
    `the task graph has a cycle: ${task} asked, while running, for tasks that require ${task} itself`,
  )
}
