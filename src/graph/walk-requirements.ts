import { requiredTasks, uniqueTasks } from '../core/task.js'
import type { CompletionContext } from '../core/task-context.js'
import type { TaskLike } from '../core/task-like.js'
import { DependencyGraph } from './dependency-graph.js'

/**
 * The whole graph below `roots`, complete tasks included (unlike a run, which stops at complete tasks):
 * what `etl deps` draws and what `etl invalidate --downstream` searches. A task that prepares its
 * requirements (a range) is prepared first, with `context` when there is one.
 */
export async function walkRequirements(
  roots: Iterable<TaskLike>,
  graph = new DependencyGraph<TaskLike>(),
  context?: CompletionContext,
): Promise<DependencyGraph<TaskLike>> {
  const stack: TaskLike[] = []
  for (const root of roots) {
    if (graph.has(root.id)) continue
    graph.addTask(root.id, root)
    stack.push(root)
  }
  while (stack.length > 0) {
    const task = stack.pop()!
    if (task.prepare) await task.prepare(context)
    for (const dep of uniqueTasks(requiredTasks(task))) {
      if (!graph.has(dep.id)) {
        graph.addTask(dep.id, dep)
        stack.push(dep)
      }
      graph.addDependency(task.id, dep.id)
    }
  }
  return graph
}
