// One tag's points, kept compact in typed-array chunks, not an object per point: a 100 MB
// event file holds 3.3 million points, and as objects they cost ~3× the memory and most of
// the reading time in the garbage collector. Chunks start small (a crafted file with a
// million tags must not allocate a million large buffers) and double up to a cap, so
// growing never copies what is stored and the slack stays under one chunk.
//
// The reader keeps every series for later reads (a chart's refresh, a growing file), and
// each read hands out a full copy (pointsCodec's Float64Array, transferred by the runs
// worker): the kept copy is what decides whether reading costs twice the series or less.
// So columns are stored narrow where that loses nothing, checked point by point:
//   step       Int32 difference from the previous point (steps go up by small amounts),
//   timestamp  Float32 difference from the previous point (writers log at a steady pace),
//   value      Float32 (simple_value and DT_FLOAT tensors are float32 to begin with),
// and a chunk's column switches to Float64 absolute values at the first point whose narrow
// form does not give back exactly the same number (Object.is: -0 and NaN included). Most
// series then take 12 bytes a point instead of 24.
import { isLater } from '../latest';
import { decodePoints } from '../isolated/pointsCodec';
import type { MetricPoint } from '../types';

const FIRST_CHUNK = 16; // points
const MAX_CHUNK = 16384; // points
/** push()'s point, handed on to pushAt. */
const scratch = new Float64Array(3);

/** What a listing needs of a series, kept up to date as points arrive. */
export interface SeriesSummary {
  latest?: MetricPoint;
  /** Earliest and latest timestamp (ms); Infinity / -Infinity when empty. */
  minTime: number;
  maxTime: number;
}

/**
 * Up to `capacity` points. Each column is either narrow (the `…Delta`/`…32` array) or wide
 * (the `…Abs`/`…64` array), never both: separate fields keep every array access of one
 * type, which V8 compiles to a single load or store.
 */
class Chunk {
  n = 0;
  stepDelta: Int32Array | undefined;
  stepAbs: Float64Array | undefined;
  timeDelta: Float32Array | undefined;
  timeAbs: Float64Array | undefined;
  value32: Float32Array | undefined;
  value64: Float64Array | undefined;
  /**
   * The last point's step and timestamp: what the next difference is taken from. Numbers
   * from the start (a field first undefined holds any value, so every double stored into it
   * would be a new heap object).
   */
  lastStep = 0;
  lastTime = 0;

  constructor(
    readonly capacity: number,
    /** The first point's step and timestamp: differences count from here. */
    readonly firstStep: number,
    readonly firstTime: number,
  ) {
    this.stepDelta = new Int32Array(capacity);
    this.timeDelta = new Float32Array(capacity);
    this.value32 = new Float32Array(capacity);
    this.lastStep = firstStep;
    this.lastTime = firstTime;
  }

  /** Appends the point src[j..j+2] (step, timestamp, value). */
  pushAt(src: Float64Array, j: number): void {
    const step = src[j];
    const timestamp = src[j + 1];
    const value = src[j + 2];
    const i = this.n++;
    const sd = this.stepDelta;
    if (sd) {
      const d = step - this.lastStep;
      // |0 keeps 32-bit integers only; the sum check catches steps past 2^53.
      if ((d | 0) === d && this.lastStep + d === step) sd[i] = d;
      else this.widenSteps(i)[i] = step;
    } else (this.stepAbs as Float64Array)[i] = step;
    this.lastStep = step;
    const td = this.timeDelta;
    if (td) {
      const d = Math.fround(timestamp - this.lastTime);
      if (Object.is(this.lastTime + d, timestamp)) td[i] = d;
      else this.widenTimes(i)[i] = timestamp;
    } else (this.timeAbs as Float64Array)[i] = timestamp;
    this.lastTime = timestamp;
    const v32 = this.value32;
    if (v32 && Object.is(Math.fround(value), value)) v32[i] = value;
    else (this.value64 ?? this.widenValues(i))[i] = value;
  }

  /** Writes the points as (step, timestamp, value) triples into `out` from `at`; returns where it stopped. */
  expand(out: Float64Array, at: number): number {
    const n = this.n;
    if (n === 0) return at;
    // One loop per column and form, so no loop tests the form per point. The first point
    // is the base itself: base + 0 would turn a -0 into 0.
    const sd = this.stepDelta;
    if (sd) {
      let step = this.firstStep;
      out[at] = step;
      for (let i = 1, j = at + 3; i < n; i++, j += 3) out[j] = step += sd[i];
    } else {
      const sa = this.stepAbs as Float64Array;
      for (let i = 0, j = at; i < n; i++, j += 3) out[j] = sa[i];
    }
    const td = this.timeDelta;
    if (td) {
      let time = this.firstTime;
      out[at + 1] = time;
      for (let i = 1, j = at + 4; i < n; i++, j += 3) out[j] = time += td[i];
    } else {
      const ta = this.timeAbs as Float64Array;
      for (let i = 0, j = at + 1; i < n; i++, j += 3) out[j] = ta[i];
    }
    const v32 = this.value32;
    if (v32) for (let i = 0, j = at + 2; i < n; i++, j += 3) out[j] = v32[i];
    else {
      const v64 = this.value64 as Float64Array;
      for (let i = 0, j = at + 2; i < n; i++, j += 3) out[j] = v64[i];
    }
    return at + 3 * n;
  }

