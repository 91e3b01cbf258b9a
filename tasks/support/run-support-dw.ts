import { WrapperTask, type TaskContext } from 'etl'
import { BuildCaseFacts } from './build-case-facts.js'
import { SUPPORT } from './pipeline.js'
import { StageAnalystHistory, StageCaseLogs, StageSla } from './stage-export-files.js'
import { StageSourceTable } from './stage-source-table.js'
import { SupportDimensions, SupportFacts } from './support-dw.js'
import { TeamPerformanceReport } from './team-performance-report.js'
import { StartSupportSequence } from './start-support-sequence.js'

/** Marks the support sequence complete: the next run opens a new one once new data has arrived. */
export class FinishSupportSequence extends SUPPORT.Step {
  static override readonly description = 'mark the support sequence complete'

  override requires() {
    return new TeamPerformanceReport()
  }

  override run(ctx: TaskContext) {
    return SUPPORT.finish(ctx)
  }
}

/**
 * The Support department's data warehouse (seed 000): wait for the export files → staging →
 * support_dw (SCD2 analysts, flattened products, priority, calendar, f_cases) → the team
 * performance report. The first run is the initial load; once new exports or source rows arrive,
 * the same command merges them; with nothing new it has nothing to do.
 */
export class SupportDW extends WrapperTask {
  static override readonly description = 'the support data warehouse: exports → staging → support_dw → team performance report'

  override requires() {
    return [
      new FinishSupportSequence(),
      new TeamPerformanceReport(),
      new SupportFacts(),
      new SupportDimensions(),
      new BuildCaseFacts(),
      new StageAnalystHistory(),
      new StageCaseLogs(),
      new StageSla(),
      ...SUPPORT.tables.map((meta) => new StageSourceTable({ table: meta.table })),
      new StartSupportSequence(),
    ]
  }
}
