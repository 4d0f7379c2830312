import { strict as assert } from 'node:assert';
import type { HostToTable, TableRowMsg } from '../../../src/protocol/experimentsTable';
import {
  columnOffsets,
  countText,
  cursorCellText,
  cursorRowTsv,
  moveCursor,
  onHostMessage,
  OVERSCAN,
  restoreTableState,
  ROW_HEIGHT,
  scrollToRow,
  sortMark,
  toggleSelected,
  visibleColumnRange,
  visibleRange,
  nestMark,
  setCursor,
  treeColumn,
  treeKey,
} from '../../../webviews/experiments/state';

const columns = [
  { id: 'attr:name', label: 'Name', kind: 'attr', numeric: false, width: 200, pinned: true },
  { id: 'metric:acc', label: 'acc', kind: 'metric', numeric: true, width: 100, pinned: false },
  { id: 'param:note', label: 'note', kind: 'param', numeric: false, width: 120, pinned: false },
];
const run = (k: string, acc: string, note = ''): TableRowMsg => ({ key: k, kind: 'run', cells: [k, acc, note], status: 'FINISHED' });
function rowsMsg(rows: TableRowMsg[], extra: Partial<Extract<HostToTable, { type: 'rows' }>> = {}): HostToTable {
  return { type: 'rows', columns, rows, total: rows.length, matched: rows.length, sort: [], groupBy: null, choices: [], minMax: [], problems: [], ...extra };
}

describe('experiments table webview state', () => {
  it('only the rows in view (plus overscan) are drawn, whatever the table size', () => {
    assert.deepEqual(visibleRange(0, 480, 100_000), { first: 0, end: 20 + OVERSCAN });
    const mid = visibleRange(50_000 * ROW_HEIGHT, 480, 100_000);
    assert.equal(mid.first, 50_000 - OVERSCAN);
    assert.ok(mid.end - mid.first <= 20 + 2 * OVERSCAN + 1);
    assert.deepEqual(visibleRange(10_000 * ROW_HEIGHT, 480, 30), { first: 30, end: 30 });
    assert.deepEqual(visibleRange(0, 480, 0), { first: 0, end: 0 });
  });

  it('fills only the columns in view sideways (one more on each side)', () => {
    const widths = [100, 100, 100, 100, 100, 100];
    const left = [0, 100, 200, 300, 400, 500];
    assert.deepEqual(visibleColumnRange(left, widths, 0, 250), { first: 0, end: 4 });
    assert.deepEqual(visibleColumnRange(left, widths, 250, 100), { first: 1, end: 5 });
    assert.deepEqual(visibleColumnRange(left, widths, 1000, 100), { first: 5, end: 6 });
    assert.deepEqual(visibleColumnRange([], [], 0, 100), { first: 0, end: 0 });
  });

  it('pinned columns stick after the pinned ones before them', () => {
    const o = columnOffsets([{ ...columns[0] }, { ...columns[1], pinned: true }, columns[2]]);
    assert.deepEqual(o.left, [0, 200, 300]);
    assert.deepEqual(o.stick, [0, 200, undefined]);
    assert.equal(o.width, 420);
  });

  it('arrows, Home/End, Ctrl+Home/End and pages move the cursor within the table', () => {
    let s = onHostMessage(restoreTableState(undefined), rowsMsg(Array.from({ length: 50 }, (_, i) => run(`r${i}`, String(i)))));
    s = moveCursor(s, 'ArrowUp', false, 10);
    assert.deepEqual(s.cursor, { row: 0, col: 0 });
    s = moveCursor(moveCursor(s, 'ArrowDown', false, 10), 'ArrowRight', false, 10);
    assert.deepEqual(s.cursor, { row: 1, col: 1 });
    s = moveCursor(s, 'End', false, 10);
    assert.deepEqual(s.cursor, { row: 1, col: 2 });
    s = moveCursor(s, 'End', true, 10);
    assert.deepEqual(s.cursor, { row: 49, col: 2 });
    s = moveCursor(s, 'PageDown', false, 10);
    assert.equal(s.cursor.row, 49);
    s = moveCursor(s, 'PageUp', false, 10);
    assert.equal(s.cursor.row, 39);
    s = moveCursor(s, 'Home', true, 10);
    assert.deepEqual(s.cursor, { row: 0, col: 2 });
  });

  it('Enter toggles a run (not a group); the selection outlives new rows unless the run is gone', () => {
    const group: TableRowMsg = { key: 'v:1', kind: 'group', cells: ['lr = 1', '0.5', ''], count: 2, collapsed: false };
    let s = onHostMessage(restoreTableState(undefined), rowsMsg([group, run('a', '1'), run('b', '2')]));
    assert.equal(toggleSelected(s, 0), s);
    s = toggleSelected(toggleSelected(s, 1), 2);
    assert.deepEqual([...s.selected], ['a', 'b']);
    assert.equal(countText(s), '3 runs · 2 selected');
    s = onHostMessage(s, rowsMsg([run('b', '2')], { total: 3, matched: 1 }));
    assert.deepEqual([...s.selected], ['b']);
    assert.equal(countText(s), '1 of 3 runs · 1 selected');
    // A folded group keeps the selection of the runs it hides.
    s = toggleSelected(onHostMessage(s, rowsMsg([run('c', '3'), run('b', '2')])), 0);
    s = onHostMessage(s, rowsMsg([{ ...group, collapsed: true }]));
    assert.deepEqual([...s.selected].sort(), ['b', 'c']);
    assert.deepEqual([...restoreTableState({ selected: ['x', 3] }).selected], ['x']);
    // A server search's first page: the selection waits for the pages still coming, and the count says more are coming.
    s = onHostMessage(s, rowsMsg([run('b', '2')], { total: 1, matched: 1, loadingMore: true }));
    assert.deepEqual([...s.selected].sort(), ['b', 'c']);
    assert.equal(countText(s), '1 run loaded · loading more… · 2 selected');
    s = onHostMessage(s, rowsMsg([run('b', '2')], { total: 1, matched: 1 }));
    assert.deepEqual([...s.selected], ['b']);
    assert.equal(countText(s), '1 run · 1 selected');
  });

  it('copies a cell as shown and a row as TSV with its header (tabs and line breaks flattened)', () => {
    let s = onHostMessage(restoreTableState(undefined), rowsMsg([run('a', '0.9', 'two\tcols\nline')]));
    s = moveCursor(s, 'ArrowRight', false, 1);
    assert.equal(cursorCellText(s), '0.9');
    assert.equal(cursorRowTsv(s), 'Name\tacc\tnote\na\t0.9\ttwo cols line\n');
  });

  it('shows the sort order on headers and scrolls a row into view under the header', () => {
    const s = onHostMessage(restoreTableState(undefined), rowsMsg([], { sort: [{ column: 'metric:acc', desc: true }, { column: 'attr:name', desc: false }] }));
    assert.equal(sortMark(s, 'metric:acc'), '▼1');
    assert.equal(sortMark(s, 'attr:name'), '▲2');
    assert.equal(sortMark(s, 'param:note'), '');
    assert.equal(scrollToRow(5, 0, 500, 26), undefined);
    assert.equal(scrollToRow(100, 0, 500, 26), 100 * ROW_HEIGHT + ROW_HEIGHT - 474);
    assert.equal(scrollToRow(2, 1000, 500, 26), 2 * ROW_HEIGHT);
  });

  it('takes the search text and its parse error from the host', () => {
    const s = onHostMessage(restoreTableState(undefined), { type: 'search', text: 'metrics.acc >', error: { message: 'expected a number', column: 14 } });
    assert.equal(s.search, 'metrics.acc >');
    assert.equal(s.searchError?.column, 14);
  });
});

