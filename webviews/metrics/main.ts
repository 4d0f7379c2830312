// The metrics panel: one chart per metric, the selected runs overlaid, live while they train.
import '../shared/panel.css';
import { parseHostToMetrics, parseMetricsViewState, type MetricsToHost, type MetricsViewState, type PanelRun, type XAxis } from '../../src/protocol/panels';
import { MetricChart, type ChartSettings } from '../shared/lineChart';
import { onThemeChange } from '../shared/theme';
import { showNotice, vscodeApi } from '../shared/vscodeApi';
import { loadElements } from '../shared/elements';
import { renderLegend } from '../shared/legend';

loadElements();
const api = vscodeApi();
const post = (m: MetricsToHost) => api.postMessage(m);
const saved = parseMetricsViewState(api.getState());
const state: MetricsViewState = saved ?? { runs: [], xAxis: 'step', smoothing: 0.6, logScale: false, hidden: [] };
let runs: PanelRun[] = [];
const charts = new Map<string, MetricChart>();
// Each chart follows its own card's width (cards reflow with the panel and the filter).
const resizer = new ResizeObserver((entries) => {
  for (const e of entries) {
    const chart = [...charts.values()].find((c) => c.root === e.target);
    if (chart && e.contentRect.width > 0) chart.resize(e.contentRect.width);
  }
});
const rangeTimers = new Map<string, ReturnType<typeof setTimeout>>();

const root = document.getElementById('root')!;
root.innerHTML = `
<div class="toolbar" role="toolbar" aria-label="Chart settings">
  <label>X axis
    <vscode-single-select id="x-axis" aria-label="X axis">
      <vscode-option value="step">Step</vscode-option>
      <vscode-option value="wall">Wall time</vscode-option>
      <vscode-option value="relative">Relative time</vscode-option>
    </vscode-single-select>
  </label>
  <label>Smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" aria-label="Smoothing"><span id="smoothing-value"></span></label>
  <vscode-checkbox id="log-scale" label="Log scale">Log scale</vscode-checkbox>
  <vscode-textfield id="filter" placeholder="Filter metrics" aria-label="Filter metrics by name"></vscode-textfield>
  <span class="hint">Drag to zoom · Shift-drag or arrows to pan · Ctrl-wheel zooms · double-click resets</span>
</div>
<div id="legend" class="legend" role="group" aria-label="Runs (click to hide or show)"></div>
<div id="notice" hidden></div>
<div id="charts" class="charts"></div>`;

const xAxisEl = root.querySelector<HTMLElement & { value: string }>('#x-axis')!;
const smoothingEl = root.querySelector<HTMLInputElement>('#smoothing')!;
const smoothingValue = root.querySelector<HTMLSpanElement>('#smoothing-value')!;
const logEl = root.querySelector<HTMLElement & { checked: boolean }>('#log-scale')!;
const legendEl = root.querySelector<HTMLDivElement>('#legend')!;
const noticeEl = root.querySelector<HTMLDivElement>('#notice')!;
const chartsEl = root.querySelector<HTMLDivElement>('#charts')!;
const filterEl = root.querySelector<HTMLElement & { value: string }>('#filter')!;

