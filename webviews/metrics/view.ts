// The metrics panel's DOM: the toolbar, the legend, the notice and one chart card per
// metric. It draws a MetricsState (state.ts) and reports what the user does; it keeps
// no state of its own beyond the charts and their data.
import type { MetricsProbe, SeriesColumns, XAxis } from '../../src/protocol/panels';
import { renderLegend } from '../shared/legend';
import { MetricChart, type ChartSettings } from '../shared/lineChart';
import { showNotice } from '../shared/vscodeApi';
import { chartGroups, groupOptions, matchesFilter, type MetricsState } from './state';

export interface MetricsViewEvents {
  xAxis(xAxis: XAxis): void;
  smoothing(value: number): void;
  logScale(on: boolean): void;
  groupBy(field: string | null): void;
  showRuns(on: boolean): void;
  toggleRun(key: string): void;
  exportPng(metric: string, dataUrl: string): void;
  exportCsv(metric: string): void;
  /** The user zoomed or panned a chart (debounced); null: back to everything. */
  range(metric: string, lo: number | null, hi: number | null, width: number): void;
}

// A drag or a wheel zoom fires many ranges: ask the host for the detail of the last only.
const RANGE_DEBOUNCE_MS = 200;

const TOOLBAR = `
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
  <label title="Average the runs that share a param or tag value (seeds of one configuration): each group's mean line with a band of ±1 sample standard deviation">Average by
    <select id="group-by" class="group-select" aria-label="Average the runs grouped by a param or tag"></select>
  </label>
  <vscode-checkbox id="show-runs" label="Show runs" title="Show each run's own line beside its group's mean">Show runs</vscode-checkbox>
  <vscode-textfield id="filter" placeholder="Filter metrics" aria-label="Filter metrics by name"></vscode-textfield>
  <span class="hint">Drag to zoom · Shift-drag or arrows to pan · Ctrl-wheel zooms · double-click resets</span>
</div>
<div id="legend" class="legend" role="group" aria-label="Runs (click to hide or show)"></div>
<div id="group-legend" class="legend group-legend" aria-label="Groups: mean ± 1 sample standard deviation" hidden></div>
<div id="notice" hidden></div>
<div id="charts" class="charts"></div>`;

export class MetricsView {
  private readonly charts = new Map<string, MetricChart>();
  private readonly rangeTimers = new Map<string, ReturnType<typeof setTimeout>>();
  // Each chart follows its own card's width (cards reflow with the panel and the filter).
  private readonly resizer = new ResizeObserver((entries) => {
    for (const e of entries) {
      const chart = [...this.charts.values()].find((c) => c.root === e.target);
      if (chart && e.contentRect.width > 0) chart.resize(e.contentRect.width);
    }
  });
  private readonly xAxisEl: HTMLElement & { value: string };
  private readonly smoothingEl: HTMLInputElement;
  private readonly smoothingValue: HTMLSpanElement;
  private readonly logEl: HTMLElement & { checked: boolean };
  private readonly groupEl: HTMLSelectElement;
  private readonly showRunsEl: HTMLElement & { checked: boolean; hidden: boolean };
  private readonly filterEl: HTMLElement & { value: string };
  private readonly legendEl: HTMLDivElement;
  private readonly groupLegendEl: HTMLDivElement;
  private readonly noticeEl: HTMLDivElement;
  private readonly chartsEl: HTMLDivElement;

  constructor(
    root: HTMLElement,
    initial: MetricsState,
    private readonly on: MetricsViewEvents,
  ) {
    root.innerHTML = TOOLBAR;
    // One lookup per element of the layout: the same shape as compare/view.ts's, other ids and
    // types (duplicates reports the pair; nothing to share but this one-line helper).
    const $ = <T extends HTMLElement>(id: string) => root.querySelector<T>(`#${id}`)!;
    this.xAxisEl = $('x-axis');
    this.smoothingEl = $('smoothing');
    this.smoothingValue = $('smoothing-value');
    this.logEl = $('log-scale');
    this.groupEl = $('group-by');
    this.showRunsEl = $('show-runs');
    this.filterEl = $('filter');
    this.legendEl = $('legend');
    this.groupLegendEl = $('group-legend');
    this.noticeEl = $('notice');
    this.chartsEl = $('charts');
    this.xAxisEl.addEventListener('change', () => on.xAxis(this.xAxisEl.value as XAxis));
    this.smoothingEl.addEventListener('input', () => on.smoothing(Number(this.smoothingEl.value)));
    this.logEl.addEventListener('change', () => on.logScale(this.logEl.checked));
    this.groupEl.addEventListener('change', () => on.groupBy(this.groupEl.value || null));
    this.showRunsEl.addEventListener('change', () => on.showRuns(this.showRunsEl.checked));
    this.filterEl.addEventListener('input', () => this.applyFilter());
    // The slider shows the saved smoothing at once; the other controls follow with the host's init.
    this.smoothingEl.value = String(initial.saved.smoothing);
    this.smoothingValue.textContent = initial.saved.smoothing.toFixed(2);
  }

  /** The width a chart has (or will have): the host downsamples to it. */
  chartWidth(): number {
    const first = this.chartsEl.querySelector('.chart-body');
    return Math.floor((first as HTMLElement | null)?.clientWidth || Math.max(420, this.chartsEl.clientWidth) - 18);
  }

