/**
 * Orders lake keys as S3 lists them: by their UTF-8 bytes, which is not JavaScript's string order
 * for every character, so a local lake lists in the order S3 does, and a range means the same.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
