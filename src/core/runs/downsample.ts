import type { MetricPoint } from './types';

/**
 * Reduces a series to what a chart `width` pixels wide can show without hiding a spike:
 * the steps are cut into `width` equal buckets and each keeps its first, lowest, highest
 * and last point (the M4 rule), in their original order. Series that already fit are
 * returned as they are. NaN values are kept as they come, since a chart gaps on them.
 */
export function downsample(points: readonly MetricPoint[], width: number): MetricPoint[] {
  const buckets = Math.max(1, Math.floor(width));
  if (points.length <= buckets * 4) return points.slice();
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (p.step < lo) lo = p.step;
    if (p.step > hi) hi = p.step;
  }
  const span = hi - lo || 1;
  const out: MetricPoint[] = [];
  let current = -1;
  let first = -1;
  let last = -1;
  let min = -1;
  let max = -1;
  const flush = () => {
    if (first < 0) return;
    const keep = [...new Set([first, min, max, last].filter((i) => i >= 0))].sort((a, b) => a - b);
    for (const i of keep) out.push(points[i]);
  };
  for (let i = 0; i < points.length; i++) {
    const b = Math.min(buckets - 1, Math.floor(((points[i].step - lo) / span) * buckets));
    if (b !== current) {
      flush();
      current = b;
      first = i;
      min = -1;
      max = -1;
    }
    last = i;
    const v = points[i].value;
    if (!Number.isNaN(v)) {
      if (min < 0 || v < points[min].value) min = i;
      if (max < 0 || v > points[max].value) max = i;
    }
  }
  flush();
  return out;
}
