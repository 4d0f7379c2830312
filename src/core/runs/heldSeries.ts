// A metric history as the metrics panel keeps it in the extension host: three typed
// columns, never an object per point. As MetricPoint objects a million points cost ~84 MB
// of heap (20 runs × 1,000,000 points: 1.7 GB); the run-store worker already hands the
// history over as one transferred Float64Array (pointsCodec: 24 bytes a point), and each
// column is stored here as narrow as it can be without changing a single number:
//   seq   start + i × delta (steps 0, 1, 2, …; a writer logging at a fixed pace): no array,
//   int   base + Int32 (integer steps, whole-millisecond timestamps of MLflow),
//   f32   Float32 (TensorBoard's values are float32 to begin with),
//   f64   anything else.
// Every form is checked point by point with Object.is (NaN, ±Infinity and -0 included), so
// what the downsampler reads back is exactly what the reader gave.
import { encodePoints } from './isolated/pointsCodec';
import type { MetricPoint, RunSource } from './types';

export type Column =
  | { kind: 'seq'; start: number; delta: number }
  | { kind: 'int'; base: number; data: Int32Array }
  | { kind: 'f32'; data: Float32Array }
  | { kind: 'f64'; data: Float64Array };

export interface HeldSeries {
  readonly length: number;
  readonly step: Column;
  readonly timestamp: Column;
  readonly value: Column;
}

/** One field of interleaved (step, timestamp, value) triples, at `field` (0, 1 or 2). */
function narrowest(packed: Float64Array, field: number, n: number): Column {
  const at = (i: number) => packed[i * 3 + field];
  if (n === 0) return { kind: 'seq', start: 0, delta: 0 };
  const start = at(0);
  const delta = n > 1 ? at(1) - start : 0;
  let ok = true;
  for (let i = 0; i < n && ok; i++) ok = Object.is(start + i * delta, at(i));
  if (ok) return { kind: 'seq', start, delta };
  ok = Number.isInteger(start);
  for (let i = 0; i < n && ok; i++) {
    const d = at(i) - start;
    ok = d >= -0x80000000 && d <= 0x7fffffff && Object.is(start + (d | 0), at(i));
  }
  if (ok) {
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = at(i) - start;
    return { kind: 'int', base: start, data };
  }
  ok = true;
  for (let i = 0; i < n && ok; i++) ok = Object.is(Math.fround(at(i)), at(i)) || at(i) !== at(i);
  const data = ok ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = at(i);
  return ok ? { kind: 'f32', data: data as Float32Array } : { kind: 'f64', data: data as Float64Array };
}

/** Keeps pointsCodec's interleaved triples as narrow columns (the triples can then be dropped). */
export function holdPacked(packed: Float64Array): HeldSeries {
  const n = Math.floor(packed.length / 3);
  return { length: n, step: narrowest(packed, 0, n), timestamp: narrowest(packed, 1, n), value: narrowest(packed, 2, n) };
}

/** A source's history held packed: sources that keep points packed (the run-store worker) hand it over without objects. */
export async function heldHistory(source: RunSource, runId: string, key: string): Promise<HeldSeries> {
  return holdPacked(source.metricHistoryPacked ? await source.metricHistoryPacked(runId, key) : encodePoints(await source.metricHistory(runId, key)));
}

export function columnAt(c: Column, i: number): number {
  switch (c.kind) {
    case 'seq':
      return c.start + i * c.delta;
    case 'int':
      return c.base + c.data[i];
    default:
      return c.data[i];
  }
}

/** The column as one array the downsampler indexes: the stored one, or an expanded copy (seq, int). */
export function columnArray(c: Column, n: number): Float64Array | Float32Array {
  if (c.kind === 'f32' || c.kind === 'f64') return c.data;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = columnAt(c, i);
  return out;
}

/** The point at `i`, for the few callers that want one (the latest point, a CSV row). */
export function heldPoint(s: HeldSeries, i: number): MetricPoint {
  return { step: columnAt(s.step, i), timestamp: columnAt(s.timestamp, i), value: columnAt(s.value, i) };
}

/** Bytes the columns take, for the benchmark. */
export function heldBytes(s: HeldSeries): number {
  return [s.step, s.timestamp, s.value].reduce((n, c) => n + (c.kind === 'seq' ? 0 : c.data.byteLength), 0);
}

/** Points [from, to) as the columns a panel posts (an append's new points). */
export function heldSlice(s: HeldSeries, from: number, to: number): { step: Float64Array; time: Float64Array; value: Float64Array } {
  const n = Math.max(0, to - from);
  const step = new Float64Array(n);
  const time = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    step[i] = columnAt(s.step, from + i);
    time[i] = columnAt(s.timestamp, from + i);
    value[i] = columnAt(s.value, from + i);
  }
  return { step, time, value };
}
