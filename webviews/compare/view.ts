// The comparison panel's DOM: the toolbar, the legend, the notice, the virtualised table,
// the brushing charts and the overlaid metric chart. It draws a CompareState (state.ts)
// and reports what the user does.
import type { CompareProbe, SeriesColumns } from '../../src/protocol/panels';
import { renderLegend } from '../shared/legend';
import { MetricChart, type ChartSettings } from '../shared/lineChart';
import { showNotice } from '../shared/vscodeApi';
import { pickOption, type Option } from '../shared/viewState';
import { ParallelChart, ScatterChart } from './brushCharts';
import { VirtualGrid } from './grid';
import { buildRows } from './rows';
import {
  baselineIndex,
  baselineOptions,
  provenanceLines,
  brushStatus,
  highlighted,
  metricOptions,
  overlayRuns,
  parallelAxes,
  scatterAxes,
  scatterOptions,
  type CompareState,
} from './state';

export interface CompareViewEvents {
  diffOnly(on: boolean): void;
  baseline(key: string): void;
  metric(metric: string): void;
  scatter(x: string, y: string): void;
  /** "Clear selection": both brushes let go. */
  clear(): void;
  brush(chart: 'parallel' | 'scatter', keys: ReadonlySet<string> | undefined): void;
  toggleRun(key: string): void;
}

