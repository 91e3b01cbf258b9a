import type { TaskContext } from 'etl'
import { SUPPORT } from './pipeline.js'
import { WaitForSupportExports } from './wait-for-exports.js'

/**
 * Opens the support pipeline's next execution sequence with its windows (the cases changed since
 * the last one, the export files that arrived since), or resumes the unfinished one.
 */
export class StartSupportSequence extends SUPPORT.Step {
  static override readonly description = 'open the next support sequence (or resume the unfinished one) with its windows'

  override requires() {
    return new WaitForSupportExports()
  }

  override run(ctx: TaskContext) {
    return SUPPORT.start(ctx)
  }
}
