/**
 * A 32-bit seed from any text (FNV-1a). Each part of the sample draws from a generator of its own,
 * seeded from the user's seed and the part's name, so a change to the draws of one part (say, a new
 * kind of analyst change) never shifts the rows of another.
 */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** The seed of one part of the sample (`deriveSeed(42, 'cases', 3)`). */
export function deriveSeed(seed: number, ...parts: readonly (string | number)[]): number {
  return seedOf([seed, ...parts].join('/'))
}
