import { createReadStream } from 'node:fs'

/** Bytes read from a log at a time. */
const READ_BYTES = 1 << 20
const LF = 0x0a
const CR = 0x0d

/** The whole lines of one read: line `i` is `bytes[starts[i], ends[i])`, its line break left out. */
export interface LineBatch {
  readonly bytes: Buffer
  readonly starts: readonly number[]
  readonly ends: readonly number[]
}

/**
 * The lines of a text file as byte ranges, split where readline splits them (`\n`, `\r\n` or a
 * lone `\r`; a leading byte-order mark dropped), a batch of whole lines per read. A log of
 * millions of lines is read a megabyte at a time and no line becomes a string unless its reader
 * makes it one: most lines of a case log never need to.
 */
export async function* lineBatches(file: string, readBytes = READ_BYTES): AsyncGenerator<LineBatch> {
  let carried: Buffer = Buffer.alloc(0)
  let atStart = true
  for await (const read of createReadStream(file, { highWaterMark: readBytes })) {
    let bytes = carried.length ? Buffer.concat([carried, read as Buffer]) : (read as Buffer)
    if (atStart) {
      // A byte-order mark can only open the file: wait for its three bytes, then drop it.
      if (bytes.length < 3) {
        carried = bytes
        continue
      }
      bytes = bytes.subarray(bomLength(bytes))
      atStart = false
    }
    // Lines end at the last \n: a \r after it may be the first half of a \r\n split across reads.
    const last = bytes.lastIndexOf(LF)
    carried = bytes.subarray(last + 1)
    if (last >= 0) yield split(bytes, last + 1)
  }
  if (carried.length) yield split(carried, carried.length)
}

/** The lines of `bytes[0, to)`; a last line with no break after it ends at `to`. */
function split(bytes: Buffer, to: number): LineBatch {
  const starts: number[] = []
  const ends: number[] = []
  let pos = 0
  let cr = nextIndex(bytes, CR, 0, to)
  while (pos < to) {
    let lf = bytes.indexOf(LF, pos)
    if (lf < 0 || lf >= to) lf = to
    if (cr < pos) cr = nextIndex(bytes, CR, pos, to)
    const end = Math.min(lf, cr)
    starts.push(pos)
    ends.push(end)
    // \r\n is one break; a lone \r is a break of its own.
    pos = end === cr && cr + 1 === lf ? lf + 1 : end + 1
  }
  return { bytes, starts, ends }
}

/** Where `byte` next comes in `bytes[from, to)`, or `to` when it does not. */
function nextIndex(bytes: Buffer, byte: number, from: number, to: number): number {
  const found = bytes.indexOf(byte, from)
  return found < 0 || found >= to ? to : found
}

/** 3 when `bytes` opens with UTF-8's byte-order mark, else 0. */
function bomLength(bytes: Buffer): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
}
