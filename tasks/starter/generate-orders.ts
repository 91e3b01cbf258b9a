import { LocalTarget, Task, param } from 'etl'

export const REGIONS = ['north', 'south', 'east', 'west'] as const

/** Writes a deterministic sample of orders as CSV: the source of the starter pipeline. */
export class GenerateOrders extends Task.with({
  rows: param.int({ default: 2000, description: 'how many orders to generate' }),
  seed: param.int({ default: 42, description: 'the random seed; the same seed gives the same file' }),
}) {
  static override readonly description = 'write a sample orders.csv (starter pipeline)'

  override output(): LocalTarget {
    return new LocalTarget(`data/starter/orders-${this.params.seed}-${this.params.rows}.csv`)
  }

  override async run() {
    const random = mulberry32(this.params.seed)
    const lines = ['order_id,region,amount']
    for (let id = 1; id <= this.params.rows; id++) {
      const region = REGIONS[Math.floor(random() * REGIONS.length)]!
      lines.push(`${id},${region},${(random() * 500).toFixed(2)}`)
    }
    await this.output().write(`${lines.join('\n')}\n`)
    return { rows: this.params.rows }
  }
}

/** A tiny seeded generator, so sample data is the same on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
