import type { MetricPoint } from './types';

/** RFC 4180 quoting: only where a comma, quote or line break needs it. */
export function csvField(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : String(v)) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One metric of several runs, every point (not the downsampled chart), one row per point. */
export function metricCsv(metric: string, runs: readonly { name: string; id: string; points: readonly MetricPoint[] }[]): string {
  const lines = ['run,run_id,metric,step,timestamp,value'];
  for (const r of runs) {
    const head = `${csvField(r.name)},${csvField(r.id)},${csvField(metric)},`;
    for (const p of r.points) lines.push(`${head}${p.step},${new Date(p.timestamp).toISOString()},${csvField(p.value)}`);
  }
  return lines.join('\n') + '\n';
}
