import type { DataServices } from '../../db/data-services.js'
import { EtlError } from '../../errors.js'
import type { SampleData, SampleOptions } from '../../etl/sample-data.js'

export interface DemoCommandOptions extends SampleOptions {
  /** Which pipeline's sample. @defaultValue the first the module exports */
  readonly pipeline?: string | undefined
}

/**
 * `etl demo init|advance`: builds a pipeline's sample data, or moves it on by one period of changes,
 * with the generator the task module exports. Returns the lines to print.
 */
export async function demoCommand(action: 'init' | 'advance', samples: readonly SampleData[], data: DataServices, options: DemoCommandOptions = {}): Promise<string> {
  const sample = pickSample(samples, options.pipeline)
  const started = Date.now()
  const counts = action === 'init' ? await sample.init(data, options) : await sample.advance(data, options)
  const what = action === 'init' ? `built the ${sample.pipeline} sample (${sample.description})` : `advanced the ${sample.pipeline} sample by one period`
  const figures = Object.entries(counts).map(([name, count]) => `  ${name}: ${count}`)
  return `${what} in ${((Date.now() - started) / 1000).toFixed(1)}s:\n${figures.join('\n')}\n`
}

function pickSample(samples: readonly SampleData[], pipeline: string | undefined): SampleData {
  const names = samples.map((sample) => sample.pipeline)
  if (pipeline !== undefined) {
    const found = samples.find((sample) => sample.pipeline === pipeline)
    if (found) return found
    throw new EtlError('ETL_ERR_SAMPLE_UNKNOWN', `no pipeline "${pipeline}" has sample data; known: ${names.join(', ') || '(none)'}`)
  }
  // The first one the module exports is the default, so adding a pipeline changes no existing command.
  if (samples[0]) return samples[0]
  throw new EtlError('ETL_ERR_SAMPLE_UNKNOWN', 'the task module exports no sample data (see defineSampleData); pass --module to the one that does')
}
