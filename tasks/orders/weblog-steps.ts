import fs from 'node:fs/promises'
import path from 'node:path'
import { stageLakeBatch, type TaskContext } from 'etl'
import { ORDERS, WEBLOG_TABLE, landingKey } from './pipeline.js'
import { StartExecution } from './start-execution.js'
import { IpCountryLookup } from './weblog/ip-country.js'
import { WEBLOG_COLUMNS, WEBLOG_METADATA, transformAccessLog } from './weblog/transform-access-log.js'
import { ACCESS_LOG_FILE, IP_RANGES_FILE, WEBLOG_DIR_PARAM } from './weblog-dir.js'

/** The lake key of a sequence's web log rejects. */
export function rejectsKey(seq: number): string {
  return `rejects/${WEBLOG_TABLE}/exec_seq=${seq}/rejects.csv`
}

/**
 * Parses the sequence's new access-log lines: device from the user agent, country from the local IP
 * range table (each distinct IP looked up once), timestamp converted (1900-01-01 00:00:00 when it
 * cannot be). Malformed lines go to the rejects file with their line numbers; they never stop the run.
 */
export class ParseWeblog extends ORDERS.Step.with({ weblogDir: WEBLOG_DIR_PARAM }) {
  static override readonly description = 'parse the new access-log lines into the lake (rejects kept apart)'

  override requires() {
    return new StartExecution()
  }

  override async run(ctx: TaskContext) {
    const current = await ORDERS.running(ctx)
    const { seq } = current
    const control = ORDERS.control(await ctx.db(ORDERS.warehouse))
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
    return ORDERS.result(current, { rows: result.parsed, rejected: result.rejected, distinct_ips: result.distinctIps, rejects: rejectsKey(seq) })
  }
}

/** Loads the parsed web log into landing (marker row in the same transaction), then upserts it into store. */
export class LoadWeblog extends ORDERS.Step {
  static override readonly description = 'load the parsed web log into landing and store'

  override requires() {
    return new ParseWeblog()
  }

  override async run(ctx: TaskContext) {
    const current = await ORDERS.running(ctx)
    const staged = await stageLakeBatch(ctx, ORDERS, { meta: WEBLOG_METADATA, columns: WEBLOG_COLUMNS, key: landingKey(WEBLOG_TABLE, current.seq), countsAs: WEBLOG_TABLE })
    return ORDERS.result(current, { ...staged })
  }
}
