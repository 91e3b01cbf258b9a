import type { TaskState } from './task-state.js'

/** A task's state as the daemon's snapshot holds it: JSON only, without what is derived from the graph. */
export type TaskSnapshot = Omit<TaskState, 'workers' | 'dependents' | 'waitingOn'> & { workers: string[] }

export function toSnapshot(state: TaskState): TaskSnapshot {
  const { workers, dependents: _dependents, waitingOn: _waitingOn, ...rest } = state
  return { ...rest, workers: [...workers] }
}

/** Back to a task state; `dependents` and `waitingOn` are rebuilt by the scheduler that restores it. */
export function fromSnapshot(snapshot: TaskSnapshot): TaskState {
  return { ...snapshot, workers: new Set(snapshot.workers), dependents: [], waitingOn: 0 }
}
