import type { CompletionContext } from '../../core/task-context.js'
import type { TaskLike } from '../../core/task-like.js'
import type { DependencyGraph } from '../../graph/dependency-graph.js'
import { walkRequirements } from '../../graph/walk-requirements.js'
import { CompletionCache } from '../../worker/completion-cache.js'
import { SecretMasker } from '../../worker/secret-masker.js'
import { firstLine } from '../../errors.js'

/** Deeper levels are drawn at this indent, with their depth written out, so a long chain stays readable. */
const MAX_INDENT = 30

/** `etl deps`: the dependency tree below a task, each node with its status. */
export async function depsCommand(root: TaskLike, context?: CompletionContext): Promise<string> {
  const graph = await walkRequirements([root], undefined, context)
  graph.assertAcyclic()
  const cache = new CompletionCache(undefined, context)
  const statuses = new Map<string, string>()
  // A failed check's error may quote a task's secret, as the worker's would.
  const secrets = new SecretMasker()
  for (const id of graph.ids()) secrets.addTask(graph.node(id)!)
  await Promise.all(
    graph.ids().map(async (id) => {
      const task = graph.node(id)!
      const check = await cache.check(task)
      statuses.set(id, secrets.text(statusText(task, check.complete, check.error)))
    }),
  )
  return drawTree(graph, root.id, statuses)
}

function statusText(task: TaskLike, complete: boolean, error: unknown): string {
  if (error !== undefined) return `ERROR checking: ${firstLine(error)}`
  if (complete) return 'COMPLETE'
  return task.kind === 'external' ? 'MISSING (external data)' : 'PENDING'
}

function drawTree(graph: DependencyGraph<TaskLike>, rootId: string, statuses: Map<string, string>): string {
  const lines: string[] = []
  const drawn = new Set<string>()
  const stack: { id: string; depth: number; prefix: string; last: boolean }[] = [{ id: rootId, depth: 0, prefix: '', last: true }]
  while (stack.length > 0) {
    const { id, depth, prefix, last } = stack.pop()!
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ '
    const deep = depth > MAX_INDENT ? `[depth ${depth}] ` : ''
    const seen = drawn.has(id)
    lines.push(`${prefix}${branch}${deep}${graph.label(id)}  [${statuses.get(id)}]${seen ? '  (see above)' : ''}`)
    if (seen) continue
    drawn.add(id)
    const children = graph.dependencies(id)
    const childPrefix = depth === 0 || depth > MAX_INDENT ? prefix : `${prefix}${last ? '   ' : '│  '}`
    for (let i = children.length - 1; i >= 0; i--) stack.push({ id: children[i]!, depth: depth + 1, prefix: childPrefix, last: i === children.length - 1 })
  }
  const counts = new Map<string, number>()
  for (const status of statuses.values()) counts.set(status, (counts.get(status) ?? 0) + 1)
  lines.push('', `${graph.size} task${graph.size === 1 ? '' : 's'}: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`)
  return `${lines.join('\n')}\n`
}
