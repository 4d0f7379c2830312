// The `rows` message for the table webview from the runs and the table's state: the pure
// half of ExperimentsPanel.send (no `vscode`), so bench/experiments-table.bench.mjs times
// the same work the panel does.
import type { RunFilter } from '../../core/runs/search';
import {
  aggregateText,
  aggregateTitle,
  buildTableView,
  cellText,
  cellValue,
  columnFromId,
  isNumericKind,
  isShown,
  orderedColumns,
  tableColumns,
  visibleColumns,
  type TableColumn,
  type TableRun,
  type TableState,
  type TableView,
} from '../../core/runs/table';
import type { HostToTable, TableRowMsg } from '../../protocol/experimentsTable';

const DEFAULT_WIDTH: Record<string, number> = { 'attr:name': 200, 'attr:status': 108, 'attr:source': 180, 'attr:experiment': 130, 'attr:created': 162, 'attr:duration': 100 };

export interface TableRender {
  message: Extract<HostToTable, { type: 'rows' }>;
  visible: TableColumn[];
  view: TableView;
  /**
   * The rows beyond the first `chunk` (see rowsMessage), as `rowsMore` messages made one
   * at a time: each part can be posted and dropped before the next is made.
   */
  rest(): Generator<Extract<HostToTable, { type: 'rowsMore' }>>;
}

/**
 * `none`: how a group of runs without the value is named (translated by the caller).
 * `foldedContext`: parents shown for a matching child that the user folded during this search.
 */
export function rowsMessage(
  runs: readonly TableRun[],
  s: TableState,
  filter: RunFilter | undefined,
  now: number,
  none: string,
  foldedContext?: ReadonlySet<string>,
  chunk = Infinity,
): TableRender {
  const all = tableColumns(runs);
  const visible = visibleColumns(all, s.layout);
  const nesting = { expanded: new Set(s.expanded), foldedContext };
  const view = buildTableView(runs, visible, { filter, sort: s.sort, groupBy: s.groupBy, collapsed: new Set(s.collapsed), nesting }, now);
  const groupCol = s.groupBy ? columnFromId(s.groupBy) : undefined;
  const toRow = (r: TableView['rows'][number]): TableRowMsg => {
    if (r.kind === 'run') {
      const t = runs[r.run];
      const row: TableRowMsg = { key: t.key, kind: 'run', status: t.run.status, parent: t.parentKey, cells: visible.map((c) => cellText(c, cellValue(t, c, now))) };
      if ('depth' in r) {
        row.depth = r.depth;
        if (r.children) {
          row.children = r.children;
          row.expanded = r.expanded;
        }
        if (r.context) row.context = true;
      }
      return row;
    }
    const label = `${groupCol?.label ?? ''} = ${r.value === undefined ? none : groupCol ? cellText(groupCol, r.value) : String(r.value)}`;
    const cells = visible.map((c, i) => (i === 0 ? label : aggregateText(c, r.aggregates.get(c.id)!)));
    const titles = visible.map((c) => aggregateTitle(c, r.aggregates.get(c.id)!));
    return { key: r.id, kind: 'group', cells, titles, count: r.members.length, collapsed: r.collapsed };
  };
  const first = Math.min(view.rows.length, chunk);
  const rows = view.rows.slice(0, first).map(toRow);
  const pinned = new Set(s.layout.pinned);
  const message: TableRender['message'] = {
    type: 'rows',
    columns: visible.map((c) => ({ id: c.id, label: c.label, kind: c.kind, numeric: isNumericKind(c), width: s.layout.widths[c.id] ?? DEFAULT_WIDTH[c.id] ?? 120, pinned: pinned.has(c.id) })),
    rows,
    total: runs.length,
    matched: view.matched,
    sort: s.sort,
    groupBy: s.groupBy ?? null,
    choices: orderedColumns(all, s.layout).map((c) => ({ id: c.id, label: c.label, kind: c.kind, shown: isShown(s.layout, c), pinned: pinned.has(c.id) })),
    minMax: s.minMax,
    problems: [],
  };
  if (first < view.rows.length) message.more = view.rows.length - first;
  function* rest(): Generator<Extract<HostToTable, { type: 'rowsMore' }>> {
    for (let at = first; at < view.rows.length; at += chunk) {
      const end = Math.min(view.rows.length, at + chunk);
      yield { type: 'rowsMore', width: visible.length, rows: view.rows.slice(at, end).map(toRow), more: view.rows.length - end };
    }
  }
  return { message, visible, view, rest };
}
