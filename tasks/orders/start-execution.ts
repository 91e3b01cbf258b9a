import type { TaskContext } from 'etl'
import { ORDERS } from './pipeline.js'
import { PrepareSource } from './prepare-source.js'

/**
 * Decides the execution sequence: resumes the open one (a failed run; same watermarks), or opens the
 * next one with each table's window: from the previous sequence's end watermark to the source's
 * current largest watermark (and, for the web log, from the last line processed to the last line now).
 */
export class StartExecution extends ORDERS.Step {
  static override readonly description = 'open the next execution sequence (or resume the unfinished one) with its watermarks'

  override requires() {
    return new PrepareSource()
  }

  override run(ctx: TaskContext) {
    return ORDERS.start(ctx)
  }
}
