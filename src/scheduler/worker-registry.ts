/** What a worker says about itself when it first calls (HTTP headers of the remote scheduler). */
export interface WorkerMeta {
  host?: string
  pid?: number
  /** The run this worker belongs to; workers of one `etl run` (or one scheduled run) share it. */
  runId?: string
  /** A name for the run, such as `RunJob(date=2024-01-31)`. */
  runLabel?: string
}

/** A worker as the central scheduler tracks it. */
export interface WorkerInfo {
  id: string
  host: string | undefined
  pid: number | undefined
  runId: string
  firstSeen: number
  /** The last call from it (not journaled: a restarted daemon starts every worker's clock again). */
  lastSeen: number
  /** `lost`: it stopped calling for longer than the worker timeout. */
  state: 'active' | 'stopped' | 'lost'
  endedAt: number | undefined
}

/** The workers the central scheduler has heard from, with their last sign of life. */
export class WorkerRegistry {
  readonly #workers = new Map<string, WorkerInfo>()

  get(id: string): WorkerInfo | undefined {
    return this.#workers.get(id)
  }

  all(): IterableIterator<WorkerInfo> {
    return this.#workers.values()
  }

  /** Ids of the workers still working. */
  activeIds(): Set<string> {
    const ids = new Set<string>()
    for (const worker of this.#workers.values()) if (worker.state === 'active') ids.add(worker.id)
    return ids
  }

  /** Records a worker (or one that comes back after being lost). */
  upsert(id: string, meta: WorkerMeta, at: number): WorkerInfo {
    const known = this.#workers.get(id)
    if (known) {
      known.state = 'active'
      known.endedAt = undefined
      known.lastSeen = at
      return known
    }
    const worker: WorkerInfo = {
      id,
      host: meta.host,
      pid: meta.pid,
      runId: meta.runId ?? id,
      firstSeen: at,
      lastSeen: at,
      state: 'active',
      endedAt: undefined,
    }
    this.#workers.set(id, worker)
    return worker
  }

  end(id: string, state: 'stopped' | 'lost', at: number): WorkerInfo | undefined {
    const worker = this.#workers.get(id)
    if (!worker) return undefined
    worker.state = state
    worker.endedAt = at
    return worker
  }

  delete(id: string): void {
    this.#workers.delete(id)
  }

  snapshot(): WorkerInfo[] {
    return [...this.#workers.values()].map((worker) => ({ ...worker }))
  }

  /** Restores workers; each active one gets `now` as its last sign of life, a full timeout to call again. */
  restore(workers: readonly WorkerInfo[], now: number): void {
    this.#workers.clear()
    for (const worker of workers) this.#workers.set(worker.id, { ...worker, lastSeen: worker.state === 'active' ? now : worker.lastSeen })
  }
}
