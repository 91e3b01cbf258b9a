// The tasks `etl` knows: every Task class exported here can be run by name (`npx etl run RunJob`).
import { WrapperTask } from 'etl'
import { FinishExecution } from './orders/presentation.js'

export { PrepareSource } from './orders/prepare-source.js'
export { StartExecution } from './orders/start-execution.js'
export { ExtractTable } from './orders/extract-table.js'
export { LoadLanding } from './orders/load-landing.js'
export { UpsertStore } from './orders/upsert-store.js'
export { ParseWeblog, LoadWeblog } from './orders/weblog.js'
export { BuildPres, WriteReports, FinishExecution } from './orders/presentation.js'

/**
 * The orders and web log ELT (seed 003): source → lake → landing → store → pres → reports, driven by
 * the dictionaries in metadata/. Complete when the current execution sequence is: a rerun with no new
 * source data has nothing to do; new data (e.g. after `etl demo advance`) starts the next sequence.
 */
export class RunJob extends WrapperTask {
  static override readonly description = 'the orders and web log ELT (extract, landing, store, pres, reports)'

  override requires() {
    return new FinishExecution()
  }
}
