import fs from 'node:fs'
import type { JsonValue } from '../../core/output-marker.js'
import type { DataServices } from '../../db/data-services.js'
import { countLines } from '../../util/file-lines.js'
import { FileFolder } from './file-folder.js'

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
  endWatermark(data: DataServices): Promise<string>
  /** Whether watermark `now` is past `last`: there is new work. */
  isAhead(now: string, last: string): boolean
  /**
   * What it looks like now, cheaply (a file's size and time), for the settled record: while it is
   * the same, the feed has nothing new. Null when it does not exist.
   */
  fingerprint(data: DataServices): JsonValue | Promise<JsonValue>
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
 * `cases_0002.csv` …), local or an S3 prefix ({@link FileFolder}): its watermark is the last file
 * name matching `pattern`, and a sequence reads the files after the one the previous sequence read,
 * up to the last one there when it started ({@link filesInWindow}). `location` is asked each time,
 * so a setting that moves it applies.
 */
export function folderFilesFeed(name: string, location: () => string, pattern: RegExp): SequenceFeed {
  const files = (data: DataServices) => new FileFolder(location()).files(data, pattern)
  return {
    name,
    initialWatermark: '',
    endWatermark: async (data) => (await files(data)).at(-1)?.name ?? '',
    isAhead: (now, last) => now > last,
    async fingerprint(data) {
      const found = await files(data)
      return found.length ? found.map((file) => [file.name, file.size]) : null
    },
  }
}

/** The files of `folder` matching `pattern` after `start` and up to `end`, in name order, as local paths to read. */
export async function filesInWindow(data: DataServices, folder: FileFolder, pattern: RegExp, start: string | null | undefined, end: string | null | undefined): Promise<string[]> {
  const names = (await folder.files(data, pattern)).map((file) => file.name).filter((file) => file > (start ?? '') && file <= (end ?? ''))
  const paths: string[] = []
  for (const name of names) paths.push(await folder.localPath(data, name))
  return paths
}
