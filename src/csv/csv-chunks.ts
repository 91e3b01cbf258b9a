/**
 * Cuts a CSV byte stream (without a header) into pieces of about `targetBytes` that each end on a
 * record boundary, for loaders that take one bounded piece at a time. A piece is the stream's own
 * chunks, the last one cut short, not a copy: the loader copies it once, to where it needs it.
 * Memory stays at about one piece however large the stream; each byte is scanned once.
 */
export async function* csvChunks(source: AsyncIterable<Buffer | string>, targetBytes: number): AsyncGenerator<Buffer[]> {
  let parts: Buffer[] = []
  let size = 0
  let inQuotes = false
  // Where the last complete record in `parts` ends: the part and the offset after its line feed.
  let cut: { part: number; offset: number } | undefined
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (bytes.length === 0) continue
    const scan = scanRecords(bytes, inQuotes)
    inQuotes = scan.inQuotes
    parts.push(bytes)
    size += bytes.length
    if (scan.end > 0) cut = { part: parts.length - 1, offset: scan.end }
    // Below the target, or one record longer than a piece so far: keep gathering.
    if (size < targetBytes || cut === undefined) continue
    const last = parts[cut.part] as Buffer
    const piece = parts.slice(0, cut.part)
    piece.push(last.subarray(0, cut.offset))
    yield piece
    // Nothing after the cut ends a record, or the cut would have been later.
    parts = cut.offset < last.length ? [last.subarray(cut.offset), ...parts.slice(cut.part + 1)] : parts.slice(cut.part + 1)
    size = parts.reduce((sum, part) => sum + part.length, 0)
    cut = undefined
  }
  if (size > 0) yield parts
}

/** The index after the last LF that is outside quotes; 0 when there is none. `piece` starts a record. */
export function lastRecordEnd(piece: Buffer): number {
  return scanRecords(piece, false).end
}

/**
 * Finds the last record end in `bytes` (the index after an LF outside quotes, 0 if none) and whether
 * `bytes` ends inside quotes, given whether it starts inside them. Every quote toggles: a doubled
 * quote inside a quoted field closes and reopens it, which is how Postgres' COPY splits lines too.
 */
function scanRecords(bytes: Buffer, startsInQuotes: boolean): { end: number; inQuotes: boolean } {
  let position = 0
  let end = 0
  if (startsInQuotes) {
    const closing = bytes.indexOf(0x22)
    if (closing < 0) return { end, inQuotes: true }
    position = closing + 1
  }
  for (;;) {
    const quote = bytes.indexOf(0x22, position)
    const segmentEnd = quote < 0 ? bytes.length : quote
    if (segmentEnd > position) {
      const newline = bytes.lastIndexOf(0x0a, segmentEnd - 1)
      if (newline >= position) end = newline + 1
    }
    if (quote < 0) return { end, inQuotes: false }
    const closing = bytes.indexOf(0x22, quote + 1)
    if (closing < 0) return { end, inQuotes: true }
    position = closing + 1
  }
}
