// The experiments table: the wiring. Host messages and user input go through the pure
// state (state.ts), the view (view.ts) draws it; the host owns the table's data, sort,
// search, groups and column layout, so most choices are a message and a redraw on reply.
import '../shared/panel.css';
import './experiments.css';
import { parseHostToTable, type TableToHost } from '../../src/protocol/experimentsTable';
import { vscodeApi } from '../shared/vscodeApi';
import { clearSelection, cursorCellText, cursorRowTsv, moveCursor, onHostMessage, restoreTableState, savedOf, setCursor, toggleSelected, treeKey, type NavKey, type TableState } from './state';
import { TableView } from './view';

const api = vscodeApi();
const post = (m: TableToHost) => api.postMessage(m);
let state = restoreTableState(api.getState());
// Typing in the search box posts after a pause, not on every key.
const SEARCH_DEBOUNCE_MS = 150;
let searchTimer: ReturnType<typeof setTimeout> | undefined;

function save(next: TableState): void {
  state = next;
  api.setState(savedOf(state));
}

const NAV_KEYS = new Set<string>(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);

function onKey(e: KeyboardEvent): void {
  const mod = e.ctrlKey || e.metaKey;
  if (NAV_KEYS.has(e.key)) {
    e.preventDefault();
    const tree = e.key === 'ArrowLeft' || e.key === 'ArrowRight' ? treeKey(state, e.key) : undefined;
    if (tree && 'toggle' in tree) {
      post({ type: 'toggleNest', key: tree.toggle });
      return;
    }
    if (tree) {
      save(tree.state);
      view.revealCursor();
      return;
    }
    save(moveCursor(state, e.key as NavKey, mod, view.pageRows()));
    view.revealCursor();
    return;
  }
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    const row = state.rows[state.cursor.row];
    if (row?.kind === 'group') post({ type: 'toggleGroup', id: row.key });
    else {
      save(toggleSelected(state, state.cursor.row));
      view.update(state);
    }
    return;
  }
  if (mod && (e.key === 'c' || e.key === 'C')) {
    e.preventDefault();
    post({ type: 'copy', text: e.shiftKey ? cursorRowTsv(state) : cursorCellText(state) });
    return;
  }
  if (e.key === 'Escape' && state.selected.size) {
    save(clearSelection(state));
    view.update(state);
  }
}

const view = new TableView(document.getElementById('root')!, state, {
  search: (text) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => post({ type: 'search', text }), SEARCH_DEBOUNCE_MS);
  },
  sortClick: (column, additive) => post({ type: 'sortClick', column, additive }),
  show: (column, shown) => post({ type: 'show', column, shown }),
  pin: (column, pinned) => post({ type: 'pin', column, pinned }),
  move: (column, before) => post({ type: 'move', column, before }),
  resize: (column, width) => post({ type: 'resize', column, width }),
  groupBy: (column) => post({ type: 'groupBy', column }),
  minMax: (metric, on) => post({ type: 'minMax', metric, on }),
  toggleNest: (row) => {
    const r = state.rows[row];
    if (r?.kind === 'run') post({ type: 'toggleNest', key: r.key });
  },
  rowClick: (row, col) => {
    const r = state.rows[row];
    save(setCursor(state, row, col));
    if (r?.kind === 'group') post({ type: 'toggleGroup', id: r.key });
    else save(toggleSelected(state, row));
    view.update(state);
  },
  key: onKey,
  open: (action) => post({ type: 'open', action, keys: [...state.selected] }),
  export: (format) => post({ type: 'export', format }),
  clearSelection: () => {
    save(clearSelection(state));
    view.update(state);
  },
});

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostToTable(e.data);
  if (!msg) return;
  if (msg.type === 'probe') {
    post({ type: 'probeReply', id: msg.id, data: view.probe() });
    return;
  }
  save(onHostMessage(state, msg));
  view.render(state);
});

view.render(state);
post({ type: 'ready' });
