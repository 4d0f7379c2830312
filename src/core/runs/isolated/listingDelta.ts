// A listing sent again as what changed since the one the host holds: a training run that
// logs a metric changes one run of a thousand, and a structured clone of all of them (and
// its decoding on the extension host's thread) cost more than the worker's re-read itself.
// The worker compares the new runs with the ones it last sent, by id and content, and sends
// the changed runs with, for each run of the new listing, where the host finds it.
import type { RunSummary } from '../types';

export interface RunsDelta {
  /** Per run of the new listing: its index in the held runs (≥ 0), or -(k + 1) for changed[k]. */
  order: Int32Array;
  changed: RunSummary[];
}

/** Nested deeper than this (a RunSummary is three levels) counts as different: sent in full. */
const MAX_DEPTH = 8;

/** The delta from `held` to `now`; undefined when most runs changed (the whole listing is as cheap). */
export function diffRuns(held: readonly RunSummary[], now: readonly RunSummary[]): RunsDelta | undefined {
  const at = new Map<string, number>();
  held.forEach((r, i) => at.set(r.id, i));
  const order = new Int32Array(now.length);
  const changed: RunSummary[] = [];
  for (let i = 0; i < now.length; i++) {
    const j = at.get(now[i].id);
    if (j !== undefined && sameData(held[j], now[i], 0)) order[i] = j;
    else {
      changed.push(now[i]);
      order[i] = -changed.length;
      if (changed.length > now.length / 2) return undefined;
    }
  }
  return { order, changed };
}

/** The new runs from the held ones and a delta; throws on a delta that does not fit them. */
export function applyDelta(held: readonly RunSummary[], delta: RunsDelta): RunSummary[] {
  const out = new Array<RunSummary>(delta.order.length);
  for (let i = 0; i < out.length; i++) {
    const k = delta.order[i];
    const run = k >= 0 ? held[k] : delta.changed[-k - 1];
    if (!run) throw new Error(`a listing delta names run ${k} of ${k >= 0 ? held.length : delta.changed.length}`);
    out[i] = run;
  }
  return out;
}

/** Plain data (what a structured clone carries of a listing) equal in value; NaN equals NaN. */
function sameData(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth >= MAX_DEPTH) return false;
  // Plain objects and arrays only: a Map or a Date has no own keys to tell two apart.
  const proto = Object.getPrototypeOf(a);
  if (proto !== Object.getPrototypeOf(b) || (proto !== Object.prototype && proto !== Array.prototype && proto !== null)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (let i = 0; i < ka.length; i++) {
    // The same keys in the same order: a different order would show the host another object.
    if (ka[i] !== kb[i] || !sameData(ra[ka[i]], rb[ka[i]], depth + 1)) return false;
  }
  return true;
}
