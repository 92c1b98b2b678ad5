/** Keys longer than this get no suggestion (edit distance is quadratic in length). */
const maxComparedLength = 64;

function squash(key: string): string {
  return key.toLowerCase().replace(/[_-]/gu, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known key an unknown one was probably meant to be: the same letters in another case or
 * spelling convention (`allow_anonymous` for `allowAnonymous`), else the closest key at most two
 * edits away (`alowAnonymous`). Answers `undefined` when nothing is close.
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  if (key.length > maxComparedLength) return undefined;
  const squashed = squash(key);
  const sameLetters = known.find((candidate) => squash(candidate) === squashed);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const other = squash(candidate);
    // The distance is at least the difference in length: skip what cannot be closer.
    if (Math.abs(other.length - squashed.length) >= bestDistance) continue;
    const distance = editDistance(squashed, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
