// The comparison panel: a table of runs side by side, brushing charts, an overlaid metric chart.
import '../shared/panel.css';
import './compare.css';
import { parseHostToCompare, parseRunRefs, type CompareRun, type CompareToHost, type MetricDirectionPrefs, type RunRefMsg } from '../../src/protocol/panels';
import { renderLegend } from '../shared/legend';
import { MetricChart } from '../shared/lineChart';
import { onThemeChange } from '../shared/theme';
import { showNotice, vscodeApi } from '../shared/vscodeApi';
import { loadElements } from '../shared/elements';
import { ParallelChart, ScatterChart } from './brushCharts';
import { VirtualGrid } from './grid';
import { buildRows, dimensions, type Dimension } from './rows';

interface CompareState {
  runs: RunRefMsg[];
  diffOnly: boolean;
  baseline?: string;
  metric?: string;
  scatterX?: string;
  scatterY?: string;
  hidden: string[];
}

loadElements();
const api = vscodeApi();
const post = (m: CompareToHost) => api.postMessage(m);
const raw = api.getState() as Partial<CompareState> | undefined;
const state: CompareState = {
  runs: parseRunRefs(raw),
  diffOnly: raw?.diffOnly === true,
  baseline: typeof raw?.baseline === 'string' ? raw.baseline : undefined,
  metric: typeof raw?.metric === 'string' ? raw.metric : undefined,
  scatterX: typeof raw?.scatterX === 'string' ? raw.scatterX : undefined,
  scatterY: typeof raw?.scatterY === 'string' ? raw.scatterY : undefined,
  hidden: Array.isArray(raw?.hidden) ? raw.hidden.filter((h): h is string => typeof h === 'string') : [],
};
let runs: CompareRun[] = [];
let direction: MetricDirectionPrefs | undefined;
let dims: Dimension[] = [];
let brushPc: Set<string> | undefined;
let brushScatter: Set<string> | undefined;

const root = document.getElementById('root')!;
root.innerHTML = `
<div class="toolbar" role="toolbar" aria-label="Comparison settings">
  <vscode-checkbox id="diff-only">Only params that differ</vscode-checkbox>
  <label>Baseline <vscode-single-select id="baseline" aria-label="Baseline run"></vscode-single-select></label>
  <label>Metric <vscode-single-select id="metric" aria-label="Metric for the charts"></vscode-single-select></label>
  <vscode-button id="clear" secondary>Clear selection</vscode-button>
  <span id="brush-status" class="hint" aria-live="polite"></span>
</div>
<div id="legend" class="legend" role="group" aria-label="Runs (click to hide or show in the chart)"></div>
<div id="notice" hidden></div>
<div id="grid" class="grid-wrap"></div>
<div class="compare-charts">
  <section class="chart-card"><div class="chart-head"><h2>Params → metric</h2></div><div class="canvas-box"><canvas id="parallel"></canvas></div></section>
  <section class="chart-card">
    <div class="chart-head"><h2>Scatter</h2>
      <vscode-single-select id="scatter-x" aria-label="Scatter x"></vscode-single-select>
      <vscode-single-select id="scatter-y" aria-label="Scatter y"></vscode-single-select>
    </div>
    <div class="canvas-box"><canvas id="scatter"></canvas></div>
  </section>
</div>
<section class="chart-card overlay"><div class="chart-head"><h2 id="overlay-title">Metric</h2></div><div id="overlay" class="chart-body"></div></section>`;

type Select = HTMLElement & { value: string };
const $ = <T extends HTMLElement>(id: string) => root.querySelector<T>(`#${id}`)!;
const diffEl = $<HTMLElement & { checked: boolean }>('diff-only');
const baselineEl = $<Select>('baseline');
const metricEl = $<Select>('metric');
const sxEl = $<Select>('scatter-x');
const syEl = $<Select>('scatter-y');
const notice = $<HTMLDivElement>('notice');
const legendEl = $<HTMLDivElement>('legend');
const brushStatus = $<HTMLSpanElement>('brush-status');
const grid = new VirtualGrid($('grid'));
const parallel = new ParallelChart($<HTMLCanvasElement>('parallel'), (k) => {
  brushPc = k;
  highlight();
});
const scatter = new ScatterChart($<HTMLCanvasElement>('scatter'), (k) => {
  brushScatter = k;
  highlight();
});
const overlay = new MetricChart($('overlay'), 'metric', { xAxis: 'step', smoothing: 0, logScale: false, hidden: new Set(state.hidden) }, {}, 260);

/** Exposed for the E2E checks: what the (virtualised) table holds. */
(window as unknown as { mlopsCompare: unknown }).mlopsCompare = {
  rowLabels: () => grid.rowLabels,
  paramLabels: () => grid.labelsOf('param'),
  highlighted: () => [...(highlightedKeys() ?? [])],
};

function save(): void {
  api.setState(state);
}

function fillSelect(el: Select, options: { value: string; label: string }[], value: string | undefined): string {
  el.replaceChildren(
    ...options.map((o) => {
      const opt = document.createElement('vscode-option');
      opt.setAttribute('value', o.value);
      opt.textContent = o.label;
      return opt;
    }),
  );
  const chosen = options.some((o) => o.value === value) ? value! : (options[0]?.value ?? '');
  el.value = chosen;
  return chosen;
}

