// A listing held for as long as the Runs view and the table are open: at 100,000 runs the
// latest metric points were most of the extension host's memory (an object and two boxed
// numbers per point, about 90 bytes; 1.4 KB for a run with 16 metrics). Here the points of
// a listing move into one Float64Array (step, timestamp, value: 24 bytes a point) and each
// run's `metrics` becomes an object whose keys are accessors shared by every run with the
// same metric keys (one hidden class, one getter per key): a read builds the point on the
// spot. The record reads as before (`metrics[k]`, `k in`, `Object.keys`, `for…in`,
// `Object.hasOwn`, JSON, structured clone and deep equality all see the same keys and
// points); only `metrics[k] === metrics[k]` no longer holds. Assigning a key turns it back
// into a plain property of that run. Repeated short strings (experiment ids, users, param
// and tag values) are interned, as each reader and each structured clone makes new ones.
import type { MetricPoint, RunListing, RunSummary } from './types';

/**
 * The run's listing's Float64Array and the run's offset in it: non-enumerable own fields,
 * invisible to keys, JSON and clones.
 */
const DATA = Symbol('metrics data');
const AT = Symbol('metrics offset');
/** Beyond this many distinct key lists in one listing, or keys in one run, runs keep plain records (bounded work on crafted stores). */
const MAX_SHAPES = 256;
const MAX_KEYS = 512;
/**
 * The accessor of the i-th key of a shape, shared by every listing: V8 shares a hidden
 * class only between objects whose accessors are the same functions, so getters made per
 * listing would give each run of a second listing a hidden class of its own. Bounded:
 * once full, runs with keys not in it keep plain records.
 */
const accessors = new Map<string, PropertyDescriptor>();
const MAX_ACCESSORS = 16_384;
/** Strings longer than this are seldom repeated (ids, URIs) and are not interned. */
const MAX_INTERNED_LENGTH = 64;

interface Shape {
  keys: string[];
  descriptors: PropertyDescriptorMap;
}

type CompactMetrics = Record<string, MetricPoint> & { [DATA]: Float64Array; [AT]: number };

/** Is `metrics` in the compact form (tests, and to skip a second pass). */
export function isCompactMetrics(metrics: object): boolean {
  return Object.hasOwn(metrics, AT);
}

/** Runs compacted per macrotask by compactListingSoon. */
const SLICE_RUNS = 2000;

/**
 * Rewrites the listing's runs in place: compact metrics, interned repeated strings. Returns
 * the same listing. Runs whose points are not all numbers keep their records as they are.
 */
export function compactListing<T extends Pick<RunListing, 'runs'>>(listing: T): T {
  compactRuns(listing.runs);
  return listing;
}

/**
 * The same, a slice of runs per macrotask once the caller has handed the listing on:
 * making the compact records costs about what reading the runs did (a defineProperties
 * per run), so the views draw first and the memory comes back a moment later. Each run's
 * record is swapped whole, so a reader in between sees either form, never half of one.
 */
export function compactListingSoon<T extends Pick<RunListing, 'runs'>>(listing: T): T {
  const runs = listing.runs;
  let at = 0;
  const step = () => {
    compactRuns(runs.slice(at, at + SLICE_RUNS));
    at += SLICE_RUNS;
    if (at < runs.length) setTimeout(step, 0).unref();
  };
  if (runs.length) setTimeout(step, 0).unref();
  return listing;
}

export function compactRuns(runs: RunSummary[]): void {
  const intern = interner();
  const shapes = new Map<string, Shape>();
  const shapeOf: (Shape | undefined)[] = new Array(runs.length);
  let points = 0;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    run.experimentId = intern(run.experimentId);
    if (run.userId !== undefined) run.userId = intern(run.userId);
    internValues(run.params, intern);
    internValues(run.tags, intern);
    const keys = packableKeys(run.metrics);
    if (!keys) continue;
    const id = keys.join('\u0000');
    let shape = shapes.get(id);
    if (!shape) {
      const descriptors = shapes.size < MAX_SHAPES ? descriptorsFor(keys) : undefined;
      if (!descriptors) continue;
      shapes.set(id, (shape = { keys, descriptors }));
    }
    shapeOf[i] = shape;
    points += keys.length;
  }
  if (!points) return;
  const data = new Float64Array(points * 3);
  let at = 0;
  for (let i = 0; i < runs.length; i++) {
    const shape = shapeOf[i];
    if (!shape) continue;
    const plain = runs[i].metrics;
    const start = at;
    for (const k of shape.keys) {
      const p = plain[k];
      data[at] = p.step;
      data[at + 1] = p.timestamp;
      data[at + 2] = p.value;
      at += 3;
    }
    const compact = Object.create(Object.prototype, shape.descriptors) as CompactMetrics;
    compact[DATA] = data;
    compact[AT] = start;
    runs[i].metrics = compact;
  }
}

/** The record's own keys when every value is a point of three numbers and it is not compact already. */
function packableKeys(metrics: Record<string, MetricPoint>): string[] | undefined {
  if (isCompactMetrics(metrics) || Object.getPrototypeOf(metrics) !== Object.prototype) return undefined;
  const keys = Object.keys(metrics);
  if (!keys.length || keys.length > MAX_KEYS) return undefined;
  for (const k of keys) {
    const p = metrics[k];
    if (typeof p !== 'object' || p === null || typeof p.step !== 'number' || typeof p.timestamp !== 'number' || typeof p.value !== 'number') return undefined;
  }
  return keys;
}

/** The shape's descriptors: the two data fields first (in-object), then the shared accessors; undefined when the cache is full. */
function descriptorsFor(keys: readonly string[]): PropertyDescriptorMap | undefined {
  const out: PropertyDescriptorMap = {
    [DATA]: { value: undefined, writable: true, enumerable: false, configurable: false },
    [AT]: { value: 0, writable: true, enumerable: false, configurable: false },
  };
  for (let i = 0; i < keys.length; i++) {
    const id = `${i}\u0000${keys[i]}`;
    let d = accessors.get(id);
    if (!d) {
      if (accessors.size >= MAX_ACCESSORS) return undefined;
      accessors.set(id, (d = accessor(keys[i], i * 3)));
    }
    out[keys[i]] = d;
  }
  return out;
}

function accessor(key: string, off: number): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: CompactMetrics): MetricPoint {
      const data = this[DATA];
      const j = this[AT] + off;
      return { step: data[j], timestamp: data[j + 1], value: data[j + 2] };
    },
    set(this: object, value: MetricPoint) {
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
    },
  };
}

function interner(): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    if (s.length > MAX_INTERNED_LENGTH) return s;
    const known = seen.get(s);
    if (known !== undefined) return known;
    seen.set(s, s);
    return s;
  };
}

function internValues(record: Record<string, string>, intern: (s: string) => string): void {
  for (const k in record) {
    const v = record[k];
    if (typeof v === 'string' && v.length <= MAX_INTERNED_LENGTH) record[k] = intern(v);
  }
}
