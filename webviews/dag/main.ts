// The pipeline DAG: an SVG built with DOM APIs (no innerHTML: stage names are user text),
// nodes coloured by stage state; click reveals the stage in dvc.yaml, double-click runs it.
import '../shared/panel.css';
import './dag.css';
import { parseHostToDag, type DagToHost, type HostToDag } from '../../src/protocol/dag';

interface VsCodeApi {
  postMessage(m: DagToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const api = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
// Room above the top row for edges that arc over a stage.
const PAD = 32;

const root = document.getElementById('root')!;
const toolbar = document.createElement('div');
toolbar.className = 'toolbar';
const title = document.createElement('strong');
const legend = document.createElement('span');
legend.className = 'dag-legend';
for (const [state, cls] of [['up to date', 'ok'], ['changed', 'changed'], ['not run yet', 'new'], ['frozen / unknown', 'other']] as const) {
  const item = document.createElement('span');
  item.className = `dag-key state-${cls}`;
  item.textContent = state;
  legend.append(item);
}
const hint = document.createElement('span');
hint.className = 'dag-hint';
hint.textContent = 'Click a stage to open it in dvc.yaml; double-click to run it.';
toolbar.append(title, legend, hint);
const notice = document.createElement('div');
notice.className = 'notice';
notice.hidden = true;
const wrap = document.createElement('div');
wrap.className = 'dag-wrap';
root.append(toolbar, notice, wrap);

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const stateClass = (s: string) => (s === 'up to date' ? 'ok' : s === 'changed' ? 'changed' : s === 'not run yet' ? 'new' : 'other');

function draw(g: HostToDag): void {
  title.textContent = g.title;
  notice.hidden = !g.problem;
  notice.textContent = g.problem ?? '';
  const canvas = svg('svg', { width: g.width + 2 * PAD, height: g.height + 2 * PAD, role: 'img', 'aria-label': `Pipeline DAG of ${g.title}` });
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'dag-arrow' }));
  defs.append(marker);
  canvas.append(defs);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const edges = svg('g', { class: 'dag-edges' });
  for (const e of g.edges) {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) continue;
    const x1 = PAD + a.x + a.width;
    const y1 = PAD + a.y + a.height / 2;
    const x2 = PAD + b.x;
    const y2 = PAD + b.y + b.height / 2;
    const mid = (x1 + x2) / 2;
    // An edge that skips a layer would run straight through the stages in between: arc over them.
    const between = g.nodes.filter((n) => n.x > a.x + a.width && n.x + n.width < b.x && PAD + n.y < Math.max(y1, y2) + 1 && PAD + n.y + n.height > Math.min(y1, y2) - 1);
    const over = between.length ? Math.min(...between.map((n) => PAD + n.y)) - 14 : undefined;
    const d =
      over === undefined
        ? `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`
        : `M ${x1} ${y1} C ${x1 + 40} ${over - 10}, ${x2 - 40} ${over - 10}, ${x2} ${y2}`;
    const path = svg('path', { d, class: 'dag-edge', 'marker-end': 'url(#arrow)' });
    path.dataset.from = e.from;
    path.dataset.to = e.to;
    edges.append(path);
  }
  canvas.append(edges);
  for (const n of g.nodes) {
    const group = svg('g', { class: `dag-node state-${stateClass(n.state)}`, transform: `translate(${PAD + n.x} ${PAD + n.y})`, tabindex: 0, role: 'button' });
    group.dataset.stage = n.id;
    group.setAttribute('aria-label', `${n.id}: ${n.state}`);
    const tip = svg('title', {});
    tip.textContent = `${n.id} — ${n.state}\n${n.cmd}`;
    const text = svg('text', { x: 26, y: n.height / 2, 'dominant-baseline': 'central' });
    text.textContent = n.id;
    group.append(tip, svg('rect', { width: n.width, height: n.height, rx: 6 }), svg('circle', { cx: 13, cy: n.height / 2, r: 5, class: 'dag-dot' }), text);
    group.addEventListener('click', () => api.postMessage({ type: 'reveal', stage: n.id }));
    group.addEventListener('dblclick', () => api.postMessage({ type: 'run', stage: n.id }));
    group.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') api.postMessage({ type: 'reveal', stage: n.id });
    });
    canvas.append(group);
  }
  wrap.replaceChildren(canvas);
}

window.addEventListener('message', (ev) => {
  const g = parseHostToDag(ev.data);
  if (g) draw(g);
});
api.postMessage({ type: 'ready' });
