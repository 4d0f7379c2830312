import { columnArray, columnAt, heldSlice, type HeldSeries } from './heldSeries';
import type { MetricPoint } from './types';

/** The axis a series is bucketed and cut along: the step, or the wall-clock time. */
export type XKey = 'step' | 'timestamp';

/** A series as the panels post it: one typed array per field (see `SeriesColumns` in src/protocol). */
export interface PointColumns {
  step: Float64Array;
  time: Float64Array;
  value: Float64Array;
}

/**
 * Reduces a series to what a chart `width` pixels wide can show without hiding a spike:
 * the steps are cut into `width` equal buckets and each keeps its first, lowest, highest
 * and last point (the M4 rule), in their original order. Series that already fit are
 * returned as they are. NaN values are kept as they come, since a chart gaps on them.
 * `x` picks the axis the buckets cut (a chart over wall time needs time buckets).
 */
export function downsample(points: readonly MetricPoint[], width: number, x: XKey = 'step'): MetricPoint[] {
  const kept = keptIndices(points, width, x);
  if (!kept) return points.slice();
  const out = new Array<MetricPoint>(kept.length);
  for (let i = 0; i < kept.length; i++) out[i] = points[kept[i]];
  return out;
}

/**
 * `downsample` straight into the columns a panel posts: the panel's first render of many
 * long series is mostly this, so it skips the intermediate array of points.
 */
export function downsampleColumns(points: readonly MetricPoint[], width: number, x: XKey = 'step'): PointColumns {
  const kept = keptIndices(points, width, x);
  const n = kept ? kept.length : points.length;
  const step = new Float64Array(n);
  const time = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[kept ? kept[i] : i];
    step[i] = p.step;
    time[i] = p.timestamp;
    value[i] = p.value;
  }
  return { step, time, value };
}

/**
 * The indices the M4 rule keeps, ascending, or undefined when the series already fits:
 * the axis and the values copied once into two typed arrays, then the one M4 pass over
 * arrays that held series use too (so the object path and the held path cannot drift).
 */
function keptIndices(points: readonly MetricPoint[], width: number, x: XKey): number[] | undefined {
  const n = points.length;
  if (n <= Math.max(1, Math.floor(width)) * 4) return undefined;
  const xs = new Float64Array(n);
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    xs[i] = x === 'step' ? p.step : p.timestamp;
    vs[i] = p.value;
  }
  return keptOfArrays(xs, vs, width, x === 'step');
}

/** A bucket's kept indices in order: first, its min and max (whichever comes first), last. */
function pushBucket(out: number[], first: number, min: number, max: number, last: number): void {
  out.push(first);
  const a = min < max ? min : max;
  const b = min < max ? max : min;
  if (a > first && a < last) out.push(a);
  if (b > first && b < last && b !== a) out.push(b);
  if (last !== first) out.push(last);
}

/**
 * The detail of a zoomed chart: the points with `x` in [lo, hi] plus the one just outside
 * each end (so the line runs to the chart's edges), downsampled to `width` pixels.
 */
export function downsampleRange(points: readonly MetricPoint[], width: number, lo: number, hi: number, x: XKey = 'step'): MetricPoint[] {
  let first = -1;
  let last = -1;
  for (let i = 0; i < points.length; i++) {
    const v = points[i][x];
    if (v >= lo && v <= hi) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return [];
  return downsample(points.slice(Math.max(0, first - 1), Math.min(points.length, last + 2)), width, x);
}

// ---- held columns (heldSeries.ts) ----------------------------------------------------
// The metrics panel keeps its histories as typed columns; these read the axis and the
// values as two arrays instead of an object per point, through the same M4 pass.

/** `downsampleColumns` of a held series. */
export function downsampleHeld(s: HeldSeries, width: number, x: XKey = 'step'): PointColumns {
  const n = s.length;
  const kept = n <= Math.max(1, Math.floor(width)) * 4 ? undefined : keptOfArrays(columnArray(s[x], n), columnArray(s.value, n), width, x === 'step');
  return pick(s, kept, 0, n);
}

/** `toColumns(downsampleRange(...))` of a held series: the zoom detail as the panel posts it. */
export function downsampleHeldRange(s: HeldSeries, width: number, lo: number, hi: number, x: XKey = 'step'): PointColumns {
  const xs = columnArray(s[x], s.length);
  let first = -1;
  let last = -1;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (v >= lo && v <= hi) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return pick(s, undefined, 0, 0);
  const from = Math.max(0, first - 1);
  const to = Math.min(s.length, last + 2);
  const kept = to - from <= Math.max(1, Math.floor(width)) * 4 ? undefined : keptOfArrays(xs.subarray(from, to), columnArray(s.value, s.length).subarray(from, to), width, x === 'step');
  return pick(s, kept, from, to);
}

/** Points `from + kept[i]` (or every point of [from, to) when nothing was dropped) as columns. */
function pick(s: HeldSeries, kept: number[] | undefined, from: number, to: number): PointColumns {
  if (!kept) return heldSlice(s, from, to);
  const n = kept.length;
  const step = new Float64Array(n);
  const time = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = from + kept[i];
    step[i] = columnAt(s.step, j);
    time[i] = columnAt(s.timestamp, j);
    value[i] = columnAt(s.value, j);
  }
  return { step, time, value };
}

