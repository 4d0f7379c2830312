// One colour per run, the same in the Runs view, the legends and every panel. The palette
// is Tableau 10: distinct for most colour-blind readers and readable on light and dark
// backgrounds alike, so it needs no per-theme variant.
export const RUN_PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

/**
 * Adds palette indices for `keys` that have none yet, keeping every existing one (a run
 * never changes colour). A new run takes the index least used among `keys`' colours, so
 * the runs shown together differ as long as the palette lasts.
 */
export function assignColors(keys: readonly string[], assigned: Readonly<Record<string, number>>): Record<string, number> {
  const next: Record<string, number> = { ...assigned };
  const uses = new Array<number>(RUN_PALETTE.length).fill(0);
  for (const k of keys) if (k in next) uses[next[k] % RUN_PALETTE.length]++;
  for (const k of keys) {
    if (k in next) continue;
    let best = 0;
    for (let i = 1; i < uses.length; i++) if (uses[i] < uses[best]) best = i;
    next[k] = best;
    uses[best]++;
  }
  return next;
}

export const colorOf = (index: number): string => RUN_PALETTE[((index % RUN_PALETTE.length) + RUN_PALETTE.length) % RUN_PALETTE.length];
