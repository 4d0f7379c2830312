/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string
 * alignment): `cahce` is one typo away from `cache`, as a person sees it.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate within a third of the word's length (at least 1, at most 3). */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    // The distance is at least the difference in length: a key far longer than every
    // candidate (a crafted 1 MB key took 32 s and 925 MB) is never computed against.
    if (Math.abs(word.length - c.length) > limit) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function unknownKeyMessage(key: string, where: string, candidates: Iterable<string>): string {
  const guess = didYouMean(key, candidates);
  // A crafted key can be megabytes long; the message names it, short.
  const shown = key.length > 80 ? key.slice(0, 80) + '…' : key;
  return `Unknown key '${shown}' in ${where}.` + (guess ? ` Did you mean '${guess}'?` : '');
}
