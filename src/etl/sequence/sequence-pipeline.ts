import type { TaskResult, JsonValue } from '../../core/output-marker.js'
import type { CompletionContext, TaskContext } from '../../core/task-context.js'
import type { Task } from '../../core/task.js'
import { EtlError } from '../../errors.js'
import type { DataServices } from '../../db/data-services.js'
import type { Database } from '../../db/database.js'
import { maxWatermarkSql } from '../generators/extract-sql.js'
import type { TableMetadata } from '../table-metadata.js'
import { canonicalWatermark } from '../watermark-value.js'
import type { CurrentSequence } from './current-sequence.js'
import { ExecutionControl, type ExecutionTable, type OpeningWindow } from './execution-control.js'
import { openingWindow } from './opening-window.js'
import type { SequenceFeed } from './sequence-feed.js'
import { SettledSequence, type SourceSnapshot } from './settled-sequence.js'
import { stepOf, type StepClass } from './sequence-step.js'

export interface SequencePipelineOptions {
  /** The pipeline's key: its own sequence counter in the control tables, its own settled record. */
  readonly name: string
  /** The connection its dictionary tables are extracted from. */
  readonly source: string
  /** The connection of its warehouse (control tables, landing, store). */
  readonly warehouse: string
  /** Its dictionary tables. */
  readonly tables: readonly TableMetadata[]
  /** Its other sources, such as an access log. @defaultValue none */
  readonly feeds?: readonly SequenceFeed[]
  /** Schemas to create when a sequence starts, besides its tables' landing and store schemas. */
  readonly schemas?: readonly string[]
  /**
   * Takes over the sequences a warehouse recorded before pipelines had keys (the first release had
   * one pipeline and one counter). @defaultValue false
   */
  readonly adoptsUnkeyedSequences?: boolean
}

/**
 * A sequence-driven ELT pipeline: each complete run of it is an execution sequence (1, 2, 3 …) with
 * watermark windows, kept in the warehouse's control tables under the pipeline's own key. It works
 * out the sequence a run works on, opens and closes sequences, and says whether a step is complete
 * for the current one; its steps extend `pipeline.Step`.
 *
 * ```ts
 * export const ORDERS = new SequencePipeline({ name: 'orders', source: 'source', warehouse: 'warehouse', tables })
 * export class LandTable extends ORDERS.Step.with({ table: param.string() }) { … }
 * ```
 */
export class SequencePipeline {
  readonly name: string
  readonly source: string
  readonly warehouse: string
  readonly tables: readonly TableMetadata[]
  readonly feeds: readonly SequenceFeed[]
  readonly #schemas: readonly string[]
  readonly #adopts: boolean
  readonly #settled: SettledSequence
  /** The sequence of each run (its data services), worked out once per run. */
  readonly #current = new WeakMap<DataServices, Promise<CurrentSequence>>()
  /** What the sources looked like when the run's sequence read its windows. */
  readonly #snapshots = new WeakMap<DataServices, { seq: number; snapshot: SourceSnapshot }>()

  constructor(options: SequencePipelineOptions) {
    this.name = options.name
    this.source = options.source
    this.warehouse = options.warehouse
    this.tables = options.tables
    this.feeds = options.feeds ?? []
    this.#schemas = [...new Set([...(options.schemas ?? []), ...options.tables.flatMap((meta) => [meta.landing.schema, meta.store.schema])])]
    this.#adopts = options.adoptsUnkeyedSequences ?? false
    this.#settled = new SettledSequence({ name: this.name, source: this.source, warehouse: this.warehouse, feeds: this.feeds, tables: this.tables.map((meta) => meta.table) })
    this.Step = stepOf(this)
  }

  /** The base class of the pipeline's steps: complete only for its current sequence (see {@link isCompleteFor}). */
  readonly Step: StepClass