/** Shows the charts whose metric name contains the filter text (one word or several, any order). */
function applyFilter(): void {
  const words = (filterEl.value ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  for (const card of chartsEl.querySelectorAll<HTMLElement>('.chart-card')) {
    const name = (card.dataset.metric ?? '').toLowerCase();
    card.hidden = !words.every((w) => name.includes(w));
  }
}

/** For the E2E checks: the last step a chart holds for a run (by name). */
(window as unknown as { mlopsMetrics: unknown }).mlopsMetrics = {
  lastStep: (metric: string, runName: string) => {
    const run = runs.find((r) => r.name === runName);
    const steps = run && charts.get(metric)?.series(run.key)?.step;
    return steps?.length ? steps[steps.length - 1] : null;
  },
};

function settings(): ChartSettings {
  return { xAxis: state.xAxis, smoothing: state.smoothing, logScale: state.logScale, hidden: new Set(state.hidden) };
}

function save(): void {
  api.setState(state);
}

function applySettings(): void {
  smoothingEl.value = String(state.smoothing);
  smoothingValue.textContent = state.smoothing.toFixed(2);
  xAxisEl.value = state.xAxis;
  logEl.checked = state.logScale;
  const s = settings();
  for (const c of charts.values()) c.updateSettings(s);
  renderLegend(legendEl, runs, new Set(state.hidden), toggleRun);
  save();
}

function toggleRun(key: string): void {
  state.hidden = state.hidden.includes(key) ? state.hidden.filter((k) => k !== key) : [...state.hidden, key];
  applySettings();
}

function chartWidth(): number {
  const first = chartsEl.querySelector('.chart-body');
  return Math.floor((first as HTMLElement | null)?.clientWidth || Math.max(420, chartsEl.clientWidth) - 18);
}

function buildCharts(metrics: string[]): void {
  for (const c of charts.values()) {
    resizer.unobserve(c.root);
    c.destroy();
  }
  charts.clear();
  chartsEl.replaceChildren();
  const chartRuns = runs.map((r) => ({ key: r.key, name: r.name, color: r.color, startTime: r.startTime }));
  for (const metric of metrics) {
    const card = document.createElement('section');
    card.className = 'chart-card';
    card.dataset.metric = metric;
    const head = document.createElement('div');
    head.className = 'chart-head';
    const h = document.createElement('h2');
    h.textContent = metric;
    h.title = metric;
    const png = button('PNG', `Export ${metric} chart as PNG`, () => post({ type: 'exportPng', metric, dataUrl: charts.get(metric)!.toPng() }));
    const csv = button('CSV', `Export ${metric} data as CSV`, () => post({ type: 'exportCsv', metric }));
    head.append(h, png, csv);
    const body = document.createElement('div');
    body.className = 'chart-body';
    card.append(head, body);
    chartsEl.append(card);
    const chart = new MetricChart(body, metric, settings(), { onRange: (lo, hi) => requestRange(metric, lo, hi) });
    chart.setRuns(chartRuns);
    charts.set(metric, chart);
    resizer.observe(body);
  }
}

function button(text: string, label: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.setAttribute('secondary', '');
  b.setAttribute('aria-label', label);
  b.title = label;
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

function requestRange(metric: string, lo: number | null, hi: number | null): void {
  clearTimeout(rangeTimers.get(metric));
  rangeTimers.set(
    metric,
    setTimeout(() => post({ type: 'range', metric, axis: state.xAxis, lo, hi, width: charts.get(metric)?.root.clientWidth || chartWidth() }), 200),
  );
}

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostToMetrics(e.data);
  if (!msg) return;
  switch (msg.type) {
    case 'init': {
      runs = msg.runs;
      // Every run asked for, also those whose store was not read this time: a reload asks for them again.
      state.runs = msg.refs ?? runs.map((r) => ({ sourceId: r.sourceId, runId: r.runId }));
      const problems = [...msg.problems];
      if (!runs.length && !problems.length) problems.push('No runs to chart. Check runs in the MLOps Runs view, then run "MLOps: Open Metric Charts".');
      else if (runs.length && !msg.metrics.length) problems.push('The selected runs have no metrics logged yet. Charts appear here when they log one.');
      showNotice(noticeEl, problems.join('\n'), runs.length ? 'info' : 'error');
      buildCharts(msg.metrics);
      applySettings();
      applyFilter();
      break;
    }
    case 'series':
    case 'append': {
      const chart = charts.get(msg.metric);
      if (!chart) return;
      if (msg.type === 'append') chart.append(msg.run, msg.data);
      else chart.setSeries(msg.run, msg.data);
      break;
    }
    case 'status': {
      const run = runs.find((r) => r.key === msg.run);
      if (run) run.status = msg.status;
      renderLegend(legendEl, runs, new Set(state.hidden), toggleRun);
      break;
    }
  }
});

xAxisEl.addEventListener('change', () => {
  const v = xAxisEl.value as XAxis;
  if (v === state.xAxis) return;
  state.xAxis = v;
  applySettings();
});
smoothingEl.addEventListener('input', () => {
  state.smoothing = Number(smoothingEl.value);
  applySettings();
});
filterEl.addEventListener('input', applyFilter);
logEl.addEventListener('change', () => {
  state.logScale = logEl.checked;
  applySettings();
});
onThemeChange(() => {
  for (const c of charts.values()) c.retheme();
});

smoothingEl.value = String(state.smoothing);
smoothingValue.textContent = state.smoothing.toFixed(2);
post({ type: 'ready', width: chartWidth() });
