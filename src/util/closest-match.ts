/**
 * The known name closest to a mistyped one, for "did you mean …?": the same name in another case,
 * else the one fewest edits away (a character added, dropped, changed, or two swapped), if that is
 * at most a third of the name's length, and at least one (so `RunJb` finds `RunJob`, `nmae` finds `name`,
 * and `Deploy` nothing among task names). Undefined when nothing is that close.
 */
export function closestMatch(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase()
  const sameLetters = known.find((candidate) => candidate.toLowerCase() === lower)
  if (sameLetters) return sameLetters
  const limit = Math.max(1, Math.floor(name.length / 3))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/**
 * Edit distance with swaps of neighbours (optimal string alignment), or `cap` once it is certain to
 * reach `cap`. Names are short: the full table is cheap.
 */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, index) => index)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1)
    }
    if (Math.min(...row) >= cap) return cap
    rows.push(row)
  }
  return rows[a.length]![b.length]!
}
