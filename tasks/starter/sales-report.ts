import { LocalTarget, Task, param } from 'etl'
import { REGIONS } from './generate-orders.js'
import { SplitByRegion } from './split-by-region.js'

/** Sums the sales of each region into `output/reports/sales-by-region.csv`. */
export class SalesReport extends Task.with({
  rows: param.int({ default: 2000 }),
  seed: param.int({ default: 42 }),
}) {
  static override readonly description = 'total sales per region (starter pipeline)'

  override requires() {
    return new SplitByRegion(this.params)
  }

  override output() {
    return [this.marker(), new LocalTarget(`output/reports/sales-by-region-${this.params.seed}-${this.params.rows}.csv`)] as const
  }

  override async run() {
    const split = this.requires()
    const rows = ['region,orders,amount']
    for (const region of REGIONS) {
      const lines = (await split.regionFile(region).read()).trim().split('\n').slice(1)
      const total = lines.reduce((sum, line) => sum + Number(line.split(',')[2]), 0)
      rows.push(`${region},${lines.length},${total.toFixed(2)}`)
    }
    await this.output()[1].write(`${rows.join('\n')}\n`)
    return { regions: REGIONS.length }
  }
}
