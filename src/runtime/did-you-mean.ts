/** Damerau-free Levenshtein distance, case-insensitive: small inputs (keys, names), so the O(n·m) table is fine. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const previous = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (s[i - 1] === t[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[t.length]!;
}

/**
 * The candidates close enough to `input` to be what the user meant, nearest first: a case-only difference,
 * a kebab/camel difference, or an edit distance within a third of the word's length (at least 1, at most 3).
 */
export function didYouMean(input: string, candidates: Iterable<string>, max = 3): string[] {
  const normalised = input.replace(/[-_]/g, '').toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance =
      candidate.replace(/[-_]/g, '').toLowerCase() === normalised ? 0 : editDistance(input, candidate);
    if (distance <= limit) scored.push({ candidate, distance });
  }
  return scored
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
    .slice(0, max)
    .map((s) => s.candidate);
}
