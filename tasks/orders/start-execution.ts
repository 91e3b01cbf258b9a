import path from 'node:path'
import { ACCESS_LOG_FILE, ExecutionControl, TableUpdateTarget, countLines, createSchemaSql, maxWatermarkSql, type TaskContext } from 'etl'
import { WEBLOG_TABLE, currentExecution, rememberSnapshot, setCurrentExecution } from './current-execution.js'
import { METADATA, SOURCE, WAREHOUSE } from './pipeline.js'
import { PrepareSource } from './prepare-source.js'
import { SequenceStep, stepResult } from './sequence-task.js'
import { takeSnapshot, unsettle } from './settled-execution.js'
import { weblogDir } from './weblog-dir.js'

/**
 * Decides the execution sequence: resumes the open one (a failed run; same watermarks), or opens the
 * next one with each table's window: from the previous sequence's end watermark to the source's
 * current largest watermark (and, for the web log, from the last line processed to the last line now).
 */
export class StartExecution extends SequenceStep {
  static override readonly description = 'open the next execution sequence (or resume the unfinished one) with its watermarks'

  override requires() {
    return new PrepareSource()
  }


  override async run(ctx: TaskContext) {
    const current = await currentExecution(ctx.data)
    const warehouse = await ctx.db(WAREHOUSE)
    // Shared objects are created here, before the steps that use them run side by side: concurrent
    // CREATE … IF NOT EXISTS of the same object can fail on Postgres.
    for (const schema of new Set(['landing', 'store', ...METADATA.flatMap((meta) => [meta.landing.schema, meta.store.schema])])) {
      await warehouse.query(createSchemaSql(schema))
    }
    await new TableUpdateTarget(warehouse, 'landing', 'none').ensureMarkerTable()
    if (current.state !== 'planned') return stepResult(current, { started: false })
    unsettle()
    const snapshot = await takeSnapshot(ctx.data)
    const source = await ctx.db(SOURCE)
    const control = new ExecutionControl(warehouse)
    const identity = await control.ensure()
    const previous = current.seq > 1 ? await control.tables(current.seq - 1) : new Map()
    const windows = []
    for (const meta of METADATA) {
      const query = maxWatermarkSql(meta)
      const end = query ? ((await source.query(query)).rows[0]?.wm ?? null) : null
      windows.push({ table: meta.table, start: previous.get(meta.table)?.endWatermark ?? null, end: end === null ? null : String(end) })
    }
    const lines = await countLines(path.join(weblogDir(), ACCESS_LOG_FILE))
    windows.push({ table: WEBLOG_TABLE, start: previous.get(WEBLOG_TABLE)?.endWatermark ?? '0', end: String(lines) })
    await control.begin(current.seq, windows)
    const opened = { seq: current.seq, state: 'open', warehouse: identity } as const
    setCurrentExecution(ctx.data, opened)
    rememberSnapshot(ctx.data, current.seq, snapshot)
    ctx.log.info({ seq: current.seq }, `started execution sequence ${current.seq}`)
    return stepResult(opened, { started: true })
  }
}
