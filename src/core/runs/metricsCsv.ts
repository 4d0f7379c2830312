import { heldPoint, type HeldSeries } from './heldSeries';
import type { MetricPoint } from './types';

/** RFC 4180 quoting: only where a comma, quote or line break needs it. */
export function csvField(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : String(v)) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A timestamp (ms since the epoch) as ISO 8601; an empty cell where there is no such time:
 * the readers take NaN and values past year 275760 from a file, and Date would throw.
 */
function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/**
 * One metric of several runs, every point (not the downsampled chart), one row per point.
 * `points` may be a held series (the metrics panel's), read a point at a time.
 */
export function metricCsv(metric: string, runs: readonly { name: string; id: string; points: readonly MetricPoint[] | HeldSeries }[]): string {
  const lines = ['run,run_id,metric,step,timestamp,value'];
  for (const r of runs) {
    const head = `${csvField(r.name)},${csvField(r.id)},${csvField(metric)},`;
    const pts = r.points;
    for (let i = 0; i < pts.length; i++) {
      const p = Array.isArray(pts) ? (pts as readonly MetricPoint[])[i] : heldPoint(pts as HeldSeries, i);
      lines.push(`${head}${p.step},${isoTime(p.timestamp)},${csvField(p.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}