  /** The toolbar, the legend and every chart as `state.saved` says. */
  applySettings(state: MetricsState): void {
    this.smoothingEl.value = String(state.saved.smoothing);
    this.smoothingValue.textContent = state.saved.smoothing.toFixed(2);
    this.xAxisEl.value = state.saved.xAxis;
    this.logEl.checked = state.saved.logScale;
    this.renderGroupBy(state);
    const s = chartSettings(state);
    for (const c of this.charts.values()) c.updateSettings(s);
    this.renderLegend(state);
  }

  private renderGroupBy(state: MetricsState): void {
    const opts = groupOptions(state.runs);
    const want = state.saved.groupBy ?? '';
    const key = JSON.stringify(opts) + want;
    if (this.groupEl.dataset.key !== key) {
      this.groupEl.dataset.key = key;
      this.groupEl.replaceChildren(new Option('(none)', ''), ...opts.map((o) => new Option(o.label, o.value)));
      this.groupEl.value = opts.some((o) => o.value === want) ? want : '';
    }
    this.groupEl.disabled = !opts.length;
    this.showRunsEl.checked = state.saved.showRuns;
    const groups = chartSettings(state).groups ?? [];
    this.showRunsEl.hidden = !groups.length;
    // What each mean line and band is: the group, its colour, how many runs.
    this.groupLegendEl.hidden = !groups.length;
    this.groupLegendEl.replaceChildren(
      ...groups.map((g) => {
        const item = document.createElement('span');
        item.className = 'legend-item group-item';
        const sw = document.createElement('span');
        sw.className = 'swatch band';
        sw.style.backgroundColor = g.color;
        const text = document.createElement('span');
        text.textContent = `${g.label} · mean ± std of ${g.members.length} ${g.members.length === 1 ? 'run' : 'runs'}`;
        item.append(sw, text);
        return item;
      }),
    );
  }

  renderLegend(state: MetricsState): void {
    renderLegend(this.legendEl, state.runs, new Set(state.saved.hidden), (key) => this.on.toggleRun(key));
  }

  /** New runs or metrics (the host's init): the notice and one empty chart per metric. */
  rebuild(state: MetricsState): void {
    showNotice(this.noticeEl, state.notice.text, state.notice.kind);
    for (const c of this.charts.values()) {
      this.resizer.unobserve(c.root);
      c.destroy();
    }
    this.charts.clear();
    this.chartsEl.replaceChildren();
    const chartRuns = state.runs.map((r) => ({ key: r.key, name: r.name, color: r.color, startTime: r.startTime }));
    for (const metric of state.metrics) {
      const card = document.createElement('section');
      card.className = 'chart-card';
      card.dataset.metric = metric;
      const head = document.createElement('div');
      head.className = 'chart-head';
      const h = document.createElement('h2');
      h.textContent = metric;
      h.title = metric;
      const png = button('PNG', `Export ${metric} chart as PNG`, () => this.on.exportPng(metric, this.charts.get(metric)!.toPng()));
      const csv = button('CSV', `Export ${metric} data as CSV`, () => this.on.exportCsv(metric));
      head.append(h, png, csv);
      const body = document.createElement('div');
      body.className = 'chart-body';
      card.append(head, body);
      this.chartsEl.append(card);
      const chart = new MetricChart(body, metric, chartSettings(state), { onRange: (lo, hi) => this.requestRange(metric, lo, hi) });
      chart.setRuns(chartRuns);
      this.charts.set(metric, chart);
      this.resizer.observe(body);
    }
    this.applySettings(state);
    this.applyFilter();
  }

  /** A run's series of a metric: whole (`append` false) or the points logged since. */
  showSeries(metric: string, run: string, data: SeriesColumns, append: boolean): void {
    const chart = this.charts.get(metric);
    if (!chart) return;
    if (append) chart.append(run, data);
    else chart.setSeries(run, data);
  }

  retheme(): void {
    for (const c of this.charts.values()) c.retheme();
  }

  /** What each chart holds, for the E2E probe. */
  probe(state: MetricsState): MetricsProbe {
    return {
      charts: [...this.charts].map(([metric, chart]) => ({
        metric,
        series: state.runs.map((r) => {
          const steps = chart.series(r.key)?.step;
          return { run: r.key, name: r.name, points: steps?.length ?? 0, lastStep: steps?.length ? steps[steps.length - 1] : null };
        }),
      })),
    };
  }

  private applyFilter(): void {
    for (const card of this.chartsEl.querySelectorAll<HTMLElement>('.chart-card')) card.hidden = !matchesFilter(card.dataset.metric ?? '', this.filterEl.value ?? '');
  }

  private requestRange(metric: string, lo: number | null, hi: number | null): void {
    clearTimeout(this.rangeTimers.get(metric));
    this.rangeTimers.set(
      metric,
      setTimeout(() => this.on.range(metric, lo, hi, this.charts.get(metric)?.root.clientWidth || this.chartWidth()), RANGE_DEBOUNCE_MS),
    );
  }
}

function chartSettings(state: MetricsState): ChartSettings {
  // A group takes its first run's colour: runs of different groups already differ.
  const color = new Map(state.runs.map((r) => [r.key, r.color]));
  const groups = chartGroups(state).map((g) => ({ ...g, color: color.get(g.members[0]) ?? 'gray' }));
  return { xAxis: state.saved.xAxis, smoothing: state.saved.smoothing, logScale: state.saved.logScale, hidden: new Set(state.saved.hidden), groups, showRuns: state.saved.showRuns };
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
