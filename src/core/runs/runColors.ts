// One colour per run, the same in the Runs view, the legends and every panel. The palette
// is Tableau 10: distinct for most colour-blind readers and readable on light and dark
// backgrounds alike, so it needs no per-theme variant.
export const RUN_PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

/**
 * Palette indices for `keys`, the runs shown together, keeping every other run's. A run
 * keeps its colour unless a run before it in `keys` has the same one while the palette
 * could still tell them all apart (two runs coloured apart, later charted together, would
 * otherwise share a colour in one legend); such a run and each run without a colour take
 * the index least used among `keys`' colours.
 */
export function assignColors(keys: readonly string[], assigned: Readonly<Record<string, number>>): Record<string, number> {
  const next: Record<string, number> = { ...assigned };
  const n = RUN_PALETTE.length;
  const unique = [...new Set(keys)];
  const distinct = unique.length <= n;
  const uses = new Array<number>(n).fill(0);
  const todo: string[] = [];
  for (const k of unique) {
    const c = k in next ? ((next[k] % n) + n) % n : undefined;
    if (c === undefined || (distinct && uses[c] > 0)) todo.push(k);
    else uses[c]++;
  }
  for (const k of todo) {
    let best = 0;
    for (let i = 1; i < n; i++) if (uses[i] < uses[best]) best = i;
    next[k] = best;
    uses[best]++;
  }
  return next;
}

/** Whether assignColors would change anything for `keys`: one without a colour, or two alike while the palette could tell them apart. */
export function needsColors(keys: readonly string[], assigned: Readonly<Record<string, number>>): boolean {
  const n = RUN_PALETTE.length;
  const seen = new Set<string>();
  const used = new Set<number>();
  for (const k of keys) {
    if (seen.has(k)) continue;
    seen.add(k);
    if (!(k in assigned)) return true;
    used.add(((assigned[k] % n) + n) % n);
  }
  return seen.size <= n && used.size < seen.size;
}

export const colorOf = (index: number): string => RUN_PALETTE[((index % RUN_PALETTE.length) + RUN_PALETTE.length) % RUN_PALETTE.length];
