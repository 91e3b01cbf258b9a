import { pipeline } from 'node:stream/promises'
import { PassThrough } from 'node:stream'
import { CsvRecordCounter, ExecutionControl, extractSql, param, type TaskContext } from 'etl'
import { SOURCE, WAREHOUSE, landingKey, tableMetadata } from './pipeline.js'
import { SequenceStep, runningSequence } from './sequence-task.js'
import { StartExecution } from './start-execution.js'

/** Extracts one source table's watermark window to the lake: `landing/<table>/exec_seq=<n>/part-0000.csv`. */
export class ExtractTable extends SequenceStep.with({ table: param.string({ description: 'the source table, as its dictionary names it' }) }) {
  static override readonly description = 'extract one source table (its watermark window) to the lake'
  override resources = { source: 1 }

  override requires() {
    return new StartExecution()
  }


  override async run(ctx: TaskContext) {
    const meta = tableMetadata(this.params.table)
    const { seq } = await runningSequence(ctx)
    const warehouse = await ctx.db(WAREHOUSE)
    const control = new ExecutionControl(warehouse)
    const window = (await control.tables(seq)).get(meta.table)
    const source = await ctx.db(SOURCE)
    const counter = new CsvRecordCounter()
    const out = new PassThrough()
    const copy = pipeline(source.extractCsv(extractSql(meta, seq, { start: window?.startWatermark ?? undefined, end: window?.endWatermark ?? undefined })), counter, out)
    const key = landingKey(meta.table, seq)
    ctx.progress(`extracting ${meta.table}`)
    await Promise.all([ctx.lake.put(key, out), copy])
    await control.count(seq, meta.table, 'extracted_rows', counter.rows())
    return { seq, rows: counter.rows(), key }
  }
}
