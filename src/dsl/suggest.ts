import { didYouMean } from '../runtime/did-you-mean.js';

/**
 * "Did you mean" for DSL keys: the shared edit-distance candidates plus swapped neighbouring letters
 * (`nmae` → `name`), the most common typo in a short key, which plain edit distance counts as two edits.
 */
export function suggest(input: string, candidates: readonly string[]): string[] {
  const found = didYouMean(input, candidates);
  for (const candidate of candidates) {
    if (!found.includes(candidate) && isTransposition(input.toLowerCase(), candidate.toLowerCase())) found.push(candidate);
  }
  return found.slice(0, 3);
}

function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
  return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]] && a[diff[1]] === b[diff[0]!];
}
