import { createReadStream } from 'node:fs'

/** Characters read from a log at a time. */
const READ_CHARS = 1 << 20
const LINE_BREAK = /\r\n|\r|\n/

/**
 * The lines of a text file, split where readline splits them (`\n`, `\r\n` or a lone `\r`, a
 * leading byte-order mark dropped), a batch of whole lines per read. A log of millions of lines is
 * read a megabyte at a time rather than a line per turn of the event loop, at a fraction of the cost.
 */
export async function* lineBatches(file: string, readChars = READ_CHARS): AsyncGenerator<string[]> {
  let tail = ''
  let first = true
  for await (const read of createReadStream(file, { encoding: 'utf8', highWaterMark: readChars })) {
    let text = tail + (read as string)
    if (first) {
      text = text.replace(/^\uFEFF/, '')
      first = false
    }
    // Lines end at the last \n: a \r after it may be the first half of a \r\n split across reads.
    const end = text.lastIndexOf('\n')
    if (end < 0) {
      tail = text
      continue
    }
    tail = text.slice(end + 1)
    // Split with the last break kept, so a \r\n there is one break; the empty string after it is no line.
    const lines = text.slice(0, end + 1).split(LINE_BREAK)
    lines.pop()
    yield lines
  }
  if (tail === '') return
  const lines = tail.split(LINE_BREAK)
  // A last line ended by a lone \r: the split leaves an empty string after it that is no line.
  if (tail.endsWith('\r')) lines.pop()
  yield lines
}