function highlightedKeys(): Set<string> | undefined {
  if (!brushPc && !brushScatter) return undefined;
  if (brushPc && brushScatter) return new Set([...brushPc].filter((k) => brushScatter!.has(k)));
  return brushPc ?? brushScatter;
}

function highlight(): void {
  const keys = highlightedKeys();
  brushStatus.textContent = keys ? `${keys.size} of ${runs.length} runs selected` : '';
  parallel.setHighlighted(keys);
  scatter.setHighlighted(keys);
  renderTable();
  const first = keys && runs.findIndex((r) => keys.has(r.key));
  if (first !== undefined && first >= 0) grid.reveal(first);
}

function renderTable(): void {
  const baseline = runs.findIndex((r) => r.key === state.baseline);
  grid.set(runs, buildRows(runs, { diffOnly: state.diffOnly, baseline, direction }), baseline, highlightedKeys());
}

function renderCharts(): void {
  const metricDims = dims.filter((d) => d.id.startsWith('metric:'));
  const paramDims = dims.filter((d) => d.id.startsWith('param:')).slice(0, 12);
  const chosen = metricDims.find((d) => d.label === state.metric);
  const brushRuns = runs.map((r) => ({ key: r.key, name: r.name, color: r.color }));
  parallel.set(brushRuns, chosen ? [...paramDims, chosen] : paramDims);
  const options = dims.map((d) => ({ value: d.id, label: d.id.startsWith('metric:') ? `${d.label} (last)` : d.label }));
  state.scatterX = fillSelect(sxEl, options, state.scatterX ?? paramDims[0]?.id);
  state.scatterY = fillSelect(syEl, options, state.scatterY ?? chosen?.id ?? options[1]?.value);
  scatter.set(brushRuns, dims.find((d) => d.id === state.scatterX), dims.find((d) => d.id === state.scatterY));
  brushPc = undefined;
  brushScatter = undefined;
  highlight();
}

function requestChart(): void {
  if (!state.metric) return;
  $('overlay-title').textContent = state.metric;
  overlay.setRuns([]);
  overlay.setRuns(runs.filter((r) => state.metric! in r.metrics).map((r) => ({ key: r.key, name: r.name, color: r.color, startTime: r.startTime })));
  post({ type: 'chart', metric: state.metric, width: $('overlay').clientWidth || 800 });
}

function toggleRun(key: string): void {
  state.hidden = state.hidden.includes(key) ? state.hidden.filter((k) => k !== key) : [...state.hidden, key];
  overlay.updateSettings({ xAxis: 'step', smoothing: 0, logScale: false, hidden: new Set(state.hidden) });
  renderLegend(legendEl, runs, new Set(state.hidden), toggleRun);
  save();
}

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostToCompare(e.data);
  if (!msg) return;
  if (msg.type === 'series') {
    if (msg.metric === state.metric) overlay.setSeries(msg.run, msg.data);
    return;
  }
  const first = !runs.length;
  runs = msg.runs;
  direction = msg.direction;
  state.runs = runs.map((r) => ({ sourceId: r.sourceId, runId: r.runId }));
  const problems = [...msg.problems];
  if (!runs.length && !problems.length) problems.push('No runs to compare. Check runs in the MLOps Runs view, then run "MLOps: Compare Runs".');
  else if (runs.length === 1) problems.push('Only one run: check more runs in the Runs view to compare them.');
  showNotice(notice, problems.join('\n'), runs.length ? 'info' : 'error');
  renderLegend(legendEl, runs, new Set(state.hidden), toggleRun);
  dims = dimensions(runs);
  fillSelect(baselineEl, [{ value: '', label: 'None' }, ...runs.map((r) => ({ value: r.key, label: r.name }))], state.baseline ?? '');
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const previous = state.metric;
  state.metric = fillSelect(metricEl, metrics.map((m) => ({ value: m, label: m })), state.metric) || undefined;
  renderTable();
  if (first || previous !== state.metric) renderCharts();
  if (first || previous !== state.metric) requestChart();
  save();
});

diffEl.checked = state.diffOnly;
diffEl.addEventListener('change', () => {
  state.diffOnly = diffEl.checked;
  renderTable();
  save();
});
baselineEl.addEventListener('change', () => {
  state.baseline = baselineEl.value || undefined;
  renderTable();
  save();
});
metricEl.addEventListener('change', () => {
  if (metricEl.value === state.metric) return;
  state.metric = metricEl.value;
  renderCharts();
  requestChart();
  save();
});
for (const el of [sxEl, syEl]) {
  el.addEventListener('change', () => {
    state.scatterX = sxEl.value;
    state.scatterY = syEl.value;
    const brushRuns = runs.map((r) => ({ key: r.key, name: r.name, color: r.color }));
    scatter.set(brushRuns, dims.find((d) => d.id === state.scatterX), dims.find((d) => d.id === state.scatterY));
    brushScatter = undefined;
    highlight();
    save();
  });
}
$('clear').addEventListener('click', () => {
  parallel.clear();
  brushScatter = undefined;
  renderCharts();
});
onThemeChange(() => {
  parallel.draw();
  scatter.draw();
  overlay.retheme();
});
new ResizeObserver(() => {
  parallel.draw();
  scatter.draw();
  overlay.resize($('overlay').clientWidth);
}).observe(root);

post({ type: 'ready', width: $('overlay').clientWidth || 800 });
