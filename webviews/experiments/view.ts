// The experiments table's DOM. Virtualised: one spacer as tall as every row, and only the
// rows in view (plus a few) exist as elements, each absolutely placed at index × ROW_HEIGHT;
// a pool of row elements is rebound as the user scrolls, so 100,000 rows cost what 50 do.
import type { TableProbe } from '../../src/protocol/experimentsTable';
import { columnOffsets, countText, groupOptions, nestMark, ROW_HEIGHT, scrollToRow, sortMark, treeColumn, visibleColumnRange, visibleRange, type TableState } from './state';

export interface TableCallbacks {
  search(text: string): void;
  sortClick(column: string, additive: boolean): void;
  show(column: string, shown: boolean): void;
  pin(column: string, pinned: boolean): void;
  move(column: string, before: string | null): void;
  resize(column: string, width: number): void;
  groupBy(column: string | null): void;
  minMax(metric: string, on: boolean): void;
  rowClick(row: number, col: number): void;
  /** The disclosure triangle of a parent run was clicked. */
  toggleNest(row: number): void;
  key(e: KeyboardEvent): void;
  open(action: 'compare' | 'charts'): void;
  export(format: 'csv' | 'markdown'): void;
  clearSelection(): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'btn', label);
  b.type = 'button';
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

/** A pooled row element, and what it shows now: a rebind compares against these instead of reading the DOM. */
interface PoolRow {
  el: HTMLElement;
  cells: HTMLElement[];
  /** Each cell's text node. */
  nodes: Text[];
  pad: HTMLElement;
  texts: string[];
  titles: string[];
  /** The disclosure triangle drawn in the tree column ('' none). */
  tree: string;
  /** The row of the table bound to it, -1 none. */
  index: number;
  /** The row's classes from its data (status, group, context); `className`: with the selection and cursor added. */
  base?: string;
  className: string;
  /** The column whose cell has the keyboard focus mark, -1 none. */
  focus: number;
  selected: boolean | undefined;
}

export class TableView {
  private readonly searchInput = el('input', 'search-input');
  private readonly searchError = el('div', 'search-error');
  private readonly groupSelect = el('select', 'group-select');
  private readonly count = el('span', 'count');
  private readonly chooser = el('div', 'chooser');
  private readonly chooserFilter = el('input', 'chooser-filter');
  private readonly chooserList = el('div', 'chooser-list');
  private readonly grid = el('div', 'grid');
  private readonly head = el('div', 'head');
  private readonly spacer = el('div', 'spacer');
  private readonly empty = el('div', 'notice');
  private readonly compareBtn: HTMLButtonElement;
  private readonly chartsBtn: HTMLButtonElement;
  private pool: PoolRow[] = [];
  /** Columns laid out: those in view sideways (and pinned ones); the others are display:none and empty. */
  private colRange = { first: -1, end: -1 };
  private offsets: ReturnType<typeof columnOffsets> = { left: [], stick: [], width: 0 };
  private widths: number[] = [];
  private box: { width: number; height: number; head: number } | undefined;
  private columnsKey = '';
  private frame = 0;
  private state: TableState;

