// The tasks `etl` knows: every Task class exported here can be run by name (`npx etl run RunJob`).
import { WrapperTask } from 'etl'
import { LandTable } from './orders/land-table.js'
import { METADATA } from './orders/pipeline.js'
import { BuildPres, FinishExecution, WriteReports } from './orders/presentation.js'
import { StartExecution } from './orders/start-execution.js'
import { UpsertStore } from './orders/upsert-store.js'
import { LoadWeblog, ParseWeblog } from './orders/weblog.js'

export { PrepareSource } from './orders/prepare-source.js'
export { ordersSample } from './orders/sample.js'
export { StartExecution } from './orders/start-execution.js'
export { LandTable } from './orders/land-table.js'
export { UpsertStore } from './orders/upsert-store.js'
export { ParseWeblog, LoadWeblog } from './orders/weblog.js'
export { BuildPres, WriteReports, FinishExecution } from './orders/presentation.js'

/**
 * The orders and web log ELT (seed 003): source → lake → landing → store → pres → reports, driven by
 * the dictionaries in metadata/. Complete when the current execution sequence is: a rerun with no new
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
