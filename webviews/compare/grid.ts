// A virtualised table: only the cells in view exist in the DOM, so 500 runs × 1,000
// params scroll as smoothly as ten. The header row and the label column stay in place.
import type { CompareRun } from '../../src/protocol/panels';
import { formatDelta, type Row } from './rows';

const ROW_H = 24;
const MIN_COL_W = 160;
const MAX_COL_W = 320;
const LABEL_W = 240;
const HEAD_H = 30;

export class VirtualGrid {
  private rows: Row[] = [];
  private runs: CompareRun[] = [];
  private highlighted: ReadonlySet<string> | undefined;
  private baseline = -1;
  private readonly spacer: HTMLDivElement;
  private frame = 0;
  /** Columns widen to fill the panel when there are few runs. */
  private colW = MIN_COL_W;

  constructor(readonly el: HTMLElement) {
    el.classList.add('grid');
    el.tabIndex = 0;
    el.setAttribute('role', 'grid');
    el.setAttribute('aria-label', 'Runs side by side. Arrow keys and Page Up/Down scroll.');
    this.spacer = document.createElement('div');
    this.spacer.className = 'grid-spacer';
    el.append(this.spacer);
    el.addEventListener('scroll', () => this.schedule());
    el.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => {
      this.layout();
      this.schedule();
    }).observe(el);
  }

  /** The labels of the rows the table holds now (virtualised or not), for tests and counts. */
  get rowLabels(): string[] {
    return this.rows.map((r) => r.label);
  }

  labelsOf(kind: Row['kind']): string[] {
    return this.rows.filter((r) => r.kind === kind).map((r) => r.label);
  }

  set(runs: CompareRun[], rows: Row[], baseline: number, highlighted: ReadonlySet<string> | undefined): void {
    this.runs = runs;
    this.rows = rows;
    this.baseline = baseline;
    this.highlighted = highlighted;
    this.layout();
    this.el.setAttribute('aria-rowcount', String(rows.length + 1));
    this.el.setAttribute('aria-colcount', String(runs.length + 1));
    this.render();
  }

  private layoutWidth = -1;

  private layout(): void {
    const n = this.runs.length;
    this.layoutWidth = this.el.clientWidth;
    this.colW = n ? Math.min(MAX_COL_W, Math.max(MIN_COL_W, Math.floor((this.el.clientWidth - LABEL_W - 2) / n))) : MIN_COL_W;
    this.spacer.style.width = `${LABEL_W + n * this.colW}px`;
    this.spacer.style.height = `${HEAD_H + this.rows.length * ROW_H}px`;
  }

  /** Scrolls the run's column into view (a brushed run in a wide table). */
  reveal(runIndex: number): void {
    const left = LABEL_W + runIndex * this.colW;
    if (left < this.el.scrollLeft + LABEL_W || left + this.colW > this.el.scrollLeft + this.el.clientWidth) this.el.scrollLeft = left - LABEL_W;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private onKey(e: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = {
      ArrowDown: [ROW_H, 0],
      ArrowUp: [-ROW_H, 0],
      PageDown: [this.el.clientHeight - HEAD_H, 0],
      PageUp: [-(this.el.clientHeight - HEAD_H), 0],
      ArrowRight: [0, this.colW],
      ArrowLeft: [0, -this.colW],
    };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    this.el.scrollTop += m[0];
    this.el.scrollLeft += m[1];
  }

  private render(): void {
    // A scroll bar coming or going changes the width without resizing the element.
    if (this.el.clientWidth !== this.layoutWidth) this.layout();
    const { scrollTop, scrollLeft, clientHeight, clientWidth } = this.el;
    const r0 = Math.max(0, Math.floor(scrollTop / ROW_H));
    const r1 = Math.min(this.rows.length, Math.ceil((scrollTop + clientHeight) / ROW_H) + 1);
    const c0 = Math.max(0, Math.floor(scrollLeft / this.colW));
    const c1 = Math.min(this.runs.length, Math.ceil((scrollLeft + clientWidth) / this.colW) + 1);
    const frag = document.createDocumentFragment();
    const cell = (cls: string, text: string, top: number, left: number, width: number, height = ROW_H) => {
      const d = document.createElement('div');
      d.className = cls;
      d.textContent = text;
      d.style.top = `${top}px`;
      d.style.left = `${left}px`;
      d.style.width = `${width}px`;
      d.style.height = `${height}px`;
      frag.append(d);
      return d;
    };
    const brushing = this.highlighted !== undefined;
    for (let r = r0; r < r1; r++) {
      const row = this.rows[r];
      const top = HEAD_H + r * ROW_H;
      if (row.kind === 'header') {
        const h = cell('cell section', row.label, top, scrollLeft, clientWidth);
        h.setAttribute('role', 'rowheader');
        continue;
      }
      for (let c = c0; c < c1; c++) {
        const text = row.cells[c];
        const d = row.delta?.[c];
        const classes = ['cell'];
        if (row.changed?.[c]) classes.push('changed');
        if (row.best === c) classes.push('best');
        if (c === this.baseline) classes.push('baseline');
        if (brushing) classes.push(this.highlighted!.has(this.runs[c].key) ? 'hl' : 'dim');
        const shown = row.best === c ? `★ ${text}` : text;
        const el = cell(classes.join(' '), d !== undefined ? `${shown}  ${formatDelta(d)}` : shown, top, LABEL_W + c * this.colW, this.colW);
        el.setAttribute('role', 'gridcell');
        el.title = d !== undefined ? `${text} (${formatDelta(d)} vs baseline)` : text;
        if (d !== undefined && d !== 0) el.dataset.delta = d > 0 ? 'up' : 'down';
      }
      const label = cell(`cell label kind-${row.kind}`, row.label, top, scrollLeft, LABEL_W);
      label.title = row.label;
      label.setAttribute('role', 'rowheader');
    }
    // The header row: run names in their colours, above everything while scrolling down.
    for (let c = c0; c < c1; c++) {
      const run = this.runs[c];
      const classes = ['cell', 'head'];
      if (c === this.baseline) classes.push('baseline');
      if (brushing) classes.push(this.highlighted!.has(run.key) ? 'hl' : 'dim');
      const h = cell(classes.join(' '), '', scrollTop, LABEL_W + c * this.colW, this.colW, HEAD_H);
      h.setAttribute('role', 'columnheader');
      h.dataset.run = run.key;
      h.title = `${run.name}\n${run.runId}\n${run.source}`;
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.backgroundColor = run.color;
      const name = document.createElement('span');
      name.textContent = c === this.baseline ? `${run.name} (baseline)` : run.name;
      h.append(sw, name);
    }
    cell('cell head corner', `${this.runs.length} runs · ${this.rows.filter((r) => r.kind !== 'header').length} rows`, scrollTop, scrollLeft, LABEL_W, HEAD_H);
    this.spacer.replaceChildren(frag);
  }
}
