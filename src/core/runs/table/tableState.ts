// What the experiments table keeps per workspace (workspaceState): the column layout, the
// sort, the group, the search and the metrics with min/max on. Read back field by field:
// a state written by another build (or edited by hand) loses only the fields it got wrong.
import { DEFAULT_LAYOUT, MAX_WIDTH, MIN_WIDTH, type ColumnLayout } from './columnLayout';
import type { SortKey } from './sort';

export interface TableState {
  layout: ColumnLayout;
  sort: SortKey[];
  groupBy?: string;
  /** Folded group ids. */
  collapsed: string[];
  search: string;
  /** Metrics whose min/max columns are on. */
  minMax: string[];
  /** Nested runs: the parents unfolded (run keys); every parent starts folded. */
  expanded: string[];
}

export const DEFAULT_TABLE_STATE: TableState = { layout: DEFAULT_LAYOUT, sort: [{ column: 'attr:created', desc: true }], collapsed: [], search: '', minMax: [], expanded: [] };

// Bounds on what a stored state may hold: a hand-edited one cannot make every load slow.
const MAX_IDS = 10_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown, fallback: string[]): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_IDS) : fallback);

function parseLayout(v: unknown): ColumnLayout {
  if (!isObj(v)) return DEFAULT_LAYOUT;
  const widths: Record<string, number> = {};
  if (isObj(v.widths)) {
    for (const [id, w] of Object.entries(v.widths).slice(0, MAX_IDS)) {
      if (typeof w === 'number' && Number.isFinite(w)) widths[id] = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w));
    }
  }
  return { order: strings(v.order, []), shown: strings(v.shown, []), hidden: strings(v.hidden, []), pinned: strings(v.pinned, DEFAULT_LAYOUT.pinned), widths };
}

export function parseTableState(v: unknown): TableState {
  if (!isObj(v)) return DEFAULT_TABLE_STATE;
  const sort = Array.isArray(v.sort)
    ? v.sort.filter((k): k is SortKey => isObj(k) && typeof k.column === 'string' && typeof k.desc === 'boolean').slice(0, 100).map((k) => ({ column: k.column, desc: k.desc }))
    : DEFAULT_TABLE_STATE.sort;
  return {
    layout: parseLayout(v.layout),
    sort,
    groupBy: typeof v.groupBy === 'string' ? v.groupBy : undefined,
    collapsed: strings(v.collapsed, []),
    search: typeof v.search === 'string' ? v.search.slice(0, 64 * 1024) : '',
    minMax: strings(v.minMax, []),
    expanded: strings(v.expanded, []),
  };
}

/** The parent run `key` folded if it was unfolded, unfolded if not. */
export function toggleExpanded(s: TableState, key: string): TableState {
  return { ...s, expanded: s.expanded.includes(key) ? s.expanded.filter((k) => k !== key) : [...s.expanded, key] };
}
