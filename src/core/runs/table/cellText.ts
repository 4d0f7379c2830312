// How a table cell reads: on screen (short), and in an export (exact).
import { formatDuration } from '../../common/format';
import type { Aggregate } from './aggregate';
import type { CellValue, TableColumn } from './columns';

/** Up to six significant digits on screen (`digits`); integers as they are. The exports keep every digit. */
export function formatNumber(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e9) return String(Number(v.toPrecision(digits)));
  return v.toExponential(Math.min(4, digits - 1)).replace(/\.?0+e/, 'e');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-06 14:41:26` in the local time of whoever reads it (the extension host's zone). */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** What a cell shows. */
export function cellText(col: TableColumn, v: CellValue): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (col.kind === 'attr' && col.key === 'created') return formatTime(v);
  if (col.kind === 'attr' && col.key === 'duration') return formatDuration(v);
  return formatNumber(v);
}

/** A value in an export: every digit of a number, times in ISO 8601 (UTC), durations in seconds. */
export function exportText(col: TableColumn, v: CellValue): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (col.kind === 'attr' && col.key === 'created') return Number.isFinite(v) ? new Date(v).toISOString() : '';
  if (col.kind === 'attr' && col.key === 'duration') return String(v / 1000);
  return String(v);
}

/** An export's header for a column: its label, with the unit where the value has one. */
export function exportLabel(col: TableColumn): string {
  return col.kind === 'attr' && col.key === 'duration' ? `${col.label} (s)` : col.label;
}

/** A group row's cell: `0.912 ± 0.0131` (the std only from two values on), the shared text, or nothing. */
export function aggregateText(col: TableColumn, a: Aggregate): string {
  // The mean of start times is no time anyone started: the group row shows the earliest (the tooltip has both ends).
  if (col.kind === 'attr' && col.key === 'created') return a.min !== undefined ? cellText(col, a.min) : '';
  if (a.mean !== undefined) {
    // Four digits for the mean and two for the std (an uncertainty has no more that mean
    // anything): the pair has to fit the column a single value fits.
    const show = (v: number, digits: number) => (col.kind === 'attr' ? cellText(col, v) : formatNumber(v, digits));
    return a.std !== undefined ? `${show(a.mean, 4)} ± ${show(a.std, 2)}` : show(a.mean, 4);
  }
  return a.same ?? '';
}

/** A group cell's tooltip: the aggregates in full. */
export function aggregateTitle(col: TableColumn, a: Aggregate): string {
  const show = (v: number) => cellText(col, v);
  const parts = [`count ${a.count}`];
  if (a.mean !== undefined) parts.push(`mean ${show(a.mean)}`);
  if (a.std !== undefined) parts.push(`std ${show(a.std)} (sample)`);
  if (a.min !== undefined) parts.push(`min ${show(a.min)}`, `max ${show(a.max!)}`);
  return parts.join(' · ');
}
