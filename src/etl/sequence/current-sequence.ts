/**
 * The execution sequence a run of a pipeline works on:
 * - `open`: the latest sequence has not completed (a failed run): resume it, same watermarks;
 * - `planned`: the latest completed and the source has changed since (or there is none yet): a new one;
 * - `complete`: the latest completed and nothing changed since: nothing to do.
 */
export interface CurrentSequence {
  readonly seq: number
  readonly state: 'open' | 'planned' | 'complete'
  /** The identity of the warehouse that holds the sequence (`ExecutionControl.identity`). */
  readonly warehouse: string | undefined
  /**
   * Markers written before warehouses had an identity vouch for this warehouse for sequences up to
   * this one (0: none do).
   */
  readonly unmarkedThrough: number
}
