import { createWriteStream } from 'node:fs'
import fs from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { textChunks } from 'etl'

/**
 * Writes text to `file` in chunks as it is generated, under a temporary name first: a reader that
 * watches the folder (or the next `advance`, which goes by the files present) never sees half a file.
 */
export async function writeFileAtomically(file: string, parts: Iterable<string>): Promise<void> {
  const partial = `${file}.partial`
  try {
    await pipeline(Readable.from(textChunks('', parts)), createWriteStream(partial))
    await fs.rename(partial, file)
  } finally {
    await fs.rm(partial, { force: true })
  }
}
