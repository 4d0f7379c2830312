// Per-column aggregates of a group of runs (the runs that share a param or tag value):
// how many have a value, mean ± std, min and max.
import type { CellValue } from './columns';
import { sortable } from './sort';

export interface Aggregate {
  /** Runs of the group with a value in this column. */
  count: number;
  /** Of the numeric values; absent when there are none. */
  mean?: number;
  /**
   * The *sample* standard deviation (n − 1 in the denominator), as numpy's `std(ddof=1)`,
   * pandas' `std()` and a spreadsheet's STDEV give it: a group is a few seeds drawn from
   * all the runs one could make, and a user comparing seeds expects that figure.
   * Absent with fewer than two numeric values.
   */
  std?: number;
  min?: number;
  max?: number;
  /** For text columns: the one value every run with a value shares, if they share one. */
  same?: string;
}

/** Aggregates the values of one column over a group. NaN values count, but stay out of mean, std, min and max. */
export function aggregate(values: Iterable<CellValue>): Aggregate {
  let count = 0;
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let same: string | undefined;
  let mixed = false;
  for (const raw of values) {
    if (raw === undefined) continue;
    count++;
    const text = String(raw);
    if (count === 1) same = text;
    else if (same !== text) mixed = true;
    const v = sortable(raw);
    if (typeof v === 'number' && !Number.isNaN(v)) {
      // Welford's update: one pass, and no catastrophic cancellation on values like 1e9 + ε.
      n++;
      const d = v - mean;
      mean += d / n;
      m2 += d * (v - mean);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const out: Aggregate = { count };
  if (n > 0) {
    out.mean = mean;
    out.min = min;
    out.max = max;
    if (n > 1) out.std = Math.sqrt(m2 / (n - 1));
  }
  if (!mixed && same !== undefined) out.same = same;
  return out;
}
