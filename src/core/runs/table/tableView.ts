// The table's rows for a query: filter (MLflow's search syntax), multi-column sort, and
// optionally groups by one column with aggregates per visible column.
import { matchesRun } from '../search/matchRun';
import type { RunFilter } from '../search/filterTypes';
import { aggregate, type Aggregate } from './aggregate';
import { cellValue, columnFromId, type CellValue, type TableColumn, type TableRun } from './columns';
import { contextAncestors, nestedRows, type NestedRow } from './nestedRows';
import { compareSortable, sortable, sortOrder, type SortKey } from './sort';

export interface TableQuery {
  filter?: RunFilter;
  sort: readonly SortKey[];
  /** A column id (a param or tag, typically) whose values make the groups. */
  groupBy?: string;
  /** Group ids whose runs are folded away. */
  collapsed?: ReadonlySet<string>;
  /**
   * Nested runs (MLflow's `mlflow.parentRunId`) as a tree: unfolded parents by run key, and
   * context parents folded during this search. Absent: flat rows. Grouping makes rows flat
   * too: a group gathers runs by a value, and a parent rarely shares its children's.
   */
  nesting?: { expanded: ReadonlySet<string>; foldedContext?: ReadonlySet<string> };
}

export interface GroupRow {
  kind: 'group';
  /** Stable across queries: from the group's value. */
  id: string;
  value: CellValue;
  /** Indexes into the runs of the group's members, in sort order. */
  members: number[];
  /** Per visible column id. */
  aggregates: Map<string, Aggregate>;
  collapsed: boolean;
}

export type ViewRow = { kind: 'run'; run: number } | NestedRow | GroupRow;

export interface TableView {
  rows: ViewRow[];
  /** Runs that pass the filter. */
  matched: number;
}

export const groupId = (v: CellValue): string => (v === undefined ? 'none' : `v:${String(v)}`);

/**
 * The rows to show. `columns` are the visible ones (the aggregates are computed for those
 * only); `now` is the clock for the duration of a run still going.
 */
export function buildTableView(runs: readonly TableRun[], columns: readonly TableColumn[], query: TableQuery, now: number): TableView {
  const byId = new Map<string, TableColumn | undefined>();
  const col = (id: string) => {
    if (!byId.has(id)) byId.set(id, columns.find((c) => c.id === id) ?? columnFromId(id));
    return byId.get(id);
  };
  const value = (i: number, id: string): CellValue => {
    const c = col(id);
    return c ? cellValue(runs[i], c, now) : undefined;
  };
  const filter = query.filter;
  const matching: number[] = [];
  for (let i = 0; i < runs.length; i++) if (!filter || matchesRun(filter, runs[i].run)) matching.push(i);
  const groupCol = query.groupBy ? col(query.groupBy) : undefined;
  if (!groupCol && query.nesting) {
    // A match's parents come along (as MLflow's UI fetches them), sorted with the rest.
    const context = filter ? contextAncestors(runs, matching) : [];
    const order = sortOrder(runs.length, query.sort, value, context.length ? [...matching, ...context] : matching);
    return { rows: nestedRows(runs, order, new Set(context), query.nesting), matched: matching.length };
  }
  const order = sortOrder(runs.length, query.sort, value, matching);
  if (!groupCol) return { rows: order.map((run) => ({ kind: 'run', run })), matched: matching.length };

  const groups = new Map<string, { value: CellValue; members: number[] }>();
  for (const i of order) {
    const v = value(i, groupCol.id);
    const id = groupId(v);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { value: v, members: [] }));
    g.members.push(i);
  }
  const desc = query.sort[0]?.column === groupCol.id && query.sort[0].desc;
  const sorted = [...groups.entries()].sort(([, a], [, b]) => {
    const c = compareSortable(sortable(a.value), sortable(b.value));
    return desc && a.value !== undefined && b.value !== undefined ? -c : c;
  });
  const rows: ViewRow[] = [];
  for (const [id, g] of sorted) {
    const aggregates = new Map<string, Aggregate>();
    for (const c of columns) aggregates.set(c.id, aggregate(g.members.map((i) => cellValue(runs[i], c, now))));
    const collapsed = query.collapsed?.has(id) ?? false;
    rows.push({ kind: 'group', id, value: g.value, members: g.members, aggregates, collapsed });
    if (!collapsed) for (const run of g.members) rows.push({ kind: 'run', run });
  }
  return { rows, matched: matching.length };
}
