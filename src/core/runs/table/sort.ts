// Multi-column sort of table rows. Numbers compare as numbers (a param such as `lr` that
// holds '0.01' and '0.1' too), text by a natural collation, and a missing value goes last
// whichever the direction: a user sorting by accuracy wants the runs that have one first.
import type { CellValue } from './columns';

export interface SortKey {
  column: string;
  desc: boolean;
}

// Plain decimal numbers, as a params file writes them; not hex, not '' (Number('') is 0).
const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A value as it sorts: a number when it is one or reads as one, else its text. */
export function sortable(v: CellValue): number | string | undefined {
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return v;
}

// Rank within the order: numbers, then NaN (logged, but not ordered), then text, then nothing.
function rank(v: number | string | undefined): number {
  if (v === undefined) return 3;
  if (typeof v === 'string') return 2;
  return Number.isNaN(v) ? 1 : 0;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Ascending order of two sortable values; missing last, NaN after numbers. */
export function compareSortable(a: number | string | undefined, b: number | string | undefined): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  if (ra === 2) return collator.compare(a as string, b as string);
  return 0;
}

/**
 * The order of `count` rows by `keys`, the first key deciding first; `value(i, column)` reads
 * row i's cell. Values are read once per row and key, so sorting 100,000 rows reads 100,000
 * cells per key, not one per comparison. Stable: ties keep the incoming order.
 */
export function sortOrder(count: number, keys: readonly SortKey[], value: (row: number, column: string) => CellValue, rows?: readonly number[]): number[] {
  const order = rows ? [...rows] : Array.from({ length: count }, (_, i) => i);
  if (!keys.length) return order;
  const columns = keys.map((k) => {
    const vals = new Array<number | string | undefined>(count);
    for (const i of order) vals[i] = sortable(value(i, k.column));
    return { vals, sign: k.desc ? -1 : 1 };
  });
  order.sort((a, b) => {
    for (const { vals, sign } of columns) {
      const va = vals[a];
      const vb = vals[b];
      const c = compareSortable(va, vb);
      if (c !== 0) return rank(va) === rank(vb) ? c * sign : c; // direction flips within a rank, never moves missing values
    }
    return 0;
  });
  return order;
}

/** The sort after a header click: alone it sorts by that column (asc → desc → off); with Shift it adds or turns one key. */
export function clickSort(keys: readonly SortKey[], column: string, additive: boolean): SortKey[] {
  const at = keys.findIndex((k) => k.column === column);
  const turned = at < 0 ? { column, desc: false } : keys[at].desc ? undefined : { column, desc: true };
  if (!additive) return turned ? [turned] : [];
  const next = [...keys];
  if (at < 0) next.push(turned!);
  else if (turned) next[at] = turned;
  else next.splice(at, 1);
  return next;
}
