import { EtlError } from '../errors.js'

/** One decoded record: each field is its text, or `null` for an empty unquoted field. */
export type CsvRecord = (string | null)[]

const FIELD_END = /[,\r\n"]/g

/**
 * An incremental RFC 4180 parser: feed it text in pieces of any size and it returns the records that
 * are complete so far, keeping the unfinished tail for the next piece. A quoted field may hold commas,
 * quotes (doubled) and line breaks; records end with LF or CRLF.
 *
 * NULL and the empty string stay apart: an empty unquoted field is `null`, `""` is `''`.
 */
export class CsvParser {
  #tail = ''
  #record = 0

  /** Parses `text` after whatever was left over; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const input = this.#tail + text
    const records: CsvRecord[] = []
    const consumed = this.#parse(input, records, false)
    this.#tail = input.slice(consumed)
    return records
  }

  /** Ends the input: the last record may lack its line ending. Throws if a quoted field never closed. */
  end(): CsvRecord[] {
    const records: CsvRecord[] = []
    if (this.#tail.length > 0) this.#parse(this.#tail, records, true)
    this.#tail = ''
    return records
  }

  /**
   * Parses the one record that starts at `start` of `input`, without touching this parser's state;
   * `undefined` when `input` ends inside it (and `final` is false).
   */
  parseOne(input: string, start: number, final: boolean): { record: CsvRecord; end: number } | undefined {
    const found: CsvRecord[] = []
    const end = this.#parseRecord(input, start, found, final)
    this.#record -= found.length
    return end < 0 || found[0] === undefined ? undefined : { record: found[0], end }
  }

  /** Records completed so far. */
  get records(): number {
    return this.#record
  }

  #parse(input: string, records: CsvRecord[], final: boolean): number {
    let start = 0
    while (start < input.length) {
      const next = this.#parseRecord(input, start, records, final)
      if (next < 0) break
      start = next
    }
    return start
  }

  /** Parses one record at `start`; returns the index after it, or -1 when the input ends inside it. */
  #parseRecord(input: string, start: number, records: CsvRecord[], final: boolean): number {
    const fields: CsvRecord = []
    let i = start
    for (;;) {
      let value: string | null
      if (input.charCodeAt(i) === 34 /* " */) {
        value = ''
        let from = i + 1
        for (;;) {
          const quote = input.indexOf('"', from)
          if (quote < 0 || (quote + 1 === input.length && !final)) {
            if (final) throw this.#malformed('a quoted field is never closed')
            return -1
          }
          if (input.charCodeAt(quote + 1) === 34) {
            value += input.slice(from, quote + 1)
            from = quote + 2
            continue
          }
          value += input.slice(from, quote)
          i = quote + 1
          break
        }
      } else {
        FIELD_END.lastIndex = i
        const match = FIELD_END.exec(input)
        if (match === null) {
          if (!final) return -1
          value = i === input.length ? null : input.slice(i)
          i = input.length
        } else {
          if (match[0] === '"') throw this.#malformed('a quote appears inside an unquoted field; quote the whole field and double the inner quote')
          value = match.index === i ? null : input.slice(i, match.index)
          i = match.index
        }
      }
      fields.push(value)
      const code = input.charCodeAt(i)
      if (code === 44 /* , */) {
        i++
        if (i === input.length && !final) return -1
        continue
      }
      if (code === 10 /* \n */) i++
      else if (code === 13 /* \r */) {
        if (i + 1 === input.length && !final) return -1
        i += input.charCodeAt(i + 1) === 10 ? 2 : 1
      } else if (i < input.length) {
        throw this.#malformed(`unexpected ${JSON.stringify(input[i])} after a quoted field; a closing quote must be followed by a comma or a line end`)
      } else if (!final) return -1
      records.push(fields)
      this.#record++
      return i
    }
  }

  #malformed(what: string): EtlError {
    return new EtlError('ETL_ERR_CSV_MALFORMED', `CSV record ${this.#record + 1} is malformed: ${what}`)
  }
}

/** Parses a whole CSV text at once. */
export function parseCsv(text: string): CsvRecord[] {
  const parser = new CsvParser()
  return [...parser.push(text), ...parser.end()]
}
