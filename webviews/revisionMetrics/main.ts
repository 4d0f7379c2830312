// Metrics across revisions: one row per workspace/branch/tag/commit, one column per
// metric, the best value of each column marked (by the metric's direction).
import './style.css';
import { columnId, type HostToRevisionMetrics, type RevisionMetricsToHost } from '../../src/protocol/revisionMetrics';

interface VsCodeApi {
  postMessage(m: RevisionMetricsToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const api = acquireVsCodeApi();

const root = document.getElementById('root')!;
root.innerHTML = `
<div class="toolbar" role="toolbar">
  <span id="title"></span>
  <label>Recent commits of HEAD <input id="recent" type="number" min="0" max="1000" step="5" aria-label="Recent commits of HEAD"></label>
  <button id="refresh" type="button">Refresh</button>
</div>
<div id="problems" role="status"></div>
<div id="table-wrap"><table id="table" aria-label="Metrics across revisions"></table></div>`;
const title = root.querySelector<HTMLSpanElement>('#title')!;
const recent = root.querySelector<HTMLInputElement>('#recent')!;
const problems = root.querySelector<HTMLDivElement>('#problems')!;
const table = root.querySelector<HTMLTableElement>('#table')!;

root.querySelector('#refresh')!.addEventListener('click', () => api.postMessage({ type: 'refresh' }));
recent.addEventListener('change', () => {
  const n = Math.max(0, Math.min(1000, Math.round(Number(recent.value) || 0)));
  api.postMessage({ type: 'setRecentCommits', count: n });
});

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toPrecision(4) : String(Number(v.toFixed(4)));
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function render(msg: Extract<HostToRevisionMetrics, { type: 'table' }>): void {
  title.textContent = `${msg.project}: ${msg.rows.length} revisions, ${msg.columns.length} metrics`;
  recent.value = String(msg.recentCommits);
  problems.replaceChildren(...msg.problems.map((p) => el('div', `⚠ ${p}`, 'problem')));
  table.replaceChildren();
  if (!msg.columns.length) {
    problems.append(el('div', 'No metrics found: declare metrics files in dvc.yaml (metrics: [metrics.json]) and commit them.', 'problem'));
    return;
  }
  const files = [...new Set(msg.columns.map((c) => c.file))];
  const head = el('thead');
  if (files.length > 1) {
    const fileRow = el('tr');
    fileRow.append(el('th', ''));
    for (const f of files) {
      const th = el('th', f, 'file');
      th.colSpan = msg.columns.filter((c) => c.file === f).length;
      fileRow.append(th);
    }
    head.append(fileRow);
  }
  const hr = el('tr');
  hr.append(el('th', 'Revision'));
  for (const c of msg.columns) {
    const th = el('th', c.key, 'metric');
    th.title = `${c.file}: ${c.key} (${c.direction === 'max' ? 'higher' : 'lower'} is better)`;
    th.append(el('span', c.direction === 'max' ? ' ↑' : ' ↓', 'dir'));
    hr.append(th);
  }
  head.append(hr);
  const body = el('tbody');
  for (const r of msg.rows) {
    const tr = el('tr');
    tr.className = `kind-${r.kind}`;
    const revCell = el('th');
    revCell.scope = 'row';
    revCell.append(el('span', r.rev, 'rev'));
    if (r.kind !== 'workspace') revCell.append(el('span', ` ${r.kind}${r.commit && r.rev !== r.commit.slice(0, 7) ? ` · ${r.commit.slice(0, 7)}` : ''}`, 'kind'));
    if (r.subject) revCell.title = `${r.subject}${r.date ? `\n${r.date}` : ''}`;
    tr.append(revCell);
    for (const c of msg.columns) {
      const v = r.values[columnId(c.file, c.key)];
      const td = el('td', v === undefined ? '—' : fmt(v));
      if (v !== undefined && c.bestRevs.includes(r.rev)) {
        td.className = 'best';
        td.title = `best ${c.key}`;
        td.prepend(el('span', '★ ', 'star'));
      }
      tr.append(td);
    }
    body.append(tr);
  }
  table.append(head, body);
}

window.addEventListener('message', (e: MessageEvent<HostToRevisionMetrics>) => {
  const msg = e.data;
  if (msg.type === 'table') render(msg);
  else if (msg.type === 'loading') title.textContent = 'Reading metrics of every revision…';
  else if (msg.type === 'error') {
    problems.replaceChildren(el('div', `⚠ ${msg.message}`, 'problem'));
    table.replaceChildren();
  }
});
api.postMessage({ type: 'ready' });
