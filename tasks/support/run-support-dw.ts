import { WrapperTask, param, type TaskContext } from 'etl'
import { BuildCaseFacts } from './build-case-facts.js'
import { SUPPORT } from './pipeline.js'
import { StageAnalystHistory, StageCaseLogs, StageSla } from './stage-export-files.js'
import { StageSourceTable } from './stage-source-table.js'
import { SupportDimensions, SupportFacts } from './support-dw.js'
import { TeamPerformanceReport } from './team-performance-report.js'
import { StartSupportSequence } from './start-support-sequence.js'

/** `--rebuild`, handed down the whole chain so a rebuild's report and end follow the rebuilt facts. */
const rebuild = () => param.bool({ default: false, description: 'drop and rebuild the support DW (dimensions, facts, report) from staging' })

/** Marks the support sequence complete: the next run opens a new one once new data has arrived. */
export class FinishSupportSequence extends SUPPORT.Step.with({ rebuild: rebuild() }) {
  static override readonly description = 'mark the support sequence complete'

  override requires() {
    return new TeamPerformanceReport({ rebuild: this.params.rebuild })
  }

  override run(ctx: TaskContext) {
    return SUPPORT.finish(ctx)
  }
}

/**
 * The Support department's data warehouse (seed 000): wait for the export files → staging →
 * support_dw (SCD2 analysts, flattened products, priority, calendar, f_cases) → the team
 * performance report. The first run is the initial load; once new exports or source rows arrive,
 * the same command merges them; with nothing new it has nothing to do. `--rebuild` drops the
 * support DW and builds it again from staging, once per sequence (seed 001's
 * `--delete_existing_tables`).
 */
export class SupportDW extends WrapperTask.with({ rebuild: rebuild() }) {
  static override readonly description = 'the support data warehouse: exports → staging → support_dw → team performance report'

  override requires() {
    return [
      new FinishSupportSequence({ rebuild: this.params.rebuild }),
      new TeamPerformanceReport({ rebuild: this.params.rebuild }),
      new SupportFacts({ rebuild: this.params.rebuild }),
      new SupportDimensions({ rebuild: this.params.rebuild }),
      new BuildCaseFacts(),
      new StageAnalystHistory(),
      new StageCaseLogs(),
      new StageSla(),
      ...SUPPORT.tables.map((meta) => new StageSourceTable({ table: meta.table })),
      new StartSupportSequence(),
    ]
  }
}
