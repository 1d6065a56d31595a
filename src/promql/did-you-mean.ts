/** Edit distance (insertions, deletions, substitutions and swaps of neighbours all cost 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * The candidates closest to `word`, best first: at most `limit`, and only those near enough to be a
 * plausible typo (a third of the word's length, at least two edits) or that extend it.
 */
export function closest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const budget = Math.max(2, Math.floor(word.length / 3));
  const scored: Array<[string, number]> = [];
  for (const c of new Set(candidates)) {
    if (c === word) continue;
    // A word that is the start of a longer name (`model` for `model_name`) is a likely intent too.
    const extendsWord = Math.min(word.length, c.length) >= 3 && (c.startsWith(word) || word.startsWith(c));
    if (!extendsWord && Math.abs(c.length - word.length) > budget) continue;
    const distance = editDistance(word.toLowerCase(), c.toLowerCase());
    if (distance <= budget) scored.push([c, distance]);
    else if (extendsWord) scored.push([c, budget]);
  }
  // Equal distances: the candidate sharing the longer prefix is the likelier intent (`rat` → `rate`).
  scored.sort((x, y) => x[1] - y[1] || commonPrefix(word, y[0]) - commonPrefix(word, x[0]) || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return scored.slice(0, limit).map(([c]) => c);
}

/** ` (did you mean `a` or `b`?)` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const found = closest(word, candidates);
  if (found.length === 0) return '';
  return ` (did you mean ${found.map((c) => `\`${c}\``).join(' or ')}?)`;
}
