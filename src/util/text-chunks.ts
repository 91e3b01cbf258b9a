/** About how much text a generator hands on at a time: large enough to cost little per chunk, small enough to stay flat. */
export const TEXT_CHUNK_CHARS = 256 * 1024

/**
 * Joins many small strings into chunks of about `chars` characters, `head` first, as they are
 * pulled: a stream fed from it holds one chunk at a time however much text there is.
 */
export function* textChunks(head: string, parts: Iterable<string>, chars = TEXT_CHUNK_CHARS): Generator<string> {
  let chunk = head
  for (const part of parts) {
    chunk += part
    if (chunk.length > chars) {
      yield chunk
      chunk = ''
    }
  }
  if (chunk) yield chunk
}
