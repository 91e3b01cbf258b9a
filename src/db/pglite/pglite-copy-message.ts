/** CSV bytes per CopyData message. Measured on the 1M-row benchmark: 8 KiB to 1 MiB load alike, one 8 MiB message is slower. */
const FRAME_BYTES = 64 * 1024
/** Type byte and length of a protocol message. */
const HEADER_BYTES = 5

/**
 * One `COPY … FROM STDIN` exchange written as a single buffer of Postgres protocol messages: the
 * Query, the CSV in CopyData messages, then CopyDone. PGlite runs a whole buffer in one synchronous
 * call, so the COPY reads its data straight from it; and as nothing keeps the buffer after that call,
 * the next piece is written into the same one, so a load allocates it once.
 * @internal
 */
export class PgliteCopyMessage {
  readonly #query: Buffer
  #buffer: Buffer

  /** `copy` is the statement (`copy t (a, b) from stdin with (format csv)`); `capacity` the CSV bytes of a usual piece. */
  constructor(copy: string, capacity: number) {
    const text = Buffer.from(copy, 'utf8')
    this.#query = Buffer.alloc(HEADER_BYTES + text.length + 1)
    this.#query[0] = 0x51 // 'Q'
    this.#query.writeInt32BE(this.#query.length - 1, 1)
    text.copy(this.#query, HEADER_BYTES)
    this.#buffer = Buffer.allocUnsafe(this.#sizeFor(capacity))
  }

  /** The messages that load `parts` (whole CSV records), valid until the next call. */
  frame(parts: readonly Uint8Array[]): Uint8Array {
    const bytes = parts.reduce((sum, part) => sum + part.length, 0)
    const size = this.#sizeFor(bytes)
    // A piece can run past the usual size by the rest of a record; grow once and keep the room.
    if (size > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(size)
    const out = this.#buffer
    let at = this.#query.copy(out, 0)
    let part = 0
    let offset = 0
    for (let left = bytes; left > 0; ) {
      const frame = Math.min(FRAME_BYTES, left)
      out[at] = 0x64 // 'd': CopyData
      out.writeInt32BE(frame + 4, at + 1)
      at += HEADER_BYTES
      // A frame may span parts: CopyData boundaries need not fall on records.
      for (let need = frame; need > 0; ) {
        const from = parts[part] as Uint8Array
        const take = Math.min(need, from.length - offset)
        out.set(from.subarray(offset, offset + take), at)
        at += take
        need -= take
        offset += take
        if (offset === from.length) {
          part++
          offset = 0
        }
      }
      left -= frame
    }
    out[at] = 0x63 // 'c': CopyDone
    out.writeInt32BE(4, at + 1)
    return out.subarray(0, at + HEADER_BYTES)
  }

  #sizeFor(bytes: number): number {
    return this.#query.length + Math.ceil(bytes / FRAME_BYTES) * HEADER_BYTES + bytes + HEADER_BYTES
  }
}