/** keptIndices over an axis array and a value array of the same length (more than 4 × width points). */
function keptOfArrays(xs: ArrayLike<number>, vs: ArrayLike<number>, width: number, byStep: boolean): number[] {
  const buckets = Math.max(1, Math.floor(width));
  const n = xs.length;
  return (byStep ? sortedArrays(xs, vs, buckets, xs[0], xs[n - 1]) : undefined) ?? bucketedArrays(xs, vs, buckets, ...boundsOf(xs));
}

/**
 * The M4 pass for a series in step order (nearly every one): a bucket's points are a run
 * of indices, so the inner loop only compares each step with the bucket's end and its
 * value with the extremes. Undefined at the first step out of order (or a NaN step).
 */
function sortedArrays(xs: ArrayLike<number>, vs: ArrayLike<number>, buckets: number, lo: number, hi: number): number[] | undefined {
  const n = xs.length;
  const scale = buckets / (hi - lo || 1);
  const slack = 1e-6 / scale + (Math.abs(lo) + Math.abs(hi)) * 1e-15;
  const out: number[] = [];
  let i = 0;
  let prev = lo;
  while (i < n) {
    const first = i;
    const x0 = xs[i];
    if (!(x0 >= prev)) return undefined;
    const bucket = Math.min(buckets - 1, Math.floor((x0 - lo) * scale));
    const sure = bucket === buckets - 1 ? Infinity : lo + (bucket + 1) / scale - slack;
    let min = -1;
    let max = -1;
    let minV = 0;
    let maxV = 0;
    // Below `bucket end - slack` a step is in the bucket whatever the rounding (a few ulps of
    // the steps' magnitude, and a millionth of a bucket); from there, the exact test decides.
    // The min / max update is written out again in bucketedArrays(), on purpose: it runs once
    // per point, and a call there costs a cold (interpreted) extension host more than the rest.
    for (; i < n; i++) {
      const x = xs[i];
      if (x >= sure && Math.min(buckets - 1, Math.floor((x - lo) * scale)) !== bucket) break;
      if (!(x >= prev)) return undefined;
      prev = x;
      const v = vs[i];
      if (v === v) {
        if (min < 0 || v < minV) {
          min = i;
          minV = v;
        }
        if (max < 0 || v > maxV) {
          max = i;
          maxV = v;
        }
      }
    }
    pushBucket(out, first, min, max, i - 1);
  }
  return out;
}

function boundsOf(xs: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** The M4 pass for a series in any order, between bounds found first. */
function bucketedArrays(xs: ArrayLike<number>, vs: ArrayLike<number>, buckets: number, lo: number, hi: number): number[] {
  const n = xs.length;
  const scale = buckets / (hi - lo || 1);
  const out: number[] = [];
  let current = -1;
  let first = -1;
  let last = -1;
  let min = -1;
  let max = -1;
  let minV = 0;
  let maxV = 0;
  for (let i = 0; i <= n; i++) {
    const bucket = i < n ? Math.min(buckets - 1, Math.floor((xs[i] - lo) * scale)) : -2;
    if (bucket !== current) {
      if (first >= 0) pushBucket(out, first, min, max, last);
      if (i === n) break;
      current = bucket;
      first = i;
      min = -1;
      max = -1;
    }
    last = i;
    const v = vs[i];
    if (v === v) {
      if (min < 0 || v < minV) {
        min = i;
        minV = v;
      }
      if (max < 0 || v > maxV) {
        max = i;
        maxV = v;
      }
    }
  }
  return out;
}