const LAYOUT = `
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
<section id="provenance" class="provenance" aria-label="Provenance" hidden><h2>Provenance</h2><div id="provenance-body"></div></section>
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

// The overlaid chart shows raw values by step: a comparison, not a training curve to smooth.
const overlaySettings = (state: CompareState): ChartSettings => ({ xAxis: 'step', smoothing: 0, logScale: false, hidden: new Set(state.saved.hidden) });

export class CompareView {
  private readonly diffEl: HTMLElement & { checked: boolean };
  private readonly baselineEl: Select;
  private readonly metricEl: Select;
  private readonly sxEl: Select;
  private readonly syEl: Select;
  private readonly noticeEl: HTMLDivElement;
  private readonly legendEl: HTMLDivElement;
  private readonly brushStatusEl: HTMLSpanElement;
  private readonly overlayTitle: HTMLElement;
  private readonly overlayEl: HTMLElement;
  private readonly grid: VirtualGrid;
  private readonly parallel: ParallelChart;
  private readonly scatter: ScatterChart;
  private readonly overlay: MetricChart;

  constructor(
    root: HTMLElement,
    initial: CompareState,
    private readonly on: CompareViewEvents,
  ) {
    root.innerHTML = LAYOUT;
    // One lookup per element of the layout: the same shape as metrics/view.ts's, other ids and
    // types (duplicates reports the pair; nothing to share but this one-line helper).
    const $ = <T extends HTMLElement>(id: string) => root.querySelector<T>(`#${id}`)!;
    this.diffEl = $('diff-only');
    this.baselineEl = $('baseline');
    this.metricEl = $('metric');
    this.sxEl = $('scatter-x');
    this.syEl = $('scatter-y');
    this.noticeEl = $('notice');
    this.legendEl = $('legend');
    this.brushStatusEl = $('brush-status');
    this.overlayTitle = $('overlay-title');
    this.overlayEl = $('overlay');
    this.grid = new VirtualGrid($('grid'));
    this.parallel = new ParallelChart($<HTMLCanvasElement>('parallel'), (k) => on.brush('parallel', k));
    this.scatter = new ScatterChart($<HTMLCanvasElement>('scatter'), (k) => on.brush('scatter', k));
    this.overlay = new MetricChart(this.overlayEl, 'metric', overlaySettings(initial), {}, 260);

    this.diffEl.checked = initial.saved.diffOnly;
    this.diffEl.addEventListener('change', () => on.diffOnly(this.diffEl.checked));
    this.baselineEl.addEventListener('change', () => on.baseline(this.baselineEl.value));
    this.metricEl.addEventListener('change', () => on.metric(this.metricEl.value));
    for (const el of [this.sxEl, this.syEl]) el.addEventListener('change', () => on.scatter(this.sxEl.value, this.syEl.value));
    $('clear').addEventListener('click', () => on.clear());
    new ResizeObserver(() => {
      this.parallel.draw();
      this.scatter.draw();
      this.overlay.resize(this.overlayEl.clientWidth);
    }).observe(root);
  }

  /** The width the overlaid chart has: the host downsamples its series to it. */
  overlayWidth(): number {
    return this.overlayEl.clientWidth || 800;
  }

  /** The host's runs: notice, legend, the baseline and metric choices, the table. */
  showRuns(state: CompareState): void {
    showNotice(this.noticeEl, state.notice.text, state.notice.kind);
    this.renderLegend(state);
    fillSelect(this.baselineEl, baselineOptions(state), state.saved.baseline ?? '');
    fillSelect(this.metricEl, metricOptions(state.metrics), state.saved.metric ?? '');
    this.renderTable(state);
    this.renderProvenance(state);
  }

  /** One line per run after the first: "code: 2 files differ · data: same · image: differs · GPU: A100 vs H100". */
  renderProvenance(state: CompareState): void {
    const section = document.getElementById('provenance') as HTMLElement;
    const body = document.getElementById('provenance-body') as HTMLElement;
    const lines = provenanceLines(state);
    section.hidden = !lines.length;
    body.replaceChildren(
      ...lines.map((l) => {
        const row = document.createElement('div');
        row.className = 'provenance-row';
        const head = document.createElement('div');
        head.className = 'provenance-head';
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = l.color;
        head.append(swatch, l.heading);
        const cells = document.createElement('div');
        cells.className = 'provenance-cells';
        for (const c of l.cells) {
          const cell = document.createElement('span');
          cell.className = `provenance-cell ${c.kind}`;
          cell.textContent = c.text;
          if (c.detail) cell.title = c.detail;
          cells.append(cell);
        }
        row.append(head, cells);
        for (const text of l.ended) {
          const e = document.createElement('div');
          e.className = 'hint ended';
          e.textContent = text;
          row.append(e);
        }
        if (l.unknown) {
          const u = document.createElement('div');
          u.className = 'hint';
          u.textContent = l.unknown;
          row.append(u);
        }
        return row;
      }),
    );
  }

  renderTable(state: CompareState): void {
    const baseline = baselineIndex(state);
    this.grid.set(state.runs, buildRows(state.runs, { diffOnly: state.saved.diffOnly, baseline, direction: state.direction }), baseline, highlighted(state));
  }

  /** The parallel coordinates and the scatter drawn anew (their brushes let go). */
  renderCharts(state: CompareState): void {
    this.parallel.set(brushRuns(state), parallelAxes(state));
    const options = scatterOptions(state);
    fillSelect(this.sxEl, options, state.saved.scatterX ?? '');
    fillSelect(this.syEl, options, state.saved.scatterY ?? '');
    this.renderScatter(state);
  }

  renderScatter(state: CompareState): void {
    const { x, y } = scatterAxes(state);
    this.scatter.set(brushRuns(state), x, y);
    this.highlight(state);
  }

  /** The brushed runs marked in both charts and the table, the first of them scrolled into view. */
  highlight(state: CompareState): void {
    const keys = highlighted(state);
    this.brushStatusEl.textContent = brushStatus(state);
    this.parallel.setHighlighted(keys);
    this.scatter.setHighlighted(keys);
    this.renderTable(state);
    const first = keys && state.runs.findIndex((r) => keys.has(r.key));
    if (first !== undefined && first >= 0) this.grid.reveal(first);
  }

  /** The overlaid chart emptied for the chosen metric's runs; their series come from the host. */
  resetOverlay(state: CompareState): void {
    if (!state.saved.metric) return;
    this.overlayTitle.textContent = state.saved.metric;
    this.overlay.setRuns([]);
    this.overlay.setRuns(overlayRuns(state).map((r) => ({ key: r.key, name: r.name, color: r.color, startTime: r.startTime })));
  }

  showSeries(run: string, data: SeriesColumns): void {
    this.overlay.setSeries(run, data);
  }

  /** Runs hidden or shown in the overlaid chart. */
  applyHidden(state: CompareState): void {
    this.overlay.updateSettings(overlaySettings(state));
    this.renderLegend(state);
  }

  retheme(): void {
    this.parallel.draw();
    this.scatter.draw();
    this.overlay.retheme();
  }

  /** What the (virtualised) table holds, for the E2E probe. */
  probe(state: CompareState): CompareProbe {
    return { rows: this.grid.rowLabels, params: this.grid.labelsOf('param'), highlighted: [...(highlighted(state) ?? [])] };
  }

  private renderLegend(state: CompareState): void {
    renderLegend(this.legendEl, state.runs, new Set(state.saved.hidden), (key) => this.on.toggleRun(key));
  }
}

const brushRuns = (state: CompareState) => state.runs.map((r) => ({ key: r.key, name: r.name, color: r.color }));

function fillSelect(el: Select, options: readonly Option[], value: string): void {
  el.replaceChildren(
    ...options.map((o) => {
      const opt = document.createElement('vscode-option');
      opt.setAttribute('value', o.value);
      opt.textContent = o.label;
      return opt;
    }),
  );
  el.value = pickOption(options, value);
}
