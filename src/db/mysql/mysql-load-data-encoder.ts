import { Transform, type TransformCallback } from 'node:stream'
import type { ColumnDescription } from '../column-type.js'
import type { CsvRecord } from '../../csv/csv-parser.js'

const NEEDS_ESCAPE = /[\\\t\n\r\0]/
const ESCAPE = /[\\\t\n\r\0]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' }

const TRUE = new Set(['t', 'true', 'y', 'yes', 'on', '1'])
const FALSE = new Set(['f', 'false', 'n', 'no', 'off', '0'])

/** Bytes gathered before a push, so a row does not cost a stream chunk of its own. */
const FLUSH_AT_CHARS = 64 * 1024

/**
 * `LOAD DATA`'s default text format, which (unlike its CSV mode) keeps NULL apart from the empty
 * string: tab-separated fields, `\N` for NULL, and backslash escapes for backslash, tab, line breaks
 * and NUL. The statement that reads it is {@link loadDataStatement}.
 */
export function mysqlLoadDataField(value: string | null): string {
  if (value === null) return '\\N'
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE, (c) => ESCAPES[c] as string) : value
}

type Convert = (value: string) => string

/** Per-column conversions from the lake's text forms to what MySQL reads: `t`/`true` → 1 for boolean columns. */
function converterFor(column: ColumnDescription): Convert | undefined {
  if (column.type.kind !== 'boolean') return undefined
  return (value) => {
    const lower = value.toLowerCase()
    return TRUE.has(lower) ? '1' : FALSE.has(lower) ? '0' : value
  }
}

/**
 * Turns decoded CSV records into `LOAD DATA` text for the given target columns.
 * @internal
 */
export class MysqlLoadDataEncoder extends Transform {
  readonly #convert: (Convert | undefined)[]
  #pending = ''
  rows = 0

  constructor(columns: readonly ColumnDescription[]) {
    super({ writableObjectMode: true, writableHighWaterMark: 1024 })
    this.#convert = columns.map(converterFor)
  }

  override _transform(record: CsvRecord, _encoding: BufferEncoding, callback: TransformCallback): void {
    let line = ''
    for (let i = 0; i < record.length; i++) {
      const value = record[i] ?? null
      const convert = this.#convert[i]
      if (i > 0) line += '\t'
      line += mysqlLoadDataField(value !== null && convert ? convert(value) : value)
    }
    this.#pending += line + '\n'
    this.rows++
    if (this.#pending.length >= FLUSH_AT_CHARS) {
      this.push(Buffer.from(this.#pending, 'utf8'))
      this.#pending = ''
    }
    callback()
  }

  override _flush(callback: TransformCallback): void {
    if (this.#pending.length > 0) this.push(Buffer.from(this.#pending, 'utf8'))
    callback()
  }
}

/**
 * The `LOAD DATA LOCAL INFILE` statement for {@link MysqlLoadDataEncoder}'s output. Binary columns
 * arrive as `\x…` hex text and are decoded by the server.
 */
export function loadDataStatement(table: string, columns: readonly ColumnDescription[], quote: (name: string) => string): string {
  const targets = columns.map((column, index) => (column.type.kind === 'binary' ? `@v${index}` : quote(column.name)))
  const sets = columns.flatMap((column, index) =>
    column.type.kind === 'binary' ? [`${quote(column.name)} = unhex(if(@v${index} like '\\\\\\\\x%', substring(@v${index}, 3), @v${index}))`] : [],
  )
  return (
    `load data local infile 'etl-stream' into table ${table} character set utf8mb4 ` +
    `fields terminated by '\\t' escaped by '\\\\' lines terminated by '\\n' (${targets.join(', ')})` +
    (sets.length > 0 ? ` set ${sets.join(', ')}` : '')
  )
}
