// The comparison table as rows of cells, one column per run: pure, so it is tested in Node
// and the grid only has to draw the rows in view.
import { lowerIsBetter, type MetricDirectionPrefs } from '../../src/protocol/metricDirection';
import type { CompareRun } from '../../src/protocol/panels';

export { lowerIsBetter };

export type Section = 'Run' | 'Params' | 'Metrics' | 'Tags';

export interface Row {
  kind: 'header' | 'info' | 'param' | 'metric' | 'tag';
  label: string;
  section: Section;
  /** Text per run; '' where the run has no value. */
  cells: string[];
  /** Per run: the cell differs from the baseline's (or, without one, from the others). */
  changed?: boolean[];
  /** The delta to the baseline's value, per run, where both are numbers. */
  delta?: (number | undefined)[];
  /** Index of the run with the best value of the row (metrics only). */
  best?: number;
}

export interface RowOptions {
  diffOnly: boolean;
  /** Index of the baseline run, or -1. */
  baseline: number;
  /** The user's patterns for which way metrics improve; the name guess without. */
  direction?: MetricDirectionPrefs;
}

export function formatCell(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e15) return String(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

export function formatDelta(d: number): string {
  if (d === 0) return '±0';
  return `${d > 0 ? '+' : '−'}${formatCell(Math.abs(d))}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function time(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const num = (s: string): number | undefined => {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

/** Every key of `pick(run)` over the runs, sorted. */
function keysOf(runs: readonly CompareRun[], pick: (r: CompareRun) => Record<string, unknown>): string[] {
  const set = new Set<string>();
  for (const r of runs) for (const k of Object.keys(pick(r))) set.add(k);
  return [...set].sort((a, b) => a.localeCompare(b));
}

export function buildRows(runs: readonly CompareRun[], opts: RowOptions): Row[] {
  const rows: Row[] = [];
  const base = opts.baseline >= 0 && opts.baseline < runs.length ? opts.baseline : -1;
  const header = (section: Section, count?: number) =>
    rows.push({ kind: 'header', section, label: count === undefined ? section : `${section} (${count})`, cells: runs.map(() => '') });

  header('Run');
  const info = (label: string, cell: (r: CompareRun) => string) => rows.push({ kind: 'info', section: 'Run', label, cells: runs.map(cell) });
  info('status', (r) => r.status.toLowerCase());
  info('start', (r) => time(r.startTime));
  info('duration', (r) => (r.startTime !== undefined && r.endTime !== undefined ? duration(r.endTime - r.startTime) : r.status === 'RUNNING' ? 'running' : ''));
  info('git commit', (r) => (r.commit ? r.commit.slice(0, 10) : ''));
  info('source', (r) => r.source);
  info('run id', (r) => r.runId);

  const valueRows = (kind: 'param' | 'tag', section: Section, pick: (r: CompareRun) => Record<string, string>) => {
    const keys = keysOf(runs, pick);
    const out: Row[] = [];
    for (const key of keys) {
      const cells = runs.map((r) => pick(r)[key] ?? '');
      const ref = base >= 0 ? cells[base] : cells[0];
      const changed = cells.map((c) => c !== ref);
      const differs = cells.some((c) => c !== cells[0]);
      if (opts.diffOnly && !differs) continue;
      const row: Row = { kind, section, label: key, cells, changed: base >= 0 || differs ? changed : undefined };
      if (base >= 0) {
        const b = num(cells[base]);
        row.delta = cells.map((c, i) => {
          const v = num(c);
          return i !== base && b !== undefined && v !== undefined ? v - b : undefined;
        });
      }
      out.push(row);
    }
    header(section, out.length);
    rows.push(...out);
  };
  valueRows('param', 'Params', (r) => r.params);

  const metricKeys = keysOf(runs, (r) => r.metrics);
  header('Metrics', metricKeys.length);
  for (const key of metricKeys) {
    const lower = lowerIsBetter(key, opts.direction);
    for (const stat of ['last', 'min', 'max'] as const) {
      const values = runs.map((r) => r.metrics[key]?.[stat]);
      let best: number | undefined;
      values.forEach((v, i) => {
        if (v === undefined || Number.isNaN(v)) return;
        const b = best === undefined ? undefined : values[best]!;
        if (b === undefined || (lower ? v < b : v > b)) best = i;
      });
      // One run, or every run equal: nothing is "best".
      const distinct = new Set(values.filter((v) => v !== undefined && !Number.isNaN(v)));
      const row: Row = {
        kind: 'metric',
        section: 'Metrics',
        label: `${key} (${stat})`,
        cells: values.map((v) => (v === undefined ? '' : formatCell(v))),
        best: distinct.size > 1 ? best : undefined,
      };
      if (base >= 0) {
        const b = values[base];
        row.delta = values.map((v, i) => (i !== base && v !== undefined && b !== undefined ? v - b : undefined));
      }
      rows.push(row);
    }
  }
  valueRows('tag', 'Tags', (r) => r.tags);
  return rows;
}

/** A value a chart can place on an axis: a param (number or category) or a metric's last value. */
export interface Dimension {
  id: string;
  label: string;
  values: (number | string | undefined)[];
  numeric: boolean;
}

/** Params that differ between the runs, then every metric's last value, as chart dimensions. */
export function dimensions(runs: readonly CompareRun[]): Dimension[] {
  const out: Dimension[] = [];
  for (const key of keysOf(runs, (r) => r.params)) {
    const raw = runs.map((r) => r.params[key]);
    if (new Set(raw).size < 2) continue;
    const nums = raw.map((v) => (v === undefined ? undefined : num(v)));
    const numeric = raw.every((v, i) => v === undefined || nums[i] !== undefined);
    out.push({ id: `param:${key}`, label: key, values: numeric ? nums : raw, numeric });
  }
  for (const key of keysOf(runs, (r) => r.metrics)) {
    out.push({ id: `metric:${key}`, label: key, values: runs.map((r) => r.metrics[key]?.last), numeric: true });
  }
  return out;
}
