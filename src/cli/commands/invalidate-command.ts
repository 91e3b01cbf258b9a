import fs from 'node:fs/promises'
import path from 'node:path'
import { getLayout } from '../../core/layout.js'
import { CompletionMarkers } from '../../core/completion-markers.js'
import type { MarkerRecord } from '../../core/output-marker.js'
import type { Target } from '../../core/target.js'
import { outputTargets } from '../../core/task.js'
import type { CompletionContext } from '../../core/task-context.js'
import type { TaskLike } from '../../core/task-like.js'
import type { TaskRegistry } from '../../core/task-registry.js'
import { DependencyGraph } from '../../graph/dependency-graph.js'
import { walkRequirements } from '../../graph/walk-requirements.js'

export interface InvalidateOptions {
  downstream: boolean
  dryRun: boolean
}

/** What `etl invalidate` did: its report, and how many tasks it could not invalidate. */
export interface InvalidateResult {
  readonly output: string
  readonly failed: number
}

/**
 * `etl invalidate`: removes a task's outputs (its marker, its files), the completion targets it keeps
 * elsewhere (a marker row, through `ctx`'s connections) and its per-item markers so it runs again;
 * with `downstream`, also every task that depends on it, found among the tasks that have markers on
 * disk and the registered tasks that take no required parameters. A task that cannot be invalidated
 * (its connection is down) is reported and the others still are.
 */
export async function invalidateCommand(root: TaskLike, registry: TaskRegistry, options: InvalidateOptions, ctx?: CompletionContext): Promise<InvalidateResult> {
  const tasks = options.downstream ? await downstreamOf(root, registry) : [root]
  const lines: string[] = []
  let removed = 0
  let failed = 0
  for (const task of tasks) {
    try {
      const done = await invalidateOne(task, options.dryRun, ctx)
      if (done.length === 0) continue
      removed += 1
      lines.push(...done)
    } catch (error) {
      failed += 1
      lines.push(`could not invalidate ${task}: ${(error as Error).message}`)
    }
  }
  const verb = options.dryRun ? 'would be invalidated' : 'invalidated'
  const none = `Nothing to invalidate: ${root} has no outputs${options.downstream ? ', nor does anything downstream' : ''}.`
  lines.push(removed ? `${removed} task${removed === 1 ? '' : 's'} ${verb}.` : failed ? '' : none)
  if (failed) lines.push(`${failed} task${failed === 1 ? '' : 's'} could not be invalidated: fix what is said above and run the same command again.`)
  return { output: `${lines.filter(Boolean).join('\n')}\n`, failed }
}

/**
 * Invalidates one task, saying what it removed (nothing: an empty list). The targets it keeps
 * elsewhere go first, so a failure part-way leaves it incomplete, never complete without its outputs.
 */
async function invalidateOne(task: TaskLike, dryRun: boolean, ctx: CompletionContext | undefined): Promise<string[]> {
  const existing = []
  for (const target of await targetsOf(task, ctx)) if (await target.exists()) existing.push(target)
  const markers = new CompletionMarkers(task.family, task.id)
  const items = (await markers.list()).length
  if (existing.length === 0 && items === 0) return []
  const what = [...existing.map(String), ...(items ? [`${items} item marker${items === 1 ? '' : 's'} in ${path.relative(process.cwd(), markers.dir)}`] : [])]
  const fixed = existing.filter((target) => !target.remove)
  if (!dryRun) {
    for (const target of existing) await target.remove?.()
    await markers.clear()
  }
  const lines = [`${dryRun ? 'would invalidate' : 'invalidated'} ${task}: ${what.join(', ')}`]
  if (fixed.length) lines.push(`  cannot remove ${fixed.map(String).join(', ')}: delete it by hand`)
  return lines
}

/** The task's completion targets kept elsewhere first, then its outputs. */
async function targetsOf(task: TaskLike, ctx: CompletionContext | undefined): Promise<Target[]> {
  const kept = ctx && task.completionTargets ? await task.completionTargets(ctx) : []
  return [...kept, ...outputTargets(task)]
}

async function downstreamOf(root: TaskLike, registry: TaskRegistry): Promise<TaskLike[]> {
  const graph = new DependencyGraph<TaskLike>()
  await walkRequirements([root], graph)
  for (const candidate of [...defaultInstances(registry), ...(await tasksWithMarkers(registry))]) {
    try {
      await walkRequirements([candidate], graph)
    } catch {
      // A task whose requires() cannot be evaluated here cannot be shown to depend on the root.
    }
  }
  return [...graph.downstream(root.id)].map((id) => graph.node(id)!)
}

/** Every registered task that can be built from defaults and config alone. */
function defaultInstances(registry: TaskRegistry): TaskLike[] {
  const tasks: TaskLike[] = []
  for (const family of registry.families()) {
    try {
      tasks.push(registry.create(family, {}))
    } catch {
      // It needs parameters only a command line can give; markers on disk cover its instances.
    }
  }
  return tasks
}

/** The tasks whose output markers are on disk, rebuilt from the parameters each marker records. */
async function tasksWithMarkers(registry: TaskRegistry): Promise<TaskLike[]> {
  const { outputDir } = getLayout()
  const tasks: TaskLike[] = []
  for (const family of registry.families()) {
    let files: string[]
    try {
      files = await fs.readdir(path.join(outputDir, family))
    } catch {
      continue
    }
    for (const file of files.filter((name) => name.endsWith('.json') && !name.startsWith('.'))) {
      try {
        const record = JSON.parse(await fs.readFile(path.join(outputDir, family, file), 'utf8')) as MarkerRecord
        tasks.push(registry.create(family, record.params))
      } catch {
        // A marker from an older version of the task (renamed parameters): nothing to rebuild.
      }
    }
  }
  return tasks
}
