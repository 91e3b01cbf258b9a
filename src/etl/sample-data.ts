import type { DataServices } from '../db/data-services.js'

/** What `etl demo` passes to a pipeline's sample generator. */
export interface SampleOptions {
  /** Sample size; 1 is the pipeline's small default. @defaultValue 1 */
  readonly scale?: number | undefined
  /** The same seed gives the same data. @defaultValue the pipeline's own */
  readonly seed?: number | undefined
  /**
   * `init` only: build the sample even where there is data already, replacing what the sample
   * consists of. Without it, `init` refuses and names what it would replace. @defaultValue false
   */
  readonly force?: boolean | undefined
}

/** Figures a generator reports: rows per table, lines per file. */
export type SampleCounts = Readonly<Record<string, number>>

/**
 * A pipeline's sample data, as `etl demo init|advance --pipeline <name>` builds it: a task module
 * exports it beside the pipeline's tasks, made with {@link defineSampleData}, and `etl demo` finds it
 * among the module's exports.
 */
export interface SampleData {
  /** The name `--pipeline` picks it by, e.g. `orders`. */
  readonly pipeline: string
  /** What `etl demo init` builds, in a few words, for help and messages. */
  readonly description: string
  /**
   * Builds the sample from nothing in the pipeline's sources. It never writes over data that is
   * there already unless `options.force` says so: it refuses, naming what it would replace.
   */
  init(data: DataServices, options: SampleOptions): Promise<SampleCounts>
  /** Moves an existing sample on by one period of new and changed data. */
  advance(data: DataServices, options: SampleOptions): Promise<SampleCounts>
}

const SAMPLE_DATA = Symbol.for('etl.sample-data')

/** Marks `spec` as a pipeline's sample data, so `etl demo` finds it among a module's exports. */
export function defineSampleData(spec: SampleData): SampleData {
  return Object.freeze(Object.defineProperty({ ...spec }, SAMPLE_DATA, { value: true }))
}

/** The sample data a task module exports, in export order. */
export function sampleDataIn(exports: Readonly<Record<string, unknown>>): SampleData[] {
  return Object.values(exports).filter(
    (value): value is SampleData => typeof value === 'object' && value !== null && (value as Record<PropertyKey, unknown>)[SAMPLE_DATA] === true,
  )
}