  constructor(
    root: HTMLElement,
    state: TableState,
    private readonly cb: TableCallbacks,
  ) {
    this.state = state;
    const toolbar = el('div', 'toolbar');
    const search = el('div', 'search');
    this.searchInput.type = 'text';
    this.searchInput.spellcheck = false;
    this.searchInput.placeholder = "Search, e.g. metrics.accuracy > 0.9 and params.optimizer = 'adam'";
    this.searchInput.setAttribute('aria-label', 'Search runs (MLflow search syntax)');
    this.searchInput.addEventListener('input', () => cb.search(this.searchInput.value));
    this.searchError.setAttribute('role', 'alert');
    search.append(this.searchInput, this.searchError);
    const group = el('label', 'group', 'Group by ');
    group.append(this.groupSelect);
    this.groupSelect.addEventListener('change', () => cb.groupBy(this.groupSelect.value || null));
    // Grouping gathers runs by a value; a parent rarely shares its children's, so grouped rows are flat.
    this.groupSelect.title = 'Group runs by a param, tag or attribute. Grouped rows are flat: nested runs show under their own group, not under their parent.';
    this.compareBtn = button('Compare Runs', 'Compare the selected runs side by side', () => cb.open('compare'));
    this.chartsBtn = button('Metric Charts', "Chart the selected runs' metrics", () => cb.open('charts'));
    const columnsBtn = button('Columns…', 'Choose, pin and order columns', () => this.toggleChooser());
    columnsBtn.setAttribute('aria-haspopup', 'true');
    toolbar.append(
      search,
      group,
      columnsBtn,
      this.compareBtn,
      this.chartsBtn,
      button('Export CSV', 'Save the visible rows and columns as CSV', () => cb.export('csv')),
      button('Export Markdown', 'Save the visible rows and columns as a Markdown table', () => cb.export('markdown')),
      this.count,
    );
    this.chooser.hidden = true;
    this.chooserFilter.type = 'text';
    this.chooserFilter.placeholder = 'Filter columns';
    this.chooserFilter.addEventListener('input', () => this.renderChooser());
    this.chooser.append(this.chooserFilter, this.chooserList);
    this.grid.tabIndex = 0;
    this.grid.setAttribute('role', 'grid');
    this.grid.setAttribute('aria-label', 'Runs');
    this.grid.append(this.head, this.spacer);
    this.grid.addEventListener('scroll', () => this.schedule());
    this.grid.addEventListener('keydown', (e) => cb.key(e));
    this.spacer.addEventListener('click', (e) => this.onRowClick(e));
    const resized = new ResizeObserver(() => {
      this.box = undefined;
      this.schedule();
    });
    resized.observe(this.grid);
    resized.observe(this.head);
    this.empty.hidden = true;
    root.append(toolbar, this.chooser, this.empty, this.grid);
  }

  focusGrid(): void {
    this.grid.focus();
  }

  /** Rows per screen, for PageUp/PageDown. */
  pageRows(): number {
    return Math.max(1, Math.floor((this.grid.clientHeight - this.head.offsetHeight) / ROW_HEIGHT) - 1);
  }

  /** Everything drawn anew (the host sent rows, columns or the search). */
  render(s: TableState): void {
    this.state = s;
    if (document.activeElement !== this.searchInput) this.searchInput.value = s.search;
    this.renderSearchError();
    this.renderGroups();
    this.count.textContent = countText(s);
    this.compareBtn.disabled = this.chartsBtn.disabled = s.selected.size === 0;
    this.renderHead();
    if (!this.chooser.hidden) this.renderChooser();
    this.empty.hidden = !s.loaded || s.rows.length > 0;
    this.empty.textContent = s.total === 0 ? 'No runs in this workspace yet. Train once with MLflow, DVCLive or TensorBoard (or run a DVC experiment); the table fills in by itself.' : 'No run matches the search.';
    this.spacer.style.height = `${s.rows.length * ROW_HEIGHT}px`;
    this.spacer.style.width = `${columnOffsets(s.columns).width}px`;
    this.drawRows(true);
  }

  /** Only the selection, the cursor or the count changed. */
  update(s: TableState): void {
    this.state = s;
    this.count.textContent = countText(s);
    this.compareBtn.disabled = this.chartsBtn.disabled = s.selected.size === 0;
    this.drawRows(false);
  }

