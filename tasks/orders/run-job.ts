import { WrapperTask } from 'etl'
import { LandTable } from './land-table.js'
import { METADATA } from './pipeline.js'
import { BuildPres, FinishExecution, WriteReports } from './presentation.js'
import { StartExecution } from './start-execution.js'
import { UpsertStore } from './upsert-store.js'
import { LoadWeblog, ParseWeblog } from './weblog-steps.js'

/**
 * The orders and web log ELT (seed 003): source → lake → landing → store → pres → reports, driven by
 * the dictionaries in metadata/orders/. Complete when the current execution sequence is: a rerun with no new
 * source data has nothing to do; new data (e.g. after `etl demo advance`) starts the next sequence.
 * It requires every step (not only the last), so deleting any one step's marker reruns that step.
 */
export class RunJob extends WrapperTask {
  static override readonly description = 'the orders and web log ELT (extract, landing, store, pres, reports)'

  override requires() {
    return [
      new FinishExecution(),
      new WriteReports(),
      new BuildPres(),
      new UpsertStore(),
      new LoadWeblog(),
      new ParseWeblog(),
      ...METADATA.map((meta) => new LandTable({ table: meta.table })),
      new StartExecution(),
    ]
  }
}
