import fs from 'node:fs/promises'
import path from 'node:path'
import {
  ExecutionControl,
  IP_RANGES_FILE,
  ACCESS_LOG_FILE,
  IpCountryLookup,
  WEBLOG_COLUMNS,
  WEBLOG_METADATA,
  qualified,
  transformAccessLog,
  upsertLandingToStore,
  type TaskContext,
} from 'etl'
import { WEBLOG_TABLE } from './current-execution.js'
import { loadLandingBatch } from './landing-batch.js'
import { WAREHOUSE, landingKey } from './pipeline.js'
import { SequenceStep, runningSequence, stepResult } from './sequence-task.js'
import { StartExecution } from './start-execution.js'
import { WEBLOG_DIR_PARAM } from './weblog-dir.js'

/** The lake key of a sequence's web log rejects. */
export function rejectsKey(seq: number): string {
  return `rejects/${WEBLOG_TABLE}/exec_seq=${seq}/rejects.csv`
}

/**
 * Parses the sequence's new access-log lines: device from the user agent, country from the local IP
 * range table (each distinct IP looked up once), timestamp converted (1900-01-01 00:00:00 when it
 * cannot be). Malformed lines go to the rejects file with their line numbers; they never stop the run.
 */
export class ParseWeblog extends SequenceStep.with({ weblogDir: WEBLOG_DIR_PARAM }) {
  static override readonly description = 'parse the new access-log lines into the lake (rejects kept apart)'

  override requires() {
    return new StartExecution()
  }

  override async run(ctx: TaskContext) {
    const current = await runningSequence(ctx)
    const { seq } = current
    const control = new ExecutionControl(await ctx.db(WAREHOUSE))
    const window = (await control.tables(seq)).get(WEBLOG_TABLE)
    const rangesFile = path.join(this.params.weblogDir, IP_RANGES_FILE)
    const lookup = IpCountryLookup.fromCsv(await fs.readFile(rangesFile, 'utf8'), rangesFile)
    ctx.progress('parsing the access log')
    const result = await transformAccessLog({
      logFile: path.join(this.params.weblogDir, ACCESS_LOG_FILE),
      fromLine: Number(window?.startWatermark ?? 0),
      toLine: Number(window?.endWatermark ?? 0),
      seq,
      lookup,
      lake: ctx.lake,
      key: landingKey(WEBLOG_TABLE, seq),
      rejectsKey: rejectsKey(seq),
    })
    await control.count(seq, WEBLOG_TABLE, 'extracted_rows', result.parsed)
    if (result.rejected > 0) ctx.log.warn(`${result.rejected} malformed access-log lines went to ${ctx.lake.uri(rejectsKey(seq))}`)
    return stepResult(current, { rows: result.parsed, rejected: result.rejected, distinct_ips: result.distinctIps, rejects: rejectsKey(seq) })
  }
}

/** Loads the parsed web log into landing (marker row in the same transaction), then upserts it into store. */
export class LoadWeblog extends SequenceStep {
  static override readonly description = 'load the parsed web log into landing and store'

  override requires() {
    return new ParseWeblog()
  }

  override async run(ctx: TaskContext) {
    const current = await runningSequence(ctx)
    const { seq } = current
    const warehouse = await ctx.db(WAREHOUSE)
    const meta = WEBLOG_METADATA
    const control = new ExecutionControl(warehouse)
    const rows = await loadLandingBatch(ctx, meta, WEBLOG_COLUMNS, seq, (tx) => ctx.data.loadFromLake(tx, qualified(meta.landing), landingKey(WEBLOG_TABLE, seq)))
    const upserted = await upsertLandingToStore(warehouse, meta, seq, (tx, keys) => control.count(seq, WEBLOG_TABLE, 'upserted_rows', keys, tx))
    return stepResult(current, { rows, upserted: upserted.rows })
  }
}
