// One tag's points as (step, timestamp, value) triples in Float64Array chunks, not an
// object per point: a 100 MB event file holds 3.3 million points, and as objects they cost
// ~3× the memory and most of the reading time in the garbage collector. Chunks start small
// (a crafted file with a million tags must not allocate a million large buffers) and double
// up to a cap, so growing never copies what is stored and the slack stays under one chunk.
// The series is served as one packed Float64Array (pointsCodec's layout), which crosses the
// worker boundary by transfer.
import { isLater } from '../latest';
import { decodePoints } from '../isolated/pointsCodec';
import type { MetricPoint } from '../types';

const FIRST_CHUNK = 16; // points
const MAX_CHUNK = 16384; // points

/** What a listing needs of a series, kept up to date as points arrive. */
export interface SeriesSummary {
  latest?: MetricPoint;
  /** Earliest and latest timestamp (ms); Infinity / -Infinity when empty. */
  minTime: number;
  maxTime: number;
}

export class PackedSeries {
  private chunks: Float64Array[] = [];
  /** Points in the last chunk. */
  private fill = 0;
  /** Points in all chunks before the last. */
  private before = 0;
  private sum: SeriesSummary = emptySummary();

  constructor(public pluginName?: string) {}

  get length(): number {
    return this.before + this.fill;
  }

  push(step: number, timestamp: number, value: number): void {
    let last = this.chunks[this.chunks.length - 1];
    if (!last || this.fill * 3 === last.length) {
      const size = last ? Math.min(MAX_CHUNK, (last.length / 3) * 2) : FIRST_CHUNK;
      this.before += this.fill;
      last = new Float64Array(size * 3);
      this.chunks.push(last);
      this.fill = 0;
    }
    const j = this.fill * 3;
    last[j] = step;
    last[j + 1] = timestamp;
    last[j + 2] = value;
    this.fill++;
    note(this.sum, step, timestamp, value);
  }

  /** Appends packed triples (another file's points of the same tag). */
  append(packed: Float64Array): void {
    for (let j = 0; j + 2 < packed.length; j += 3) this.push(packed[j], packed[j + 1], packed[j + 2]);
  }

  /** The points as one packed array of exactly their size (a copy: the caller may transfer it). */
  packed(): Float64Array {
    const out = new Float64Array(this.length * 3);
    let at = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const n = c === this.chunks.length - 1 ? this.fill * 3 : this.chunks[c].length;
      out.set(this.chunks[c].subarray(0, n), at);
      at += n;
    }
    return out;
  }

  points(): MetricPoint[] {
    return decodePoints(this.packed());
  }

  summary(): SeriesSummary {
    return this.sum;
  }

  /** Drops the points with step >= `step` (a purge of orphaned data), keeping the order. */
  purge(step: number): void {
    const all = this.packed();
    let w = 0;
    for (let r = 0; r + 2 < all.length; r += 3) {
      if (all[r] < step) {
        all[w] = all[r];
        all[w + 1] = all[r + 1];
        all[w + 2] = all[r + 2];
        w += 3;
      }
    }
    this.chunks = w ? [all.slice(0, w)] : [];
    this.before = 0;
    this.fill = w / 3;
    this.sum = summarize(this.chunks[0] ?? new Float64Array(0));
  }
}

function emptySummary(): SeriesSummary {
  return { minTime: Infinity, maxTime: -Infinity };
}

function note(s: SeriesSummary, step: number, timestamp: number, value: number): void {
  if (timestamp < s.minTime) s.minTime = timestamp;
  if (timestamp > s.maxTime) s.maxTime = timestamp;
  const l = s.latest;
  // isLater's rule, inlined for the common case (a later step) without an object per point.
  if (!l || step > l.step || (step === l.step && isLater({ step, timestamp, value }, l))) s.latest = { step, timestamp, value };
}

/** The summary of packed triples. */
export function summarize(packed: Float64Array): SeriesSummary {
  const s = emptySummary();
  for (let j = 0; j + 2 < packed.length; j += 3) note(s, packed[j], packed[j + 1], packed[j + 2]);
  return s;
}
