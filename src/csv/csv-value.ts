/**
 * The text form of one value in a CSV field, before quoting: what a loader on the other side parses
 * back into the same value. `null` and `undefined` have no text form; the encoder writes them as an
 * empty unquoted field.
 *
 * - strings pass through unchanged (decimals, big integers and timestamps arrive here as strings, so
 *   they are written exactly as the source database wrote them);
 * - numbers use JavaScript's shortest round-trip form, bigints their full digits;
 * - booleans are `true` / `false`, which every loader here reads as a boolean;
 * - bytes are Postgres' hex form `\x0a1b…`;
 * - a `Date` is written in UTC as `YYYY-MM-DD HH:MM:SS.mmm` (drivers here are set up to return
 *   timestamps as text, so this only happens for values a task built itself);
 * - anything else is JSON.
 */
export function csvText(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'bigint':
      return String(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'undefined':
      return null
    default:
      if (value === null) return null
      if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`
      if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '')
      return JSON.stringify(value)
  }
}

// A field needs quotes when it holds a delimiter, a quote or a line break, and when it is empty (an
// unquoted empty field means NULL). `\.` alone on a line ends the data for Postgres' COPY, so it is
// quoted too.
const NEEDS_QUOTES = /[",\r\n]/
const QUOTE = /"/g

/** One field as it appears in the file: NULL is an empty unquoted field, the empty string is `""`. */
export function encodeCsvField(value: unknown): string {
  const text = csvText(value)
  if (text === null) return ''
  if (text === '' || text === '\\.') return text === '' ? '""' : '"\\."'
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text
}

/** One record, without its line ending. */
export function encodeCsvRecord(values: readonly unknown[]): string {
  let line = ''
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ','
    line += encodeCsvField(values[i])
  }
  return line
}
