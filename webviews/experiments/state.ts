// The experiments table webview's state as pure functions, with no DOM: the rows the host
// sent, the selection, the keyboard cursor, which rows are in view (virtualisation), and
// the text a copy puts on the clipboard. Unit-tested in Node (test/unit/webviews/).
import type { HostToTable, SearchErrorMsg, TableColumnMsg } from '../../src/protocol/experimentsTable';

/** Every row is this tall: one spacer of rows × ROW_HEIGHT, and a row's place is its index times it. */
export const ROW_HEIGHT = 24;
/** Rows drawn beyond each edge of the viewport, so a fast scroll does not show blanks. */
export const OVERSCAN = 8;

type RowsMsg = Extract<HostToTable, { type: 'rows' }>;

/** The host's last rows (all but its problems), and what the user does here. */
export interface TableState extends Omit<RowsMsg, 'type' | 'problems' | 'more'> {
  /** Rows of the last `rows` message still to come in `rowsMore` parts. */
  pendingRows: number;
  search: string;
  searchError: SearchErrorMsg | null;
  /** Selected run keys. */
  selected: ReadonlySet<string>;
  /** The keyboard cursor: a row index and a column index. */
  cursor: { row: number; col: number };
  /** Set when the host's first rows came. */
  loaded: boolean;
}

/** What the webview saves across a hide/show (vscode setState): the selection. */
export interface SavedTable {
  selected: string[];
}

export function restoreTableState(raw: unknown): TableState {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const selected = Array.isArray(o.selected) ? o.selected.filter((s): s is string => typeof s === 'string') : [];
  return { columns: [], rows: [], total: 0, matched: 0, sort: [], groupBy: null, choices: [], minMax: [], search: '', searchError: null, selected: new Set(selected), cursor: { row: 0, col: 0 }, loaded: false, pendingRows: 0 };
}

export const savedOf = (s: TableState): SavedTable => ({ selected: [...s.selected] });

/** The host's message applied: selections of runs that are gone are dropped once rows come. */
export function onHostMessage(s: TableState, m: HostToTable): TableState {
  if (m.type === 'search') return { ...s, search: m.text, searchError: m.error };
  if (m.type === 'rowsMore') {
    // A part that does not follow on from the rows held (a lost or stale one) is dropped.
    if (m.width !== s.columns.length || m.rows.length + m.more !== s.pendingRows) return s;
    return withSelection({ ...s, rows: s.rows.concat(m.rows), pendingRows: m.more });
  }
  if (m.type !== 'rows') return s;
  const next: TableState = { ...s, columns: m.columns, rows: m.rows, total: m.total, matched: m.matched, sort: m.sort, groupBy: m.groupBy, choices: m.choices, minMax: m.minMax, loadingMore: m.loadingMore, pendingRows: m.more ?? 0, loaded: true };
  return withSelection(next);
}

/** The selection less the runs that are gone, and the cursor inside the table. */
function withSelection(s: TableState): TableState {
  const cursor = {
    // While parts are still coming, the cursor's row may be in one of them.
    row: s.pendingRows > 0 ? s.cursor.row : Math.max(0, Math.min(s.cursor.row, s.rows.length - 1)),
    col: Math.max(0, Math.min(s.cursor.col, s.columns.length - 1)),
  };
  // Runs folded into a collapsed group are not in the rows but still exist, a server's
  // search that is still paging may bring them yet, and so may the parts of the rows still
  // to come: keep the selection then.
  if (s.loadingMore || s.pendingRows > 0) return { ...s, cursor };
  const present = new Set<string>();
  let folded = false;
  for (const r of s.rows) {
    if (r.kind === 'run') present.add(r.key);
    else if (r.collapsed) folded = true;
  }
  const selected = folded ? s.selected : new Set([...s.selected].filter((k) => present.has(k)));
  return { ...s, selected, cursor };
}

/** The rows to draw for a scroll position: [first, end), with the overscan, clamped to the table. */
export function visibleRange(scrollTop: number, viewport: number, count: number): { first: number; end: number } {
  const first = Math.min(count, Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN));
  const end = Math.min(count, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  return { first, end: Math.max(first, end) };
}

/** The columns [first, end) that a viewport `x`..`x + width` shows, one more on each side. */
export function visibleColumnRange(left: readonly number[], widths: readonly number[], x: number, width: number): { first: number; end: number } {
  let first = 0;
  while (first < left.length && left[first] + widths[first] <= x) first++;
  let end = first;
  while (end < left.length && left[end] < x + width) end++;
  return { first: Math.max(0, first - 1), end: Math.min(left.length, end + 1) };
}

/** Left edge of each column, and where each pinned column sticks (the widths of the pinned ones before it). */
export function columnOffsets(columns: readonly TableColumnMsg[]): { left: number[]; stick: (number | undefined)[]; width: number } {
  const left: number[] = [];
  const stick: (number | undefined)[] = [];
  let x = 0;
  let pinnedX = 0;
  for (const c of columns) {
    left.push(x);
    stick.push(c.pinned ? pinnedX : undefined);
    if (c.pinned) pinnedX += c.width;
    x += c.width;
  }
  return { left, stick, width: x };
}

export type NavKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight' | 'Home' | 'End' | 'PageUp' | 'PageDown';

