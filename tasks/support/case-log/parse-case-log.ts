import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { CSV_LINE_END, encodeCsvRecord, type Storage } from 'etl'
import { parseCaseLogLine } from './case-log-line.js'
import { writeEventRecord } from './event-record.js'
import { lineBatches } from './log-lines.js'

/** The parsed events' CSV header, in column order. */
export const CASE_EVENT_COLUMNS = ['case_id', 'event', 'aid', 'event_at', 'source_file', 'line_no'] as const
/** The rejects CSV's header. */
export const CASE_LOG_REJECT_COLUMNS = ['source_file', 'line_no', 'reason', 'line'] as const

/** Characters of rejects gathered before they are written to the spool file. */
const CHUNK_CHARS = 64 * 1024

export interface ParseCaseLogOptions {
  /** The case logs, in the order to read them (name order is time order). */
  readonly files: readonly string[]
  readonly lake: Storage
  /** Where the events' CSV goes. */
  readonly key: string
  /** Where the rejects' CSV goes (written even when there are none, with its header only). */
  readonly rejectsKey: string
  /** The execution sequence, written as a last `exec_seq` column of every event when given. */
  readonly seq?: number
  /**
   * Takes the events' CSV as it is parsed, e.g. to load it while it goes to the lake (`loadThroughLake`),
   * so parsing and loading overlap. @defaultValue putting it in the lake under `key`
   */
  readonly write?: (csv: Readable) => Promise<unknown>
}

export interface ParseCaseLogResult {
  /** Events written. */
  readonly parsed: number
  /** Lines that were not events, in the rejects file. */
  readonly rejected: number
}

/**
 * Parses case logs line by line into one CSV of events in the lake (`case_id,event,aid,event_at,
 * source_file,line_no`; `aid` empty, i.e. NULL, for CREATED; `source_file` the log's file name). A
 * malformed line never stops the parse: it goes to the rejects CSV (`source_file,line_no,reason,line`)
 * with its line number and why. Both are streamed, so memory stays flat however long the logs are.
 *
 * ```ts
 * const { parsed, rejected } = await parseCaseLog({ files: ['exports/case_log_0001.log'], lake: ctx.lake, key, rejectsKey })
 * ```
 */
export async function parseCaseLog(options: ParseCaseLogOptions): Promise<ParseCaseLogResult> {
  // Rejects are spooled to a local file while the events stream to the lake, then put beside them:
  // a log that is mostly garbage must not be held in memory either.
  const spool = await fs.mkdtemp(path.join(os.tmpdir(), 'etl-case-log-'))
  const spoolFile = path.join(spool, 'rejects.csv')
  const rejects = await fs.open(spoolFile, 'w')
  try {
    let parsed = 0
    let rejected = 0
    let rejectChunk = encodeCsvRecord(CASE_LOG_REJECT_COLUMNS) + CSV_LINE_END
    async function* records(): AsyncGenerator<Buffer> {
      yield Buffer.from(encodeCsvRecord(options.seq === undefined ? CASE_EVENT_COLUMNS : [...CASE_EVENT_COLUMNS, 'exec_seq']) + CSV_LINE_END)
      const tail = Buffer.from(options.seq === undefined ? CSV_LINE_END : `,${options.seq}${CSV_LINE_END}`)
      for (const file of options.files) {
        const source = path.basename(file)
        // Every value but the file name is digits, a known word or a timestamp, none needing quotes.
        const middle = Buffer.from(`,${encodeCsvRecord([source])},`)
        let lineNo = 0
        for await (const { bytes, starts, ends } of lineBatches(file)) {
          // Each record is at most its line's bytes, four commas, the file name, a line number and the tail.
          const perLine = middle.length + tail.length + 16
          const out = Buffer.allocUnsafe(bytes.length + starts.length * perLine)
          let at = 0
          for (let i = 0; i < starts.length; i++) {
            lineNo += 1
            const written = writeEventRecord(bytes, starts[i]!, ends[i]!, out, at, middle, lineNo, tail)
            if (written >= 0) {
              parsed += 1
              at = written
              continue
            }
            const line = bytes.toString('utf8', starts[i], ends[i])
            const result = parseCaseLogLine(line)
            if ('reason' in result) {
              rejected += 1
              rejectChunk += encodeCsvRecord([source, lineNo, result.reason, line]) + CSV_LINE_END
              continue
            }
            parsed += 1
            at += out.write(`${result.case_id},${result.event},${result.aid ?? ''},${result.event_at}${middle.toString()}${lineNo}${tail.toString()}`, at)
          }
          if (rejectChunk.length > CHUNK_CHARS) {
            await rejects.write(rejectChunk)
            rejectChunk = ''
          }
          if (at > 0) yield out.subarray(0, at)
        }
      }
    }
    const csv = Readable.from(records(), { objectMode: false })
    await (options.write ? options.write(csv) : options.lake.put(options.key, csv))
    await rejects.write(rejectChunk)
    await rejects.close()
    await options.lake.put(options.rejectsKey, createReadStream(spoolFile))
    return { parsed, rejected }
  } finally {
    await rejects.close().catch(() => undefined)
    await fs.rm(spool, { recursive: true, force: true })
  }
}
