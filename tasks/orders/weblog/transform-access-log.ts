import fs from 'node:fs'
import readline from 'node:readline'
import { Readable } from 'node:stream'
import { CSV_LINE_END, encodeCsvRecord, lineStartOffset, parseTableEntry, type ColumnDescription, type Storage } from 'etl'
import { convertLogTimestamp, deviceOf, parseAccessLogLine, splitRequest } from './access-log.js'
import type { IpCountryLookup } from './ip-country.js'

/** The parsed log's columns, in file order, as the landing and store tables hold them. */
export const WEBLOG_COLUMNS: readonly ColumnDescription[] = Object.freeze(
  (
    [
      ['line_no', { kind: 'integer', bits: 64 }],
      ['ip', { kind: 'string', length: 45 }],
      ['username', { kind: 'string', length: 100 }],
      ['request_timestamp', { kind: 'string', length: 40 }],
      ['request_timestamp_converted', { kind: 'timestamp', precision: 0, withTimeZone: false }],
      ['method', { kind: 'string', length: 16 }],
      ['path', { kind: 'string', length: undefined }],
      ['protocol', { kind: 'string', length: 16 }],
      ['status', { kind: 'integer', bits: 32 }],
      ['bytes', { kind: 'integer', bits: 64 }],
      ['referrer', { kind: 'string', length: undefined }],
      ['user_agent', { kind: 'string', length: undefined }],
      ['device', { kind: 'string', length: 16 }],
      ['country', { kind: 'string', length: 60 }],
    ] as const
  ).map(([name, type]) => Object.freeze({ name, nativeType: 'text', type, nullable: true }) as ColumnDescription),
)

/** The web log as a table dictionary, so landing, store and upsert come from the same generators. */
export const WEBLOG_METADATA = parseTableEntry(
  {
    table: 'weblog_access',
    columns: WEBLOG_COLUMNS.map((column) => column.name),
    mode: 'full',
    landing: 'landing.weblog_access',
    store: 'store.weblog_access',
    key: ['line_no'],
  },
  '(built-in web log dictionary)',
)

export interface TransformAccessLogOptions {
  /** The access log (combined log format). */
  readonly logFile: string
  /** Lines already processed by earlier sequences: this run starts after them. */
  readonly fromLine: number
  /** The last line (1-based, inclusive) this sequence processes. */
  readonly toLine: number
  readonly seq: number
  readonly lookup: IpCountryLookup
  readonly lake: Storage
  /** Where the parsed CSV goes, and the rejects. */
  readonly key: string
  readonly rejectsKey: string
}

export interface TransformAccessLogResult {
  readonly parsed: number
  readonly rejected: number
  readonly distinctIps: number
}

/**
 * Parses lines `fromLine+1 … toLine` of an access log into CSV in the lake: each with its device, its
 * country (each distinct IP looked up once) and its converted timestamp. A malformed line never stops
 * the run: it goes to the rejects file with its line number.
 */
export async function transformAccessLog(options: TransformAccessLogOptions): Promise<TransformAccessLogResult> {
  const rejects: string[] = []
  let parsed = 0
  const header = encodeCsvRecord([...WEBLOG_COLUMNS.map((column) => column.name), 'exec_seq']) + CSV_LINE_END
  async function* records(): AsyncGenerator<string> {
    yield header
    // Earlier sequences' lines are skipped as bytes: splitting them into strings just to count them
    // took longer than parsing a day of new lines.
    let lineNo = options.fromLine
    let chunk = ''
    const start = await lineStartOffset(options.logFile, options.fromLine)
    const lines = readline.createInterface({ input: fs.createReadStream(options.logFile, { start }), crlfDelay: Infinity })
    for await (const line of lines) {
      lineNo += 1
      if (lineNo > options.toLine) break
      const fields = parseAccessLogLine(line)
      if (!fields) {
        rejects.push(encodeCsvRecord([lineNo, 'not a combined log format line', line]) + CSV_LINE_END)
        continue
      }
      const request = splitRequest(fields.request)
      parsed += 1
      chunk +=
        encodeCsvRecord([
          lineNo,
          fields.ip,
          fields.username,
          fields.time,
          convertLogTimestamp(fields.time),
          request.method,
          request.path,
          request.protocol,
          fields.status,
          fields.bytes,
          fields.referrer,
          fields.userAgent,
          deviceOf(fields.userAgent),
          options.lookup.country(fields.ip),
          options.seq,
        ]) + CSV_LINE_END
      if (chunk.length > 64 * 1024) {
        yield chunk
        chunk = ''
      }
    }
    lines.close()
    if (chunk) yield chunk
  }
  await options.lake.put(options.key, Readable.from(records(), { objectMode: false }))
  await options.lake.put(options.rejectsKey, encodeCsvRecord(['line_no', 'reason', 'line']) + CSV_LINE_END + rejects.join(''))
  return { parsed, rejected: rejects.length, distinctIps: options.lookup.lookups }
}
