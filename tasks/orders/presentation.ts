import path from 'node:path'
import { ExecutionControl, LocalTarget, bindSqlVariables, encodeCsvRecord, getLayout, readSqlFiles, sqlFileNames, type CompletionContext, type TaskContext } from 'etl'
import { setCurrentExecution, settleExecution } from './current-execution.js'
import { PRES_SQL_DIR, REPORTS_SQL_DIR, WAREHOUSE } from './pipeline.js'
import { SequenceStep, runningSequence, stepResult } from './sequence-task.js'
import { UpsertStore } from './upsert-store.js'
import { LoadWeblog } from './weblog.js'

/**
 * Builds the presentation layer: every `sql/pres/*.sql`, in name order (pres.report_order_lines,
 * pres.report_weblog_access), with `:exec_seq` set to the sequence, so a file can refresh only what
 * the sequence changed. Each file runs in one transaction: a reader never sees a half-refreshed
 * table, and a failure leaves the file's tables as they were for the rerun.
 */
export class BuildPres extends SequenceStep {
  static override readonly description = 'run every sql/pres/*.sql in name order'

  override requires() {
    return [new UpsertStore(), new LoadWeblog()]
  }


  override async run(ctx: TaskContext) {
    const current = await runningSequence(ctx)
    const { seq } = current
    const warehouse = await ctx.db(WAREHOUSE)
    const files = await readSqlFiles(PRES_SQL_DIR, warehouse.sqlFlavours)
    for (const [index, file] of files.entries()) {
      ctx.progress(`running ${file.name}.sql`, { done: index, total: files.length })
      await warehouse.transaction(async (tx) => {
        for (const statement of file.statements) await tx.query(bindSqlVariables(statement, { exec_seq: seq }))
      })
    }
    return stepResult(current, { files: files.map((file) => file.name) })
  }
}

/**
 * The reporting questions of seed 003, one CSV each under `output/reports/` (the folder of the output
 * markers). The reports are outputs as well as the marker: delete one and this step runs again.
 */
export class WriteReports extends SequenceStep {
  static override readonly description = 'answer the reporting questions: output/reports/*.csv'

  override requires() {
    return new BuildPres()
  }

  override output() {
    return [this.marker(), ...sqlFileNames(REPORTS_SQL_DIR).map((name) => WriteReports.reportFile(name))]
  }

  override async complete(ctx?: CompletionContext): Promise<boolean> {
    if (!(await super.complete(ctx))) return false
    for (const name of sqlFileNames(REPORTS_SQL_DIR)) if (!(await WriteReports.reportFile(name).exists())) return false
    return true
  }

  /** Where a report goes. */
  static reportFile(name: string): LocalTarget {
    return new LocalTarget(path.join(getLayout().outputDir, 'reports', `${name}.csv`))
  }

  override async run(ctx: TaskContext) {
    const current = await runningSequence(ctx)
    const warehouse = await ctx.db(WAREHOUSE)
    const rows: Record<string, number> = {}
    for (const file of await readSqlFiles(REPORTS_SQL_DIR, warehouse.sqlFlavours)) {
      const result = await warehouse.query(file.statements.join(';\n'))
      const lines = [encodeCsvRecord(result.columns), ...result.rows.map((row) => encodeCsvRecord(result.columns.map((column) => row[column])))]
      await WriteReports.reportFile(file.name).write(`${lines.join('\r\n')}\r\n`)
      rows[file.name] = result.rows.length
    }
    return stepResult(current, { reports: rows })
  }
}

/** Marks the execution sequence complete: the next run starts a new one once the source has changed. */
export class FinishExecution extends SequenceStep {
  static override readonly description = 'mark the execution sequence complete'

  override requires() {
    return new WriteReports()
  }


  override async run(ctx: TaskContext) {
    const current = await runningSequence(ctx)
    const control = new ExecutionControl(await ctx.db(WAREHOUSE))
    await control.finish(current.seq)
    const tables = [...(await control.tables(current.seq)).values()]
    const finished = { ...current, state: 'complete' } as const
    setCurrentExecution(ctx.data, finished)
    await settleExecution(ctx.data, finished)
    return stepResult(current, { extracted: Object.fromEntries(tables.map((table) => [table.table, table.extractedRows ?? 0])) })
  }
}
