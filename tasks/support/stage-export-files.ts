import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import {
  CSV_LINE_END,
  EtlError,
  encodeCsvRecord,
  FileFolder,
  filesInWindow,
  loadLandingBatch,
  parseCsv,
  parseTableEntry,
  qualified,
  stageLakeBatch,
  type ColumnDescription,
  type CurrentSequence,
  type TableMetadata,
  type TaskContext,
} from 'etl'
import { parseCaseLog } from './case-log/parse-case-log.js'
import { ANALYST_HISTORY_FILES, CASE_LOG_FILES, SLA_FILES, exportDir, folderLabel } from './export-dir.js'
import { ANALYST_HISTORY_FEED, CASE_LOG_FEED, SUPPORT, rejectsKey, stagingKey } from './pipeline.js'
import { readSla } from './sla/read-sla.js'
import { StartSupportSequence } from './start-support-sequence.js'

const int = (name: string, nullable = true): ColumnDescription => ({ name, nativeType: 'integer', type: { kind: 'integer', bits: 32 }, nullable })
const text = (name: string, length: number): ColumnDescription => ({ name, nativeType: `varchar(${length})`, type: { kind: 'string', length }, nullable: true })
const date = (name: string): ColumnDescription => ({ name, nativeType: 'date', type: { kind: 'date' }, nullable: true })
const timestamp = (name: string): ColumnDescription => ({ name, nativeType: 'timestamp', type: { kind: 'timestamp', precision: 0, withTimeZone: false }, nullable: true })

/** How a staged export is described: its columns, landing and staging tables and key. */
function exportTable(table: string, columns: readonly ColumnDescription[], key: string[], landing = `support_landing.${table}`): { meta: TableMetadata; columns: readonly ColumnDescription[] } {
  const meta = parseTableEntry(
    { table, columns: columns.map((column) => column.name), mode: 'full', landing, store: `staging.${table}`, key },
    `tasks/support/stage-export-files.ts (${table})`,
  )
  return { meta, columns }
}

export const ANALYST_HISTORY = exportTable('analyst_history', [int('aid'), text('name', 100), text('team', 50), text('skills', 200), date('valid_from')], ['aid', 'valid_from'])
/**
 * The case events land straight in `staging.case_events`, one batch per sequence (a rerun replaces
 * its own batch), with no store upsert: the case facts take each case's first milestones and last
 * assignment, which an event exported twice does not change, and deduplicating millions of events
 * on every load would cost more than the rest of the staging together.
 */
export const CASE_EVENTS = exportTable('case_events', [int('case_id'), text('event', 12), int('aid'), timestamp('event_at'), text('source_file', 200), int('line_no')], ['case_id', 'event', 'event_at'], 'staging.case_events')
export const SLA = exportTable('sla', [text('priority', 10), int('response_hours'), int('resolve_hours')], ['priority'])

/**
 * The export files of `feed` in the running sequence's window (after the last one the previous
 * sequence read, up to the last one there when it opened), as local paths to read.
 */
async function filesOfSequence(ctx: TaskContext, feed: string, location: string, pattern: RegExp): Promise<{ current: CurrentSequence; paths: string[]; files: string[] }> {
  const current = await SUPPORT.running(ctx)
  const window = (await SUPPORT.control(await ctx.db(SUPPORT.warehouse)).tables(current.seq)).get(feed)
  const paths = await filesInWindow(ctx.data, new FileFolder(location), pattern, window?.startWatermark, window?.endWatermark)
  return { current, paths, files: paths.map((file) => path.basename(file)) }
}

/**
 * Stages the analysts' history files that arrived in the sequence's window: one lake file, landing,
 * then upserted into `staging.analyst_history` on (aid, valid_from), so a file read twice adds nothing.
 */
export class StageAnalystHistory extends SUPPORT.Step {
  static override readonly description = "stage the new analysts' history files into staging.analyst_history"

  override requires() {
    return new StartSupportSequence()
  }

  override async run(ctx: TaskContext) {
    const { current, paths, files } = await filesOfSequence(ctx, ANALYST_HISTORY_FEED, exportDir(), ANALYST_HISTORY_FILES)
    ctx.progress(`staging ${files.length} analyst history file(s)`)
    const key = stagingKey(ANALYST_HISTORY.meta.table, current.seq)
    await ctx.lake.put(key, Readable.from(concatenatedCsv(paths, current.seq)))
    const staged = await stageLakeBatch(ctx, SUPPORT, { ...ANALYST_HISTORY, key, countsAs: ANALYST_HISTORY_FEED })
    return SUPPORT.result(current, { files, ...staged })
  }
}

