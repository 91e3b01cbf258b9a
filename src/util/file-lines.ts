import fs from 'node:fs'

/** The number of lines in a file (0 when it does not exist). */
export async function countLines(file: string): Promise<number> {
  if (!fs.existsSync(file)) return 0
  let count = 0
  let last = 10
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) count++
    if (chunk.length) last = chunk[chunk.length - 1]!
  }
  return last === 10 ? count : count + 1
}

/** Where line `lines + 1` of a file starts: the byte after its `lines`-th newline (the end, if it has fewer). */
export async function lineStartOffset(file: string, lines: number): Promise<number> {
  let offset = 0
  let seen = 0
  if (lines <= 0) return 0
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) {
      if (++seen === lines) return offset + at + 1
    }
    offset += chunk.length
  }
  return offset
}
