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

/**
 * A folder that receives files named so that name order is time order (`cases_0001.csv`,
 * `cases_0002.csv` …): its watermark is the last file name matching `pattern`, and a sequence reads
 * the files after the one the previous sequence read, up to the last one there when it started
 * ({@link filesInWindow}). `dir` is asked each time, so a setting that moves it applies.
 */
export function folderFilesFeed(name: string, dir: () => string, pattern: RegExp): SequenceFeed {
  const names = () => matchingFiles(dir(), pattern)
  return {
    name,
    initialWatermark: '',
    endWatermark: async () => names().at(-1) ?? '',
    isAhead: (now, last) => now > last,
    fingerprint() {
      const found = names()
      return found.length ? found : null
    },
  }
}

/** The files of `dir` matching `pattern` after `start` and up to `end` (names, in order). */
export function filesInWindow(dir: string, pattern: RegExp, start: string | null | undefined, end: string | null | undefined): string[] {
  return matchingFiles(dir, pattern).filter((file) => file > (start ?? '') && file <= (end ?? ''))
}

function matchingFiles(dir: string, pattern: RegExp): string[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  return names.filter((file) => pattern.test(file)).sort()
}