/**
 * Parses the case logs that arrived in the sequence's window into events (malformed lines go to a
 * rejects file with their line numbers and are counted, never stopping the run), then loads them
 * into `staging.case_events` (see {@link CASE_EVENTS}).
 */
export class StageCaseLogs extends SUPPORT.Step {
  static override readonly description = 'parse the new case logs into staging.case_events (malformed lines to a rejects file)'

  override requires() {
    return new StartSupportSequence()
  }

  override async run(ctx: TaskContext) {
    const { current, paths, files } = await filesOfSequence(ctx, CASE_LOG_FEED, exportDir(), CASE_LOG_FILES)
    const { seq } = current
    ctx.progress(`parsing ${files.length} case log(s)`)
    const key = stagingKey(CASE_EVENTS.meta.table, seq)
    const control = SUPPORT.control(await ctx.db(SUPPORT.warehouse))
    let rows = 0
    // The events load while they are parsed and written to the lake, in one pass. Their index is
    // BuildCaseFacts' to build, beside its own work.
    const load = (csv: Readable) =>
      loadLandingBatch(
        ctx,
        SUPPORT,
        CASE_EVENTS.meta,
        CASE_EVENTS.columns,
        seq,
        async (tx) => {
          const loaded = await ctx.data.loadThroughLake(tx, qualified(CASE_EVENTS.meta.landing), key, csv)
          await control.count(seq, CASE_LOG_FEED, 'extracted_rows', loaded.rows, tx)
          return loaded
        },
        { deferIndex: true },
      ).then((loaded) => (rows = loaded))
    const parsed = await parseCaseLog({ files: paths, lake: ctx.lake, key, rejectsKey: rejectsKey(seq), seq, write: load })
    if (parsed.rejected > 0) ctx.log.warn(`${parsed.rejected} malformed case-log lines went to ${ctx.lake.uri(rejectsKey(seq))}`)
    return SUPPORT.result(current, { files, rows, rejected: parsed.rejected, rejects: parsed.rejected ? rejectsKey(seq) : null })
  }
}

/** Reads the SLA per priority (the `.xlsx` the Support department keeps, or a CSV) into `staging.sla`. */
export class StageSla extends SUPPORT.Step {
  static override readonly description = 'read the SLA per priority (sla.xlsx or sla.csv) into staging.sla'

  override requires() {
    return new StartSupportSequence()
  }

  override async run(ctx: TaskContext) {
    const current = await SUPPORT.running(ctx)
    const file = await slaFile(ctx, exportDir())
    const sla = await readSla(file)
    const key = stagingKey(SLA.meta.table, current.seq)
    const records = [[...SLA.columns.map((column) => column.name), 'exec_seq'], ...sla.map((row) => [row.priority, row.response_hours, row.resolve_hours, current.seq])]
    await ctx.lake.put(key, Readable.from(records.map((record) => encodeCsvRecord(record) + CSV_LINE_END)))
    const staged = await stageLakeBatch(ctx, SUPPORT, { ...SLA, key })
    return SUPPORT.result(current, { file: path.basename(file), ...staged })
  }
}

/** The SLA file's local path: the Excel file, else the CSV. */
async function slaFile(ctx: TaskContext, location: string): Promise<string> {
  const folder = new FileFolder(location)
  const names = (await folder.files(ctx.data, /^sla\.(xlsx|csv)$/)).map((file) => file.name)
  const name = SLA_FILES.find((candidate) => names.includes(candidate))
  if (!name) throw new EtlError('ETL_ERR_ELT_INPUT_MISSING', `no SLA file in ${folderLabel(location)}: put ${SLA_FILES.join(' or ')} there, or set tasks.WaitForSupportExports.exportDir to the folder that has it`)
  return folder.localPath(ctx.data, name)
}

/**
 * The CSV files' records one after another under the first file's header, each with the sequence
 * as a last `exec_seq` column. A file whose header differs from the first one's is an error naming it.
 */
async function* concatenatedCsv(files: readonly string[], seq: number): AsyncGenerator<string> {
  const expected = ANALYST_HISTORY.columns.map((column) => column.name)
  yield encodeCsvRecord([...expected, 'exec_seq']) + CSV_LINE_END
  for (const file of files) {
    const [header, ...records] = parseCsv(await fs.readFile(file, 'utf8'))
    if (JSON.stringify(header) !== JSON.stringify(expected)) {
      throw new EtlError('ETL_ERR_CSV_MALFORMED', `${file}: the header must be ${expected.join(',')}, got ${header?.join(',') ?? '(empty file)'}; fix the export (nothing of this sequence's history was staged)`)
    }
    yield records
      .filter((record) => record.length > 1 || record[0])
      .map((record) => encodeCsvRecord([...record, seq]) + CSV_LINE_END)
      .join('')
  }
}
