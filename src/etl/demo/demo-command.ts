import type { DataServices } from '../../db/data-services.js'
import { advanceDemoSource, initDemoSource, type DemoCounts } from './demo-source.js'

export interface DemoCommandOptions {
  readonly scale?: number | undefined
  readonly seed?: number | undefined
  readonly weblogDir?: string | undefined
}

/**
 * `etl demo init|advance`: builds the sample source in the `source` connection (and the access log in
 * `weblogDir`), or moves it on by one day of changes. Returns the lines to print.
 */
export async function demoCommand(action: 'init' | 'advance', data: DataServices, options: DemoCommandOptions = {}): Promise<string> {
  const source = await data.database('source')
  const started = Date.now()
  let counts: DemoCounts
  if (action === 'init') {
    counts = await initDemoSource(source, { scale: options.scale, seed: options.seed, weblogDir: options.weblogDir })
  } else {
    counts = await advanceDemoSource(source, { seed: options.seed, weblogDir: options.weblogDir })
  }
  const what = action === 'init' ? 'built the sample source' : 'advanced the sample source by one day'
  const figures = Object.entries(counts).map(([name, count]) => `  ${name}: ${count}`)
  return `${what} in "source" (${((Date.now() - started) / 1000).toFixed(1)}s):\n${figures.join('\n')}\n`
}
