import path from 'node:path'
import { getLayout, reportFile, reportFiles, runSqlFolder, writeQueryReports, type CompletionContext, type LocalTarget, type TaskContext } from 'etl'
import { ORDERS, PRES_SQL_DIR, REPORTS_SQL_DIR } from './pipeline.js'
import { UpsertStore } from './upsert-store.js'
import { LoadWeblog } from './weblog-steps.js'

/**
 * Builds the presentation layer: every `sql/orders/pres/*.sql`, in name order
 * (pres.report_order_lines, pres.report_weblog_access), with `:exec_seq` set to the sequence, so a
 * file can refresh only what the sequence changed. Each file runs in one transaction: a reader
 * never sees a half-refreshed table, and a failure leaves the file's tables as they were.
 */
export class BuildPres extends ORDERS.Step {
  static override readonly description = 'run every sql/orders/pres/*.sql in name order'

  override requires() {
    return [new UpsertStore(), new LoadWeblog()]
  }

  override async run(ctx: TaskContext) {
    const current = await ORDERS.running(ctx)
    const warehouse = await ctx.db(ORDERS.warehouse)
    const files = await runSqlFolder(warehouse, PRES_SQL_DIR, { exec_seq: current.seq }, (file, done, total) => ctx.progress(`running ${file}.sql`, { done, total }))
    return ORDERS.result(current, { files })
  }
}

/**
 * The reporting questions of seed 003, one CSV each under `output/reports/` (the folder of the output
 * markers). The reports are outputs as well as the marker: delete one and this step runs again.
 */
export class WriteReports extends ORDERS.Step {
  static override readonly description = 'answer the reporting questions: output/reports/*.csv'

  override requires() {
    return new BuildPres()
  }

  /** Where a report goes. */
  static reportFile(name: string): LocalTarget {
    return reportFile(reportsDir(), name)
  }

  override output() {
    return [this.marker(), ...reportFiles(REPORTS_SQL_DIR, reportsDir())]
  }

  override async complete(ctx?: CompletionContext): Promise<boolean> {
    if (!(await super.complete(ctx))) return false
    for (const report of reportFiles(REPORTS_SQL_DIR, reportsDir())) if (!(await report.exists())) return false
    return true
  }

  override async run(ctx: TaskContext) {
    const current = await ORDERS.running(ctx)
    const reports = await writeQueryReports(await ctx.db(ORDERS.warehouse), REPORTS_SQL_DIR, reportsDir())
    return ORDERS.result(current, { reports })
  }
}

/** Marks the execution sequence complete: the next run starts a new one once the source has changed. */
export class FinishExecution extends ORDERS.Step {
  static override readonly description = 'mark the execution sequence complete'

  override requires() {
    return new WriteReports()
  }

  override run(ctx: TaskContext) {
    return ORDERS.finish(ctx)
  }
}

function reportsDir(): string {
  return path.join(getLayout().outputDir, 'reports')
}