describe('experiments table webview state: nested runs', () => {
  const nested = (k: string, depth: number, o: Partial<TableRowMsg> = {}): TableRowMsg => ({ ...run(k, '1'), depth, ...o });
  const rows = [nested('p', 0, { children: 1, expanded: true }), nested('c', 1, { parent: 'p', children: 2, expanded: false }), nested('q', 0)];
  const s0 = onHostMessage(restoreTableState(undefined), rowsMsg(rows));

  it('→ unfolds a folded parent, ← folds an unfolded one, on the Name column only', () => {
    assert.deepEqual(treeKey(s0, 'ArrowLeft'), { toggle: 'p' });
    assert.equal(treeKey(s0, 'ArrowRight'), undefined);
    const onC = setCursor(s0, 1, 0);
    assert.deepEqual(treeKey(onC, 'ArrowRight'), { toggle: 'c' });
    // Not on the tree column: an ordinary move.
    assert.equal(treeKey(setCursor(s0, 0, 1), 'ArrowLeft'), undefined);
    assert.equal(treeColumn(s0), 0);
  });

  it('← on a folded child goes up to its parent row', () => {
    const r = treeKey(setCursor(s0, 1, 0), 'ArrowLeft');
    assert.ok(r && 'state' in r);
    assert.equal(r.state.cursor.row, 0);
    // A top-level leaf: nothing to fold, nowhere to go up.
    assert.equal(treeKey(setCursor(s0, 2, 0), 'ArrowLeft'), undefined);
  });

  it('marks: ▾ unfolded, ▸ folded, nothing on a leaf or a group row', () => {
    assert.deepEqual(rows.map(nestMark), ['▾', '▸', '']);
    assert.equal(nestMark({ key: 'g', kind: 'group', cells: [] }), '');
  });
});