  /** The pipeline's execution control on `warehouse`. */
  control(warehouse: Database): ExecutionControl {
    return new ExecutionControl(warehouse, this.name, { adopts: this.#adopts })
  }

  /** A dictionary table by name, or an error listing the ones there are. */
  table(name: string): TableMetadata {
    const found = this.tables.find((meta) => meta.table === name)
    if (!found) throw new EtlError('ETL_ERR_METADATA_INVALID', `no dictionary of pipeline ${this.name} describes table "${name}"; known: ${this.tables.map((meta) => meta.table).join(', ')}`)
    return found
  }

  /** The sequence this run works on (see {@link CurrentSequence}), worked out once per run. */
  current(data: DataServices): Promise<CurrentSequence> {
    let found = this.#current.get(data)
    if (!found) {
      found = this.#resolve(data)
      this.#current.set(data, found)
      found.catch(() => this.#current.delete(data))
    }
    return found
  }

  /** The sequence a step works on; a step after the one that opens it never sees a planned one. */
  async running(ctx: TaskContext): Promise<CurrentSequence> {
    const current = await this.current(ctx.data)
    if (current.state === 'planned') throw new Error(`execution sequence ${current.seq} of ${this.name} has not been started; its start step must run first`)
    return current
  }

  /**
   * A step is complete only for the sequence its marker records, in the warehouse it records: when
   * the pipeline moves to a new sequence every step has work again, a wiped or replaced warehouse
   * (whose sequence 1 is not the old one's) has all its steps to do, and a deleted marker reruns
   * that step. Without the run's connections (a caller outside a run) the marker is all there is.
   */
  async isCompleteFor(task: Task<any>, ctx: CompletionContext | undefined): Promise<boolean> {
    const marker = task.marker()
    if (!(await marker.exists())) return false
    if (!ctx) return true
    const current = await this.current(ctx.data)
    if (current.state === 'planned') return false
    const result = (await marker.readRecord().catch(() => undefined))?.result
    if (result?.seq !== current.seq) return false
    const warehouse = result.warehouse ?? undefined
    // A marker from before warehouses had an identity vouches for the sequences the warehouse adopted.
    return warehouse === undefined ? current.seq <= current.unmarkedThrough : warehouse === current.warehouse
  }

  /** A step's result: its figures, with the sequence and the warehouse its marker then vouches for. */
  result(current: CurrentSequence, figures: Record<string, JsonValue> = {}): TaskResult {
    return { seq: current.seq, ...figures, warehouse: current.warehouse ?? null }
  }

  /**
   * Opens the next sequence with each table's window: from the previous sequence's end watermark
   * to the source's current largest (and each feed's), or resumes the open one with its windows.
   * Creates the pipeline's schemas first, before the steps that use them run side by side
   * (concurrent `create … if not exists` of one object can fail on Postgres).
   */
  async start(ctx: TaskContext): Promise<TaskResult> {
    const current = await this.current(ctx.data)
    const warehouse = await ctx.db(this.warehouse)
    for (const schema of this.#schemas) await warehouse.ensureSchema(schema)
    if (current.state !== 'planned') return this.result(current, { started: false })
    this.#settled.forget()
    // Taken before the windows are read, so a change made meanwhile is never taken as seen.
    const snapshot = await this.#settled.snapshot(ctx.data)
    const control = this.control(warehouse)
    const previous = current.seq > 1 ? await control.tables(current.seq - 1) : new Map()
    const windows: OpeningWindow[] = []
    const source = await ctx.db(this.source)
    // Every table's window (and its NULL-watermark count) is read, and refused, before any is opened.
    for (const meta of this.tables) windows.push(await openingWindow(ctx, source, meta, previous.get(meta.table)?.endWatermark ?? null))
    for (const feed of this.feeds) {
      windows.push({ table: feed.name, start: previous.get(feed.name)?.endWatermark ?? feed.initialWatermark, end: await feed.endWatermark(ctx.data) })
    }
    await control.begin(current.seq, windows)
    const opened: CurrentSequence = { ...current, state: 'open' }
    this.#current.set(ctx.data, Promise.resolve(opened))
    if (snapshot) this.#snapshots.set(ctx.data, { seq: current.seq, snapshot })
    ctx.log.info({ seq: current.seq }, `started execution sequence ${current.seq} of ${this.name}`)
    const nulls = windows.filter((window) => (window.nullWatermarkRows ?? 0) > 0).map((window) => [window.table, window.nullWatermarkRows!] as const)
    return this.result(opened, { started: true, ...(nulls.length ? { nullWatermark: Object.fromEntries(nulls) } : {}) })
  }

  /**
   * Marks the sequence complete. If nothing was written to the source since its windows were read,
   * the settled record lets the next run know there is nothing new without opening a database.
   */
  async finish(ctx: TaskContext): Promise<TaskResult> {
    const current = await this.running(ctx)
    const control = this.control(await ctx.db(this.warehouse))
    await control.finish(current.seq)
    const tables = [...(await control.tables(current.seq)).values()]
    const finished: CurrentSequence = { ...current, state: 'complete' }
    this.#current.set(ctx.data, Promise.resolve(finished))
    const taken = this.#snapshots.get(ctx.data)
    if (taken?.seq === current.seq && (await ctx.data.dataVersion(this.source)) === taken.snapshot.source) await this.#settled.settle(ctx.data, finished, taken.snapshot)
    return this.result(current, { ...edgeFigures(tables), extracted: Object.fromEntries(tables.map((table) => [table.table, table.extractedRows ?? 0])) })
  }

  async #resolve(data: DataServices): Promise<CurrentSequence> {
    const settled = await this.#settled.read(data)
    if (settled) return settled
    const snapshot = await this.#settled.snapshot(data)
    const control = this.control(await data.database(this.warehouse))
    const identity = await control.ensure()
    const known = { warehouse: identity.id, unmarkedThrough: this.#adopts ? identity.adoptedThrough : 0 }
    const latest = await control.latest()
    if (!latest) return { seq: 1, state: 'planned', ...known }
    if (latest.status !== 'COMPLETE') return { seq: latest.seq, state: 'open', ...known }
    const changed = await this.#sourceChanged(data, control, latest.seq).catch(() => true)
    if (changed) return { seq: latest.seq + 1, state: 'planned', ...known }
    const current: CurrentSequence = { seq: latest.seq, state: 'complete', ...known }
    if (snapshot) await this.#settled.settle(data, current, snapshot)
    return current
  }

  /**
   * True when the source has rows past a completed sequence's end watermarks, a table the sequence
   * did not cover (a new dictionary entry), or a feed has moved on. Full tables are re-read by every
   * sequence and do not, on their own, start one.
   */
  async #sourceChanged(data: DataServices, control: ExecutionControl, seq: number): Promise<boolean> {
    const tables = await control.tables(seq)
    const source = await data.database(this.source)
    for (const meta of this.tables) {
      const done = tables.get(meta.table)
      if (!done) return true
      const query = maxWatermarkSql(meta)
      if (!query) continue
      const { rows } = await source.query(query)
      const max = canonicalWatermark(rows[0]?.wm)
      if (max !== null && max !== canonicalWatermark(done.endWatermark)) return true
    }
    for (const feed of this.feeds) {
      const last = tables.get(feed.name)?.endWatermark ?? feed.initialWatermark
      if (feed.isAhead(await feed.endWatermark(data), last)) return true
    }
    return false
  }
}

/** The tables' counts of what the windows could not see or had to undo, each only where it is not 0, for the summary. */
function edgeFigures(tables: readonly ExecutionTable[]): Record<string, JsonValue> {
  const figures: Record<string, JsonValue> = {}
  const fields = { nullWatermark: 'nullWatermarkRows', reread: 'rereadRows', changed: 'changedRows', flagged: 'flaggedRows', deleted: 'deletedRows' } as const
  for (const [figure, field] of Object.entries(fields)) {
    const counts = tables.filter((table) => (table[field] ?? 0) > 0).map((table) => [table.table, table[field]!] as const)
    if (counts.length) figures[figure] = Object.fromEntries(counts)
  }
  return figures
}
