// The tasks `etl` knows: every Task class exported here can be run by name (`npx etl run RunJob`).
import { WrapperTask, param } from 'etl'
import { SalesReport } from './starter/sales-report.js'

export { GenerateOrders } from './starter/generate-orders.js'
export { SplitByRegion } from './starter/split-by-region.js'
export { SalesReport } from './starter/sales-report.js'

/** The job `npx etl run RunJob --local-scheduler` runs: for now, the starter pipeline over local files. */
export class RunJob extends WrapperTask.with({
  rows: param.int({ default: 2000 }),
  seed: param.int({ default: 42 }),
}) {
  static override readonly description = 'the main job (starter pipeline: generate, split by region, report)'

  override requires() {
    return new SalesReport(this.params)
  }
}