  /** Scrolls the cursor's row and cell into view. */
  revealCursor(): void {
    const { row, col } = this.state.cursor;
    const top = scrollToRow(row, this.grid.scrollTop, this.grid.clientHeight, this.head.offsetHeight);
    if (top !== undefined) this.grid.scrollTop = top;
    const { left, width } = { left: columnOffsets(this.state.columns).left[col] ?? 0, width: this.state.columns[col]?.width ?? 0 };
    const pinnedWidth = this.state.columns.filter((c) => c.pinned).reduce((a, c) => a + c.width, 0);
    if (!this.state.columns[col]?.pinned) {
      if (left < this.grid.scrollLeft + pinnedWidth) this.grid.scrollLeft = Math.max(0, left - pinnedWidth);
      else if (left + width > this.grid.scrollLeft + this.grid.clientWidth) this.grid.scrollLeft = left + width - this.grid.clientWidth;
    }
    this.drawRows(false);
  }

  private renderSearchError(): void {
    const err = this.state.searchError;
    this.searchError.replaceChildren();
    this.searchError.hidden = !err;
    this.searchInput.classList.toggle('invalid', !!err);
    if (!err) return;
    // A caret under the column at fault: the input and this line share the editor's monospace font.
    const caret = el('div', 'caret');
    caret.append(el('span', 'caret-pad', this.state.search.slice(0, Math.max(0, err.column - 1)).replace(/\S/g, ' ')), el('span', 'caret-mark', '^'));
    this.searchError.append(caret, el('div', 'error-text', `Column ${err.column}: ${err.message}`));
  }

  private renderGroups(): void {
    const opts = groupOptions(this.state);
    const want = this.state.groupBy ?? '';
    const key = JSON.stringify(opts) + want;
    if (this.groupSelect.dataset.key === key) return;
    this.groupSelect.dataset.key = key;
    this.groupSelect.replaceChildren(new Option('(none)', ''), ...opts.map((o) => new Option(o.label, o.value)));
    this.groupSelect.value = opts.some((o) => o.value === want) ? want : '';
  }

  private renderHead(): void {
    const s = this.state;
    const { stick, width } = columnOffsets(s.columns);
    this.head.style.width = `${width}px`;
    this.head.replaceChildren(
      ...s.columns.map((c, i) => {
        const h = el('div', `hcell${c.numeric ? ' num' : ''}${c.pinned ? ' pinned' : ''}`);
        h.setAttribute('role', 'columnheader');
        h.style.width = `${c.width}px`;
        if (stick[i] !== undefined) h.style.left = `${stick[i]}px`;
        h.dataset.col = c.id;
        h.title = `${c.kind === 'attr' ? '' : `${c.kind} `}${c.label}\nClick: sort · Shift+click: add to the sort · drag: move`;
        const mark = sortMark(s, c.id);
        h.setAttribute('aria-sort', mark ? (mark.startsWith('▼') ? 'descending' : 'ascending') : 'none');
        h.append(el('span', `hkind k-${c.kind}`), el('span', 'hlabel', c.label), el('span', 'hsort', mark));
        const grip = el('span', 'grip');
        grip.addEventListener('pointerdown', (e) => this.startResize(e, h, c.id, c.width));
        grip.addEventListener('click', (e) => e.stopPropagation());
        h.append(grip);
        h.addEventListener('click', (e) => this.cb.sortClick(c.id, e.shiftKey));
        h.draggable = true;
        h.addEventListener('dragstart', (e) => e.dataTransfer?.setData('text/x-mlops-column', c.id));
        h.addEventListener('dragover', (e) => e.preventDefault());
        h.addEventListener('drop', (e) => {
          e.preventDefault();
          const id = e.dataTransfer?.getData('text/x-mlops-column');
          if (id && id !== c.id) this.cb.move(id, c.id);
        });
        return h;
      }),
    );
  }

