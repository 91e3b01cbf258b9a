/** How a run (the workers of one `etl run`, or one scheduled run) stands. */
export type RunStatus = 'running' | 'succeeded' | 'failed'

/** A run as the central scheduler tracks it. */
export interface RunInfo {
  id: string
  label: string
  startedAt: number
  endedAt: number | undefined
  status: RunStatus
  /** The task(s) the run asked for: the first ones its first worker registered. */
  rootIds: string[]
  workerIds: string[]
}

/** The runs the central scheduler has seen, keyed by run id. */
export class RunRegistry {
  readonly #runs = new Map<string, RunInfo>()

  get(id: string): RunInfo | undefined {
    return this.#runs.get(id)
  }

  all(): IterableIterator<RunInfo> {
    return this.#runs.values()
  }

  /** Adds a worker to its run, starting the run when it is the first. */
  join(runId: string, workerId: string, label: string | undefined, at: number): RunInfo {
    let run = this.#runs.get(runId)
    if (!run) {
      run = { id: runId, label: label ?? '', startedAt: at, endedAt: undefined, status: 'running', rootIds: [], workerIds: [] }
      this.#runs.set(runId, run)
    }
    if (!run.workerIds.includes(workerId)) run.workerIds.push(workerId)
    if (run.status !== 'running') {
      run.status = 'running'
      run.endedAt = undefined
    }
    return run
  }

  delete(id: string): void {
    this.#runs.delete(id)
  }

  snapshot(): RunInfo[] {
    return [...this.#runs.values()].map((run) => ({ ...run, rootIds: [...run.rootIds], workerIds: [...run.workerIds] }))
  }

  restore(runs: readonly RunInfo[]): void {
    this.#runs.clear()
    for (const run of runs) this.#runs.set(run.id, { ...run })
  }
}