  /** The points before `upTo` as absolute steps in a wide column, which replaces the narrow one. */
  private widenSteps(upTo: number): Float64Array {
    const abs = new Float64Array(this.capacity);
    const sd = this.stepDelta as Int32Array;
    let step = this.firstStep;
    for (let i = 0; i < upTo; i++) abs[i] = i === 0 ? step : (step += sd[i]);
    this.stepDelta = undefined;
    return (this.stepAbs = abs);
  }

  private widenTimes(upTo: number): Float64Array {
    const abs = new Float64Array(this.capacity);
    const td = this.timeDelta as Float32Array;
    let time = this.firstTime;
    for (let i = 0; i < upTo; i++) abs[i] = i === 0 ? time : (time += td[i]);
    this.timeDelta = undefined;
    return (this.timeAbs = abs);
  }

  private widenValues(upTo: number): Float64Array {
    const abs = new Float64Array(this.capacity);
    abs.set((this.value32 as Float32Array).subarray(0, upTo));
    this.value32 = undefined;
    return (this.value64 = abs);
  }
}

export class PackedSeries {
  private chunks: Chunk[] = [];
  private last: Chunk | undefined;
  /** Points in all chunks before the last. */
  private before = 0;
  // The summary as numbers, not a latest-point object made per point.
  private minTime = Infinity;
  private maxTime = -Infinity;
  private hasLatest = false;
  private latestStep = 0;
  private latestTime = 0;
  private latestValue = 0;

  constructor(public pluginName?: string) {}

  get length(): number {
    return this.before + (this.last?.n ?? 0);
  }

  push(step: number, timestamp: number, value: number): void {
    scratch[0] = step;
    scratch[1] = timestamp;
    scratch[2] = value;
    this.pushAt(scratch, 0);
  }

  /**
   * Appends the point src[j..j+2] (step, timestamp, value). Points come in a Float64Array,
   * not as arguments: doubles passed to a call that is not inlined are boxed, a heap object
   * each, and at millions of points that garbage costs the collector more than the copy.
   */
  pushAt(src: Float64Array, j: number): void {
    const step = src[j];
    const timestamp = src[j + 1];
    const value = src[j + 2];
    let last = this.last;
    if (!last || last.n === last.capacity) {
      const size = last ? Math.min(MAX_CHUNK, last.capacity * 2) : FIRST_CHUNK;
      this.before += last?.n ?? 0;
      last = this.last = new Chunk(size, step, timestamp);
      this.chunks.push(last);
    }
    last.pushAt(src, j);
    if (timestamp < this.minTime) this.minTime = timestamp;
    if (timestamp > this.maxTime) this.maxTime = timestamp;
    // isLater's rule, inlined for the common case (a later step) without an object per point.
    if (
      !this.hasLatest ||
      step > this.latestStep ||
      (step === this.latestStep && isLater({ step, timestamp, value }, { step: this.latestStep, timestamp: this.latestTime, value: this.latestValue }))
    ) {
      this.hasLatest = true;
      this.latestStep = step;
      this.latestTime = timestamp;
      this.latestValue = value;
    }
  }

  /** Appends packed triples (another file's points of the same tag). */
  append(packed: Float64Array): void {
    for (let j = 0; j + 2 < packed.length; j += 3) this.pushAt(packed, j);
  }

  /** The points as one packed array of exactly their size (a new array: the caller may transfer it). */
  packed(): Float64Array {
    const out = new Float64Array(this.length * 3);
    let at = 0;
    for (const c of this.chunks) at = c.expand(out, at);
    return out;
  }

  points(): MetricPoint[] {
    return decodePoints(this.packed());
  }

  summary(): SeriesSummary {
    const latest = this.hasLatest ? { step: this.latestStep, timestamp: this.latestTime, value: this.latestValue } : undefined;
    return { ...(latest ? { latest } : {}), minTime: this.minTime, maxTime: this.maxTime };
  }

  /** Drops the points with step >= `step` (a purge of orphaned data), keeping the order. */
  purge(step: number): void {
    const all = this.packed();
    this.chunks = [];
    this.last = undefined;
    this.before = 0;
    this.minTime = Infinity;
    this.maxTime = -Infinity;
    this.hasLatest = false;
    for (let r = 0; r + 2 < all.length; r += 3) if (all[r] < step) this.pushAt(all, r);
  }
}

/** The summary of packed triples. */
export function summarize(packed: Float64Array): SeriesSummary {
  const s = new PackedSeries();
  s.append(packed);
  return s.summary();
}
