import type { TaskState } from '../scheduler/task-state.js'
import type { TaskStatus } from '../scheduler/task-status.js'

/** A task in the drawn neighbourhood: `level` < 0 upstream (what it needs), > 0 downstream (what needs it). */
export interface GraphNode {
  id: string
  family: string
  /** `name=value, ...` with secrets masked, to tell tasks of one family apart. */
  params: string
  status: TaskStatus | 'UNKNOWN'
  level: number
}

/** The dependency graph around one task, as the UI draws it. */
export interface TaskNeighbourhood {
  center: string
  nodes: GraphNode[]
  /** `from` is required by `to`. */
  edges: { from: string; to: string }[]
  /** True when levels or nodes were cut to stay drawable. */
  truncated: boolean
}

/** Nodes per side of the drawing; a wrapper over 10,000 tasks draws the first of them and says so. */
const MAX_NODES_PER_SIDE = 60

/** Walks up to `depth` levels upstream and downstream from `id`. */
export function neighbourhood(lookup: (id: string) => Readonly<TaskState> | undefined, id: string, depth: number): TaskNeighbourhood | undefined {
  const center = lookup(id)
  if (!center) return undefined
  const levels = new Map<string, number>([[id, 0]])
  let truncated = false
  for (const [direction, next] of [
    [-1, (state: Readonly<TaskState>) => state.deps],
    [1, (state: Readonly<TaskState>) => state.dependents],
  ] as const) {
    let frontier = [id]
    let added = 0
    for (let level = 1; level <= depth && frontier.length > 0; level++) {
      const following: string[] = []
      for (const current of frontier) {
        const state = lookup(current)
        if (!state) continue
        for (const neighbour of next(state)) {
          if (levels.has(neighbour)) continue
          if (added >= MAX_NODES_PER_SIDE) {
            truncated = true
            break
          }
          levels.set(neighbour, direction * level)
          following.push(neighbour)
          added += 1
        }
      }
      frontier = following
    }
    if (frontier.length > 0 && frontier.some((current) => next(lookup(current) ?? center).some((n) => !levels.has(n)))) truncated = true
  }
  const nodes: GraphNode[] = [...levels].map(([nodeId, level]) => {
    const state = lookup(nodeId)
    const params = Object.entries(state?.params ?? {})
      .map(([name, value]) => `${name}=${value.slice(0, 200)}`)
      .join(', ')
    return { id: nodeId, family: state?.family ?? nodeId.split('_', 1)[0] ?? nodeId, params: params.slice(0, 200), status: state?.known ? state.status : 'UNKNOWN', level }
  })
  const edges: { from: string; to: string }[] = []
  for (const nodeId of levels.keys()) {
    for (const dep of lookup(nodeId)?.deps ?? []) if (levels.has(dep)) edges.push({ from: dep, to: nodeId })
  }
  return { center: id, nodes, edges, truncated }
}
