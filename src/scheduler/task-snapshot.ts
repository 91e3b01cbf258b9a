import type { TaskOrigin } from './task-origin.js'
import type { TaskState } from './task-state.js'

/**
 * A task's state as the daemon's snapshot holds it: JSON only, without what is derived from the graph.
 * Its origin is an index into the snapshot's `origins`: every task of a run shares one, and 100,000
 * copies of the same two paths would make up much of the file.
 */
export type TaskSnapshot = Omit<TaskState, 'workers' | 'dependents' | 'waitingOn' | 'origin'> & { workers: string[]; origin?: number }

/** Gives each distinct origin one index, in the order first seen. */
export class OriginTable {
  readonly origins: TaskOrigin[] = []
  readonly #index = new Map<string, number>()

  indexOf(origin: TaskOrigin): number {
    // By value: each batch of one worker's registration arrives as its own copy of the same origin.
    const key = `${origin.module}\u0000${origin.cwd}\u0000${origin.config ?? ''}`
    let index = this.#index.get(key)
    if (index === undefined) {
      index = this.origins.push(origin) - 1
      this.#index.set(key, index)
    }
    return index
  }
}

export function toSnapshot(state: TaskState, origins: OriginTable): TaskSnapshot {
  const { workers, dependents: _dependents, waitingOn: _waitingOn, origin, ...rest } = state
  return { ...rest, workers: [...workers], ...(origin ? { origin: origins.indexOf(origin) } : {}) }
}

/**
 * Back to a task state; `dependents` and `waitingOn` are rebuilt by the scheduler that restores it. A
 * snapshot from before origins were kept has neither `origins` nor `origin`, and loads without them.
 */
export function fromSnapshot(snapshot: TaskSnapshot, origins: readonly TaskOrigin[] = []): TaskState {
  const { origin, ...rest } = snapshot
  const state: TaskState = { ...rest, workers: new Set(snapshot.workers), dependents: [], waitingOn: 0 }
  const shared = origin === undefined ? undefined : origins[origin]
  if (shared) state.origin = shared
  return state
}
