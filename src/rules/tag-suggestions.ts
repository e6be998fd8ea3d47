/**
 * The existing tags a mistyped one most likely meant: tags the wanted one extends or shortens
 * (`v1.2-non-existent` → `v1.2`), then the nearest by edit distance (`lates` → `latest`),
 * within a distance that still looks like a typo.
 */
export function suggestTags(wanted: string, tags: readonly string[], max = 3): string[] {
  const scored: Array<{ tag: string; rank: number; distance: number }> = []
  const limit = Math.max(2, Math.floor(wanted.length / 3))
  for (const tag of tags) {
    if (tag === wanted) continue
    const distance = editDistance(wanted.toLowerCase(), tag.toLowerCase(), limit + 1)
    const related = isSeparatedPrefix(tag, wanted) || isSeparatedPrefix(wanted, tag)
    if (distance <= limit) scored.push({ tag, rank: 0, distance })
    else if (related) scored.push({ tag, rank: 1, distance })
  }
  scored.sort((a, b) => a.rank - b.rank || a.distance - b.distance || b.tag.length - a.tag.length || (a.tag < b.tag ? -1 : 1))
  return scored.slice(0, max).map((s) => s.tag)
}

/** `v1.2` is a prefix of `v1.2-rc1` ending at a separator (so `1` is not a prefix of `10`). */
function isSeparatedPrefix(prefix: string, text: string): boolean {
  return prefix.length >= 2 && text.length > prefix.length && text.startsWith(prefix) && /[-._+]/.test(text[prefix.length]!)
}

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps), stopping early past `cap`. */
export function editDistance(a: string, b: string, cap = Infinity): number {
  if (Math.abs(a.length - b.length) >= cap) return cap
  let prev2: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1)
      row.push(d)
      best = Math.min(best, d)
    }
    if (best >= cap) return cap
    prev2 = prev
    prev = row
  }
  return prev[b.length]!
}