  private startResize(e: PointerEvent, h: HTMLElement, id: string, start: number): void {
    e.preventDefault();
    e.stopPropagation();
    const grip = e.currentTarget as HTMLElement;
    grip.setPointerCapture(e.pointerId);
    const x0 = e.clientX;
    let width = start;
    const move = (ev: PointerEvent) => {
      width = Math.max(40, Math.min(2000, start + ev.clientX - x0));
      const col = this.state.columns.find((c) => c.id === id);
      if (!col) return;
      col.width = width;
      h.style.width = `${width}px`;
      this.columnsKey = '';
      this.renderHead();
      this.spacer.style.width = `${columnOffsets(this.state.columns).width}px`;
      this.drawRows(true);
    };
    const up = () => {
      grip.removeEventListener('pointermove', move);
      grip.removeEventListener('pointerup', up);
      if (width !== start) this.cb.resize(id, width);
    };
    grip.addEventListener('pointermove', move);
    grip.addEventListener('pointerup', up);
  }

  private toggleChooser(): void {
    this.chooser.hidden = !this.chooser.hidden;
    if (!this.chooser.hidden) {
      this.renderChooser();
      this.chooserFilter.focus();
    }
  }

  private renderChooser(): void {
    const q = this.chooserFilter.value.trim().toLowerCase();
    const s = this.state;
    const rows = s.choices.filter((c) => !q || c.label.toLowerCase().includes(q) || c.kind.includes(q)).slice(0, 500);
    this.chooserList.replaceChildren(
      ...rows.map((c) => {
        const line = el('div', 'choice');
        const box = el('input');
        box.type = 'checkbox';
        box.checked = c.shown;
        box.id = `choice-${c.id}`;
        box.addEventListener('change', () => this.cb.show(c.id, box.checked));
        const label = el('label', '', `${c.kind === 'attr' ? '' : `${c.kind}: `}${c.label}`);
        label.htmlFor = box.id;
        const pin = button(c.pinned ? 'Unpin' : 'Pin', c.pinned ? 'Let the column scroll' : 'Keep the column at the left edge', () => this.cb.pin(c.id, !c.pinned));
        pin.classList.add('small');
        line.append(box, label, pin);
        if (c.kind === 'metric') {
          const on = s.minMax.includes(c.label);
          const mm = button(on ? 'Hide min/max' : 'Min/max', 'Columns with the lowest and highest value logged (reads each run\'s history)', () => this.cb.minMax(c.label, !on));
          mm.classList.add('small');
          line.append(mm);
        }
        return line;
      }),
    );
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawRows(false);
    });
  }

  /** The grid's box and the header's height, kept by a ResizeObserver: a scroll frame reads no layout but the scroll offsets. */
  private measure(): void {
    this.box = { width: this.grid.clientWidth, height: this.grid.clientHeight, head: this.head.offsetHeight };
  }

  /** Binds the pool of row elements to the rows in view; `rebuild` when the columns or the rows themselves changed. */
  private drawRows(rebuild: boolean): void {
    const s = this.state;
    const key = s.columns.map((c) => `${c.id}:${c.width}:${c.pinned}`).join('|');
    if (key !== this.columnsKey) {
      this.columnsKey = key;
      for (const p of this.pool) p.el.remove();
      this.pool = [];
      this.offsets = columnOffsets(s.columns);
      this.widths = s.columns.map((c) => c.width);
      this.colRange = { first: -1, end: -1 };
      rebuild = true;
    }
    if (!this.box) this.measure();
    const box = this.box!;
    const { first, end } = visibleRange(Math.max(0, this.grid.scrollTop - box.head), box.height, s.rows.length);
    const cols = visibleColumnRange(this.offsets.left, this.widths, this.grid.scrollLeft, box.width);
    const n = end - first;
    let grown = false;
    while (this.pool.length < n) {
      // More rows fit than the pool holds (a taller panel): grow it, and place every row anew.
      this.pool.push(this.newRow());
      grown = true;
    }
    if (grown || cols.first !== this.colRange.first || cols.end !== this.colRange.end) {
      this.colRange = cols;
      for (const p of this.pool) this.showColumns(p);
      rebuild = true;
    }
    // Row i lives in pool element i mod the pool's size: a scroll by d rows rebinds d elements, not all.
    const size = this.pool.length;
    // An element whose slot a row in view takes is rebound where it stands: taken out and put
    // back, its whole subtree would be restyled and laid out anew. Only slots left empty (the
    // table's end in view, or a shorter panel) lose their element.
    for (let k = 0; k < size; k++) {
      const p = this.pool[k];
      if (grown) p.index = -1;
      const used = (((k - first) % size) + size) % size < n;
      if (!used && p.el.isConnected) {
        p.el.remove();
        p.index = -1;
      }
    }
    for (let i = first; i < end; i++) {
      const p = this.pool[i % size];
      if (p.index !== i || rebuild) this.bindRow(p, i);
      if (!p.el.isConnected) this.spacer.append(p.el);
      this.markRow(p, i);
    }
  }

  /** A row element with a cell per column, and a pad that stands for the scrolling columns left of the view. */
  private newRow(): PoolRow {
    const s = this.state;
    const el = document.createElement('div');
    el.setAttribute('role', 'row');
    el.style.width = `${this.offsets.width}px`;
    const pad = document.createElement('div');
    pad.className = 'pad';
    pad.setAttribute('aria-hidden', 'true');
    const nodes: Text[] = [];
    const cells = s.columns.map((c, j) => {
      const cell = el.appendChild(document.createElement('div'));
      nodes.push(cell.appendChild(document.createTextNode('')));
      cell.className = `cell${c.numeric ? ' num' : ''}${c.pinned ? ' pinned' : ''}${c.id === 'attr:status' ? ' status' : ''}`;
      cell.setAttribute('role', 'gridcell');
      cell.dataset.col = String(j);
      cell.style.width = `${c.width}px`;
      const stick = this.offsets.stick[j];
      if (stick !== undefined) cell.style.left = `${stick}px`;
      return cell;
    });
    return { el, cells, nodes, pad, texts: cells.map(() => ''), titles: cells.map(() => ''), tree: '', index: -1, className: '', focus: -1, selected: undefined };
  }

  /**
   * Only the columns in view sideways (and the pinned ones) are laid out: the others are
   * display:none, and the pad before the first shown scrolling column is as wide as the
   * scrolling columns before it, so every cell stays at its column's offset.
   */
  private showColumns(p: PoolRow): void {
    const { first, end } = this.colRange;
    const columns = this.state.columns;
    let pad = 0;
    let before: HTMLElement | undefined;
    for (let j = 0; j < p.cells.length; j++) {
      const shown = (j >= first && j < end) || columns[j].pinned;
      if (p.cells[j].hidden === shown) p.cells[j].hidden = !shown;
      if (!shown && !before) pad += this.widths[j];
      else if (shown && !columns[j].pinned && !before) before = p.cells[j];
    }
    p.pad.style.width = `${pad}px`;
    if (before && p.pad.nextSibling !== before) p.el.insertBefore(p.pad, before);
  }

  /** Writes row `i` into a pooled element: only the text, titles and classes that differ from what it shows. */
  private bindRow(p: PoolRow, i: number): void {
    const row = this.state.rows[i];
    const r = p.el;
    if (p.index !== i) {
      p.index = i;
      r.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      r.dataset.row = String(i);
      r.setAttribute('aria-rowindex', String(i + 2));
    }
    p.base = row.kind === 'group' ? 'row group' : `row st-${row.status ?? 'UNKNOWN'}${row.context ? ' context' : ''}`;
    const { first, end } = this.colRange;
    const columns = this.state.columns;
    const tc = treeColumn(this.state);
    const mark = nestMark(row);
    for (let j = 0; j < p.cells.length; j++) {
      // Text only where it can be seen: a row rebound while scrolling lays out ~10 cells, not 30.
      const shown = (j >= first && j < end) || columns[j].pinned;
      let text = shown ? (row.cells[j] ?? '') : '';
      if (row.kind === 'group' && j === 0) text = `${row.collapsed ? '▸' : '▾'} ${row.cells[0]} (${row.count ?? 0})`;
      const cell = p.cells[j];
      const tree = j === tc ? mark : '';
      // The cell's one text node keeps its place and only its data changes: nothing to restyle or reattach, only the text to lay out.
      if (p.texts[j] !== text) p.nodes[j].data = p.texts[j] = text;
      if (j === tc && p.tree !== tree) {
        p.tree = tree;
        if (tree) {
          const twisty = document.createElement('span');
          twisty.className = 'twisty';
          twisty.textContent = tree;
          twisty.setAttribute('aria-hidden', 'true');
          cell.replaceChildren(twisty, p.nodes[j]);
        } else cell.replaceChildren(p.nodes[j]);
      }
      const title = row.titles?.[j] || (text.length > 12 ? text : '');
      if (p.titles[j] !== title) cell.title = p.titles[j] = title;
    }
    const tree = p.cells[tc] as HTMLElement | undefined;
    if (tree) {
      // Indent by level; a leaf under a parent lines up with its siblings' names, past their triangles.
      const depth = row.depth ?? 0;
      const nested = row.kind === 'run' && (depth > 0 || !!row.children);
      const indent = nested ? `${8 + depth * 16 + (row.children ? 0 : 14)}px` : '';
      if (tree.style.paddingLeft !== indent) tree.style.paddingLeft = indent;
    }
    if (row.kind === 'group') {
      r.setAttribute('aria-expanded', String(!row.collapsed));
      r.removeAttribute('title');
      r.removeAttribute('aria-level');
      return;
    }
    if (row.context) r.title = 'Shown because a nested run under it matches the search';
    else r.removeAttribute('title');
    if (row.children) {
      r.setAttribute('aria-expanded', String(!!row.expanded));
      r.setAttribute('aria-level', String((row.depth ?? 0) + 1));
    } else {
      r.removeAttribute('aria-expanded');
      r.removeAttribute('aria-level');
    }
  }

  /** The selection and the keyboard cursor on a bound row; written only where they changed. */
  private markRow(p: PoolRow, i: number): void {
    const s = this.state;
    const row = s.rows[i];
    const selected = row.kind === 'run' && s.selected.has(row.key);
    const cursorRow = s.cursor.row === i;
    const className = `${p.base}${selected ? ' selected' : ''}${cursorRow ? ' cursor' : ''}`;
    if (p.className !== className) p.el.className = p.className = className;
    if (p.selected !== selected) {
      p.selected = selected;
      p.el.setAttribute('aria-selected', String(selected));
    }
    const focus = cursorRow ? s.cursor.col : -1;
    if (p.focus !== focus) {
      p.cells[p.focus]?.classList.remove('focus');
      p.cells[focus]?.classList.add('focus');
      p.focus = focus;
    }
  }

  private onRowClick(e: MouseEvent): void {
    const cell = (e.target as HTMLElement).closest('.cell');
    const row = cell?.parentElement;
    if (!cell || !row?.dataset.row) return;
    if ((e.target as HTMLElement).closest('.twisty')) {
      this.cb.toggleNest(Number(row.dataset.row));
      return;
    }
    this.cb.rowClick(Number(row.dataset.row), Number((cell as HTMLElement).dataset.col));
    this.grid.focus();
  }

  probe(): TableProbe {
    const drawn: { i: number; text: string }[] = [];
    for (const p of this.pool) if (p.el.isConnected) drawn.push({ i: p.index, text: p.cells[0]?.textContent ?? '' });
    drawn.sort((a, b) => a.i - b.i);
    return {
      rows: this.state.rows.length,
      domRows: this.spacer.querySelectorAll('.row').length,
      drawn: drawn.map((d) => d.text),
      columns: this.state.columns.map((c) => c.id),
      selected: [...this.state.selected],
      searchError: this.state.searchError ? `Column ${this.state.searchError.column}: ${this.state.searchError.message}` : null,
    };
  }
}
