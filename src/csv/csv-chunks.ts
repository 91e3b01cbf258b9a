/**
 * Cuts a CSV byte stream (without a header) into pieces of about `targetBytes` that each end on a
 * record boundary, for loaders that take one bounded piece at a time. Memory stays at about two
 * pieces however large the stream.
 */
export async function* csvChunks(source: AsyncIterable<Buffer | string>, targetBytes: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = []
  let size = 0
  for await (const chunk of source) {
    const bytes = Buffer.from(chunk)
    parts.push(bytes)
    size += bytes.length
    if (size < targetBytes) continue
    const piece = Buffer.concat(parts, size)
    const boundary = lastRecordEnd(piece)
    if (boundary === 0) {
      // One record longer than a piece: keep gathering until it ends.
      parts = [piece]
      continue
    }
    yield piece.subarray(0, boundary)
    const rest = piece.subarray(boundary)
    parts = rest.length > 0 ? [Buffer.from(rest)] : []
    size = rest.length
  }
  if (size > 0) yield Buffer.concat(parts, size)
}

/** The index after the last LF that is outside quotes; 0 when there is none. `piece` starts a record. */
export function lastRecordEnd(piece: Buffer): number {
  let position = 0
  let end = 0
  for (;;) {
    const quote = piece.indexOf(0x22, position)
    const segmentEnd = quote < 0 ? piece.length : quote
    if (segmentEnd > position) {
      const newline = piece.lastIndexOf(0x0a, segmentEnd - 1)
      if (newline >= position) end = newline + 1
    }
    if (quote < 0) return end
    const closing = piece.indexOf(0x22, quote + 1)
    if (closing < 0) return end
    position = closing + 1
  }
}
