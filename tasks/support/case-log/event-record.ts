const COMMA = 0x2c
const ZERO = 0x30
const NINE = 0x39
const CASE_OPEN = Buffer.from(' [case ')
const CREATED = Buffer.from('CREATED')
/** Each event that names an analyst: the words before the analyst's id, and the event name's length. */
const WITH_ANALYST = ['ASSIGNED to analyst ', 'RESPONDED by analyst ', 'RESOLVED by analyst '].map((words) => ({ words: Buffer.from(words), name: words.indexOf(' ') }))
/** Where a timestamp has its digits. */
const STAMP_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
/** `YYYY-MM-DD HH:MM:SS`. */
const STAMP = 19
/** The shortest event line: a timestamp, ` [case 1] `, `CREATED`. */
const SHORTEST = STAMP + CASE_OPEN.length + 3 + CREATED.length

/**
 * Writes the events-CSV record of the case-log line `line[start, end)` into `out` at `at` and
 * returns where it ends, reading the line's bytes as they are: `<case>,<EVENT>,<aid>,<timestamp>`,
 * then `middle` (`,<source file>,`), the line number and `tail` (`,<seq>` and the line end).
 *
 * It takes only the lines it can be sure of, the plainly well-formed ones (ids without leading
 * zeros and under ten digits, a year from 1000), and returns -1 for any other, which
 * `parseCaseLogLine` then reads with every rule. That is all but a handful of a real log's lines,
 * and none of them becomes a string: parsing millions of lines this way costs a fraction of the
 * garbage a regular expression's matches make. `out` must have room for the line's bytes plus
 * `middle`, `tail` and 16.
 */
export function writeEventRecord(line: Buffer, start: number, end: number, out: Buffer, at: number, middle: Buffer, lineNo: number, tail: Buffer): number {
  if (end - start < SHORTEST || !validStamp(line, start) || !bytesAt(line, start + STAMP, end, CASE_OPEN)) return -1
  const idStart = start + STAMP + CASE_OPEN.length
  const idEnd = digitsEnd(line, idStart, end)
  if (!plainId(line, idStart, idEnd) || line[idEnd] !== 0x5d || line[idEnd + 1] !== 0x20) return -1
  const event = idEnd + 2
  let eventEnd = -1
  let aid = -1
  if (end - event === CREATED.length && bytesAt(line, event, end, CREATED)) eventEnd = end
  for (const { words, name } of WITH_ANALYST) {
    if (eventEnd >= 0) break
    if (!bytesAt(line, event, end, words)) continue
    eventEnd = event + name
    aid = event + words.length
    if (digitsEnd(line, aid, end) !== end || !plainId(line, aid, end)) return -1
  }
  if (eventEnd < 0) return -1
  let to = copy(line, idStart, idEnd, out, at)
  out[to++] = COMMA
  to = copy(line, event, eventEnd, out, to)
  out[to++] = COMMA
  if (aid >= 0) to = copy(line, aid, end, out, to)
  out[to++] = COMMA
  to = copy(line, start, start + STAMP, out, to)
  to = copy(middle, 0, middle.length, out, to)
  to = writeDecimal(lineNo, out, to)
  return copy(tail, 0, tail.length, out, to)
}

/**
 * `YYYY-MM-DD HH:MM:SS` at `at`, a day that exists and a time of day. A byte loop: `Buffer.copy`
 * and `subarray` make an object per call, which for a few bytes costs more than the copy.
 */
function validStamp(b: Buffer, at: number): boolean {
  for (const i of STAMP_DIGITS) if (!isDigit(b[at + i]!)) return false
  if (b[at + 4] !== 0x2d || b[at + 7] !== 0x2d || b[at + 10] !== 0x20 || b[at + 13] !== 0x3a || b[at + 16] !== 0x3a || b[at] === ZERO) return false
  const year = number(b, at, 4)
  const month = number(b, at + 5, 2)
  const day = number(b, at + 8, 2)
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && number(b, at + 11, 2) <= 23 && number(b, at + 14, 2) <= 59 && number(b, at + 17, 2) <= 59
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** An id of 1 to 9 digits with no leading zero: always within 1..2^31-1, and written as it stands. */
function plainId(b: Buffer, from: number, to: number): boolean {
  return to > from && to - from <= 9 && b[from] !== ZERO
}

function digitsEnd(b: Buffer, from: number, to: number): number {
  let at = from
  while (at < to && isDigit(b[at]!)) at++
  return at
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= NINE
}

function number(b: Buffer, at: number, length: number): number {
  let value = 0
  for (let i = 0; i < length; i++) value = value * 10 + (b[at + i]! - ZERO)
  return value
}

/** Whether `expected` stands in `b` at `at`, wholly before `end`. */
function bytesAt(b: Buffer, at: number, end: number, expected: Buffer): boolean {
  if (at + expected.length > end) return false
  for (let i = 0; i < expected.length; i++) if (b[at + i] !== expected[i]) return false
  return true
}

function copy(from: Buffer, start: number, end: number, out: Buffer, at: number): number {
  for (let i = start; i < end; i++) out[at++] = from[i]!
  return at
}

function writeDecimal(value: number, out: Buffer, at: number): number {
  let digits = 1
  for (let bound = 10; value >= bound; bound *= 10) digits++
  let rest = value
  for (let i = digits - 1; i >= 0; i--) {
    out[at + i] = ZERO + (rest % 10)
    rest = Math.floor(rest / 10)
  }
  return at + digits
}
