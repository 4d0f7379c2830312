// "Average the group": runs that share a param or tag value (seeds of one config) drawn as
// their mean line with a ±1 std band. Pure: unit-tested in Node with known means and stds.

/** A run's line: x ascending (the chart sorts it so), y possibly with gaps (NaN or null). */
export interface Line {
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
}

export interface MeanBand {
  x: number[];
  mean: number[];
  /** mean − std and mean + std; equal to the mean where fewer than two runs have a value. */
  lo: number[];
  hi: number[];
  /** How many runs had a value at each x. */
  n: number[];
}

export interface RunGroup {
  /** `v:<value>`, or `none` for the runs without one. */
  id: string;
  /** `lr = 0.1`, or `lr (none)`. */
  label: string;
  members: string[];
}

/**
 * The runs' groups by `field` (`param:lr`, `tag:seed`): one per value, in the order the
 * values first appear; runs without the field make a group of their own, last.
 */
export function groupRuns(runs: readonly { key: string; fields?: Readonly<Record<string, string>> }[], field: string): RunGroup[] {
  const name = field.slice(field.indexOf(':') + 1);
  const groups = new Map<string, RunGroup>();
  let none: RunGroup | undefined;
  for (const r of runs) {
    const v = r.fields && Object.hasOwn(r.fields, field) ? r.fields[field] : undefined;
    if (v === undefined) {
      none ??= { id: 'none', label: `${name} (none)`, members: [] };
      none.members.push(r.key);
      continue;
    }
    let g = groups.get(v);
    if (!g) groups.set(v, (g = { id: `v:${v}`, label: `${name} = ${v}`, members: [] }));
    g.members.push(r.key);
  }
  return none ? [...groups.values(), none] : [...groups.values()];
}

/**
 * The mean and the sample standard deviation (n − 1, as the table's group rows use) of
 * `lines` at every x any of them has.
 *
 * Runs are aligned by linear interpolation, not by exact step nor by buckets: the host
 * downsamples each run to the chart's width on its own, so even runs that logged every
 * step arrive with different steps kept, and matching exact steps would leave most steps
 * with one run. Interpolating within each run's own range (never beyond its first or
 * last point: a run that stopped early does not pull the mean) reconstructs them, and
 * needs no bucket width that would blur a sharp learning-rate drop.
 */
export function meanBand(lines: readonly Line[]): MeanBand {
  // Each run's finite points only: a gap (NaN, null) is no value, not a zero.
  const runs = lines.map((l) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < l.x.length; i++) {
      const v = l.y[i];
      if (v !== null && v !== undefined && Number.isFinite(v) && Number.isFinite(l.x[i])) {
        x.push(l.x[i]);
        y.push(v);
      }
    }
    return { x, y, at: 0 };
  });
  const xs = [...new Set(runs.flatMap((r) => r.x))].sort((a, b) => a - b);
  const out: MeanBand = { x: [], mean: [], lo: [], hi: [], n: [] };
  for (const x of xs) {
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (const r of runs) {
      const len = r.x.length;
      if (!len || x < r.x[0] || x > r.x[len - 1]) continue;
      // xs ascend, so each run's cursor only moves forward: linear in the points overall.
      while (r.at < len - 1 && r.x[r.at + 1] <= x) r.at++;
      const x0 = r.x[r.at];
      const v = x0 === x || r.at === len - 1 ? r.y[r.at] : r.y[r.at] + ((r.y[r.at + 1] - r.y[r.at]) * (x - x0)) / (r.x[r.at + 1] - x0);
      // Welford: one pass, no cancellation on values like 1e9 + ε.
      n++;
      const d = v - mean;
      mean += d / n;
      m2 += d * (v - mean);
    }
    if (!n) continue;
    const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
    out.x.push(x);
    out.mean.push(mean);
    out.lo.push(mean - std);
    out.hi.push(mean + std);
    out.n.push(n);
  }
  return out;
}
