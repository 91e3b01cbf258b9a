import { LocalTarget, Task, param, type TaskContext } from 'etl'
import { GenerateOrders, REGIONS } from './generate-orders.js'

/**
 * Splits the orders into one file per region, looping over the regions with completion markers: after a
 * failure, a rerun skips the regions already written.
 */
export class SplitByRegion extends Task.with({
  rows: param.int({ default: 2000 }),
  seed: param.int({ default: 42 }),
}) {
  static override readonly description = 'split orders.csv into one file per region (starter pipeline)'

  override requires() {
    return new GenerateOrders(this.params)
  }

  regionFile(region: string): LocalTarget {
    return new LocalTarget(`data/starter/regions-${this.params.seed}-${this.params.rows}/${region}.csv`)
  }

  override async run(ctx: TaskContext) {
    const [header, ...lines] = (await this.requires().output().read()).trim().split('\n')
    const loop = await ctx.completed.each(REGIONS, async (region, index) => {
      ctx.progress(`writing ${region}`, { done: index, total: REGIONS.length })
      const mine = lines.filter((line) => line.split(',')[1] === region)
      await this.regionFile(region).write(`${[header, ...mine].join('\n')}\n`)
      return { rows: mine.length }
    })
    return { regions: REGIONS.length, written: loop.ran.length, skipped: loop.skipped.length }
  }
}
