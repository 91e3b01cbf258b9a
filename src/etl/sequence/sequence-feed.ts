import fs from 'node:fs'
import type { JsonValue } from '../../core/output-marker.js'
import { countLines } from '../../util/file-lines.js'

/**
 * A source of a sequence pipeline besides its dictionary tables: a log file, a folder of exports.
 * It has a row of its own in the control table, whose watermarks it defines (a log's line count):
 * when its end watermark moves past the last sequence's, there is new work.
 */
export interface SequenceFeed {
  /** Its row's name in the control table, e.g. `weblog_access`. */
  readonly name: string
  /** The start watermark of the first sequence. */
  readonly initialWatermark: string
  /** Its end watermark now. */
  endWatermark(): Promise<string>
  /** Whether watermark `now` is past `last`: there is new work. */
  isAhead(now: string, last: string): boolean
  /**
   * What it looks like now, cheaply (a file's size and time), for the settled record: while it is
   * the same, the feed has nothing new. Null when it does not exist.
   */
  fingerprint(): JsonValue
}

/**
 * A file that only grows by lines appended (an access log): its watermark is the number of lines,
 * and a sequence reads the lines after the last one the previous sequence read. `file` is asked
 * each time, so a setting that moves it applies.
 */
export function appendedLinesFeed(name: string, file: () => string): SequenceFeed {
  return {
    name,
    initialWatermark: '0',
    endWatermark: async () => String(await countLines(file())),
    // A log that was cut short is no new work: the lines after the last one read are what is new.
    isAhead: (now, last) => Number(now) > Number(last),
    fingerprint() {
      const stat = fs.statSync(file(), { throwIfNoEntry: false })
      return stat ? { size: stat.size, mtimeMs: stat.mtimeMs } : null
    },
  }
}