/** The cursor after a navigation key; `ctrl` with Home/End goes to the first/last row; `page` is the rows per screen. */
export function moveCursor(s: TableState, key: NavKey, ctrl: boolean, page: number): TableState {
  const rows = s.rows.length;
  const cols = s.columns.length;
  if (!rows || !cols) return s;
  let { row, col } = s.cursor;
  switch (key) {
    case 'ArrowUp': row--; break;
    case 'ArrowDown': row++; break;
    case 'ArrowLeft': col--; break;
    case 'ArrowRight': col++; break;
    case 'Home': if (ctrl) row = 0; else col = 0; break;
    case 'End': if (ctrl) row = rows - 1; else col = cols - 1; break;
    case 'PageUp': row -= Math.max(1, page); break;
    case 'PageDown': row += Math.max(1, page); break;
  }
  return { ...s, cursor: { row: Math.max(0, Math.min(rows - 1, row)), col: Math.max(0, Math.min(cols - 1, col)) } };
}

export function setCursor(s: TableState, row: number, col: number): TableState {
  return { ...s, cursor: { row: Math.max(0, Math.min(s.rows.length - 1, row)), col: Math.max(0, Math.min(s.columns.length - 1, col)) } };
}

/** A run row's selection turned; a group row has none. */
export function toggleSelected(s: TableState, row: number): TableState {
  const r = s.rows[row];
  if (!r || r.kind !== 'run') return s;
  const selected = new Set(s.selected);
  if (!selected.delete(r.key)) selected.add(r.key);
  return { ...s, selected };
}

export function clearSelection(s: TableState): TableState {
  return { ...s, selected: new Set() };
}

/** The cell under the cursor, as shown. */
export function cursorCellText(s: TableState): string {
  return s.rows[s.cursor.row]?.cells[s.cursor.col] ?? '';
}

// A TSV field cannot hold a tab or a line break: they become spaces (what a spreadsheet paste expects).
const tsvField = (v: string) => v.replace(/[\t\r\n]+/g, ' ');

/** The cursor's row as TSV: the header line, then the row. */
export function cursorRowTsv(s: TableState): string {
  const r = s.rows[s.cursor.row];
  if (!r) return '';
  return `${s.columns.map((c) => tsvField(c.label)).join('\t')}\n${r.cells.map(tsvField).join('\t')}\n`;
}

/** Where a column's header shows its sort: '' when unsorted; ▲/▼, with its place when several keys sort. */
export function sortMark(s: TableState, column: string): string {
  const at = s.sort.findIndex((k) => k.column === column);
  if (at < 0) return '';
  const arrow = s.sort[at].desc ? '▼' : '▲';
  return s.sort.length > 1 ? `${arrow}${at + 1}` : arrow;
}

/** The toolbar's count: "12 of 40 runs · 2 selected". */
export function countText(s: TableState): string {
  const runs = s.total === 1 ? 'run' : 'runs';
  const listed = s.matched === s.total ? `${s.total} ${runs}` : `${s.matched} of ${s.total} ${runs}`;
  // The server's first pages are in; the count grows as the next ones come.
  const shown = s.loadingMore ? `${listed} loaded · loading more…` : listed;
  return s.selected.size ? `${shown} · ${s.selected.size} selected` : shown;
}

/** The scrollTop that brings `row` into a viewport of `viewport` px below a header of `header` px, or undefined when it shows. */
export function scrollToRow(row: number, scrollTop: number, viewport: number, header: number): number | undefined {
  const top = row * ROW_HEIGHT;
  const room = viewport - header;
  if (top < scrollTop) return top;
  if (top + ROW_HEIGHT > scrollTop + room) return top + ROW_HEIGHT - room;
  return undefined;
}

/** What the group-by select offers: params, tags, and the attributes that make groups. */
export function groupOptions(s: TableState): { value: string; label: string }[] {
  const attrs = new Set(['attr:status', 'attr:experiment', 'attr:source']);
  return s.choices.filter((c) => c.kind === 'param' || c.kind === 'tag' || attrs.has(c.id)).map((c) => ({ value: c.id, label: c.kind === 'attr' ? c.label : `${c.kind}s.${c.label}` }));
}

/** The column that draws the tree of nested runs (indent and disclosure triangle): Name, or the first. */
export function treeColumn(s: TableState): number {
  return Math.max(0, s.columns.findIndex((c) => c.id === 'attr:name'));
}

/** The prefix of a nested run's name: its triangle when it has children (▾ unfolded, ▸ folded). */
export function nestMark(row: TableState['rows'][number]): string {
  if (row.kind !== 'run' || !row.children) return '';
  return row.expanded ? '▾' : '▸';
}

/**
 * The tree-grid keys on the tree column (the ARIA treegrid pattern): → unfolds a folded
 * parent, ← folds an unfolded one or goes up to the parent row. Undefined: the key moves
 * the cursor as usual.
 */
export function treeKey(s: TableState, key: 'ArrowLeft' | 'ArrowRight'): { toggle: string } | { state: TableState } | undefined {
  const row = s.rows[s.cursor.row];
  if (!row || row.kind !== 'run' || s.cursor.col !== treeColumn(s) || row.depth === undefined) return undefined;
  if (row.children && (key === 'ArrowRight') !== row.expanded) return { toggle: row.key };
  if (key === 'ArrowLeft' && row.depth > 0 && row.parent) {
    // The parent is the nearest row above one level up.
    for (let i = s.cursor.row - 1; i >= 0; i--) {
      const r = s.rows[i];
      if (r.kind === 'run' && r.key === row.parent) return { state: { ...s, cursor: { ...s.cursor, row: i } } };
    }
  }
  return undefined;
}
