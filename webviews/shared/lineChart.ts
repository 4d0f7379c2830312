// One metric's line chart: every run overlaid, raw line faint behind its smoothed line,
// zoom (drag, wheel, keys) and pan (shift-drag, arrows), a hover read-out. The host sends
// series already downsampled to the chart's width; this only draws them. uPlot runs in
// its faceted mode (each series has its own x values): runs log at different steps, and
// joining them onto one shared x axis would multiply the points drawn by the run count.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { concatColumn, type NumberColumn, type SeriesColumns, type XAxis } from '../../src/protocol/panels';
import { relativeTimeOrigin, timeToAxisSeconds } from '../../src/protocol/relativeTime';
import { meanBand, type MeanBand } from './groupAverage';
import { directLinear } from './linePath';
import { emaSmooth } from './smoothing';
import { readTheme, withAlpha, type ChartTheme } from './theme';

export interface ChartRun {
  key: string;
  name: string;
  color: string;
  /** Where relative time counts from (ms since the epoch). */
  startTime?: number;
}

/** Runs averaged together: their mean line and a ±1 std band. */
export interface ChartGroup {
  id: string;
  label: string;
  color: string;
  members: readonly string[];
}

export interface ChartSettings {
  xAxis: XAxis;
  smoothing: number;
  logScale: boolean;
  hidden: ReadonlySet<string>;
  /** "Average the group": absent or empty, every run on its own. */
  groups?: readonly ChartGroup[];
  /** With groups: whether the runs' own lines show too. */
  showRuns?: boolean;
}

// uPlot's own linear builder: it makes the clip paths a band between two series needs
// (`bands`), which the faster directLinear does not.
const bandLinear = uPlot.paths.linear!();

export interface ChartCallbacks {
  /** The x range shown changed by the user (null: back to everything). */
  onRange?(lo: number | null, hi: number | null): void;
}

type Row = ArrayLike<number | null>;

/** The x of each point on the chosen axis: steps, seconds of wall time, or seconds since the run began. */
export function xValues(cols: SeriesColumns, axis: XAxis, start: number | undefined): NumberColumn {
  if (axis === 'step') return cols.step;
  const time = cols.time;
  const t0 = axis === 'relative' ? relativeTimeOrigin(start, time.length, (i) => time[i]) : 0;
  return mapColumn(time, (t) => timeToAxisSeconds(t, t0));
}

function mapColumn(a: NumberColumn, f: (v: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
  return out;
}

function allFinite(a: NumberColumn): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** A series' x and y sorted by x (uPlot's faceted lines and the read-out's search need that). */
export function sortedXY(x: NumberColumn, ys: NumberColumn[]): { x: NumberColumn; ys: Row[] } {
  // uPlot gaps on null, not NaN; copying into a (number | null)[] boxes every number, so
  // only series with gaps pay for it.
  const clean = (y: NumberColumn): Row => (allFinite(y) ? y : Array.from(y, (v) => (Number.isFinite(v) ? v : null)));
  if (isSorted(x)) return { x, ys: ys.map(clean) };
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  return { x: order.map((i) => x[i]), ys: ys.map((y) => clean(order.map((i) => y[i]))) };
}

function isSorted(a: NumberColumn): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return false;
  return true;
}

const STEP_INCRS = [1, 2, 5].flatMap((m) => Array.from({ length: 10 }, (_, e) => m * 10 ** e)).sort((a, b) => a - b);

export class MetricChart {
  private plot: uPlot | undefined;
  private runs: ChartRun[] = [];
  private data = new Map<string, SeriesColumns>();
  /** Which run (or group: `part`) each uPlot series (after x) draws, and whether it is the smoothed line. */
  private seriesRuns: { key: string; smoothed: boolean; part?: 'hi' | 'lo' | 'mean' }[] = [];
  /** Each group's mean and band as last drawn, for the read-out. */
  private bands = new Map<string, MeanBand>();
  private readonly readout: HTMLDivElement;
  private readonly chartBox: HTMLDivElement;
  private theme: ChartTheme = readTheme();
  private userRange = false;
  private settingScale = false;
  private width: number;

  constructor(
    readonly root: HTMLElement,
    readonly metric: string,
    private settings: ChartSettings,
    private readonly callbacks: ChartCallbacks = {},
    private readonly height = 240,
  ) {
    this.width = Math.max(200, root.clientWidth || 600);
    this.chartBox = document.createElement('div');
    this.chartBox.className = 'chart-canvas';
    this.chartBox.tabIndex = 0;
    this.chartBox.setAttribute('role', 'img');
    this.chartBox.setAttribute('aria-label', `${metric} chart. Arrows pan, + and - zoom, 0 resets.`);
    this.readout = document.createElement('div');
    this.readout.className = 'chart-readout';
    this.readout.setAttribute('aria-live', 'polite');
    root.append(this.chartBox, this.readout);
    this.chartBox.addEventListener('keydown', (e) => this.onKey(e));
    this.installPointer();
  }

  get uplot(): uPlot | undefined {
    return this.plot;
  }

  setRuns(runs: ChartRun[]): void {
    this.runs = runs;
    this.rebuild();
  }

  /** Replaces a run's series (a first load, or the detail of a zoomed range). */
  setSeries(run: string, cols: SeriesColumns, redraw = true): void {
    this.data.set(run, cols);
    if (redraw) this.scheduleRedraw();
  }

  private frame = 0;

  /** Series arrive one message per run: draw once per frame, not once per message. */
  private scheduleRedraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.redrawData();
    });
  }

  /** Adds points logged since the last message; they are after the last one, so concatenation keeps the order. */
  append(run: string, cols: SeriesColumns): void {
    const have = this.data.get(run);
    if (!have) this.data.set(run, cols);
    else this.data.set(run, { step: concatColumn(have.step, cols.step), time: concatColumn(have.time, cols.time), value: concatColumn(have.value, cols.value) });
    this.scheduleRedraw();
  }

  series(run: string): SeriesColumns | undefined {
    return this.data.get(run);
  }

  updateSettings(settings: ChartSettings): void {
    const rebuild = settings.logScale !== this.settings.logScale || settings.xAxis !== this.settings.xAxis;
    this.settings = settings;
    if (rebuild) {
      this.userRange = false;
      this.rebuild();
    } else this.redrawData();
  }

  /** New theme colours (body class changed): axes and grid are baked into the plot, so rebuild. */
  retheme(): void {
    this.theme = readTheme();
    this.rebuild();
  }

  resize(width: number): void {
    this.width = Math.max(200, Math.floor(width));
    this.plot?.setSize({ width: this.width, height: this.height });
  }

  /** The canvas with the theme's background under it, for Export PNG. */
  toPng(): string {
    const src = this.plot?.ctx.canvas;
    if (!src) return '';
    const c = document.createElement('canvas');
    c.width = src.width;
    c.height = src.height;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(src, 0, 0);
    return c.toDataURL('image/png');
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.plot?.destroy();
    this.root.replaceChildren();
  }

  private visibleRuns(): ChartRun[] {
    return this.runs.filter((r) => this.data.has(r.key));
  }

  /** The groups with at least one member drawn here. */
  private drawnGroups(): readonly ChartGroup[] {
    return (this.settings.groups ?? []).filter((g) => g.members.some((k) => this.data.has(k)));
  }

  /**
   * Faceted data: `[null, [x, y] per drawn line]`, the raw and smoothed lines of each run,
   * then per group its band's upper and lower edges and its mean.
   */
  private aligned(): uPlot.AlignedData {
    const { smoothing, xAxis, logScale } = this.settings;
    const facets: [NumberColumn, Row][] = [];
    const shown = new Map<string, { x: NumberColumn; y: Row }>();
    this.xRange = [Infinity, -Infinity];
    for (const r of this.visibleRuns()) {
      const d = this.data.get(r.key)!;
      const raw = logScale ? mapColumn(d.value, (v) => (v > 0 ? v : NaN)) : d.value;
      const { x, ys } = sortedXY(xValues(d, xAxis, r.startTime), smoothing > 0 ? [raw, emaSmooth(raw, smoothing)] : [raw]);
      if (x.length) this.xRange = [Math.min(this.xRange[0], x[0]), Math.max(this.xRange[1], x[x.length - 1])];
      for (const y of ys) facets.push([x, y]);
      // The group averages what the chart shows of each run: its smoothed line when smoothing is on.
      shown.set(r.key, { x, y: ys[ys.length - 1] });
    }
    this.bands.clear();
    for (const g of this.drawnGroups()) {
      // A run hidden in the legend leaves its group's mean too (drop an outlier seed).
      const lines = g.members.filter((k) => shown.has(k) && !this.settings.hidden.has(k)).map((k) => shown.get(k)!);
      const b = meanBand(lines);
      this.bands.set(g.id, b);
      facets.push([b.x, b.hi], [b.x, b.lo], [b.x, b.mean]);
    }
    return [null, ...facets] as unknown as uPlot.AlignedData;
  }

  /** The x extent of every drawn series. */
  private xRange: [number, number] = [Infinity, -Infinity];

  private redrawData(): void {
    if (!this.plot || this.shapeKey() !== this.shape) return this.rebuild();
    const scale = this.plot.scales.x;
    const keep = this.userRange && scale.min !== undefined && scale.max !== undefined ? { min: scale.min, max: scale.max } : undefined;
    this.plot.setData(this.aligned(), !keep);
    if (keep) this.setX(keep.min, keep.max, false);
    this.applyHidden();
  }

  private shape = '';

  /** What decides the series uPlot has: a change rebuilds the plot, anything else is new data. */
  private shapeKey(): string {
    const groups = this.drawnGroups().map((g) => `${g.id}:${g.color}`).join(';');
    return this.visibleRuns().map((r) => r.key).join('\n') + `|${this.settings.smoothing > 0}|${groups}`;
  }

  private rebuild(): void {
    const prev = this.plot?.scales.x;
    const keep = this.userRange && prev?.min !== undefined && prev?.max !== undefined ? { min: prev.min, max: prev.max } : undefined;
    this.plot?.destroy();
    this.plot = undefined;
    const runs = this.visibleRuns();
    this.shape = this.shapeKey();
    const smooth = this.settings.smoothing > 0;
    const groups = this.drawnGroups();
    this.seriesRuns = runs.flatMap((r) => (smooth ? [{ key: r.key, smoothed: false }, { key: r.key, smoothed: true }] : [{ key: r.key, smoothed: true }]));
    const firstGroupSeries = this.seriesRuns.length + 1;
    for (const g of groups) this.seriesRuns.push({ key: g.id, smoothed: true, part: 'hi' }, { key: g.id, smoothed: true, part: 'lo' }, { key: g.id, smoothed: true, part: 'mean' });
    const byKey = new Map(runs.map((r) => [r.key, r]));
    const t = this.theme;
    const time = this.settings.xAxis === 'wall';
    const axis = (label?: string): uPlot.Axis => ({
      stroke: t.foreground,
      // High contrast: the grid keeps the theme's border colour but is dotted, so the
      // runs' lines (wider there) stay what the eye follows.
      grid: { stroke: t.grid, width: 1, dash: t.highContrast ? [1, 3] : undefined },
      ticks: { stroke: t.grid, width: 1 },
      font: `11px ${t.fontFamily}`,
      labelFont: `11px ${t.fontFamily}`,
      label,
    });
    const xLabel = this.settings.xAxis === 'step' ? 'step' : this.settings.xAxis === 'wall' ? undefined : 'time since start';
    const opts: uPlot.Options = {
      width: this.width,
      height: this.height,
      pxAlign: 0,
      legend: { show: false },
      scales: {
        x: { time },
        y: this.settings.logScale ? { distr: 3 } : {},
      },
      axes: [
        {
          ...axis(xLabel),
          values: this.settings.xAxis === 'relative' ? (_u, ticks) => ticks.map(formatSeconds) : undefined,
          // Steps are whole numbers: no tick at step 2.5.
          incrs: this.settings.xAxis === 'step' ? STEP_INCRS : undefined,
        },
        { ...axis(), size: 60, values: (_u, ticks) => ticks.map(formatValue) },
      ],
      mode: 2,
      cursor: {
        drag: { x: true, y: false, setScale: true },
        y: false,
        points: { size: 6 },
        // Faceted mode has no shared index: each series' point nearest the pointer's x.
        dataIdx: (u, seriesIdx) => {
          const facet = (u.data as unknown as [number[], Row][])[seriesIdx];
          const left = u.cursor.left;
          if (!facet || seriesIdx === 0 || left === undefined || left < 0) return null as unknown as number;
          return nearestIndex(facet[0], u.posToVal(left, 'x'));
        },
      },
      // Each group's band: filled between its upper (+std) and lower (−std) edge series.
      bands: groups.map((g, i) => ({ series: [firstGroupSeries + 3 * i, firstGroupSeries + 3 * i + 1] as [number, number], fill: withAlpha(g.color, t.highContrast ? 0.3 : 0.18) })),
      series: [
        {},
        ...this.seriesRuns.map(({ key, smoothed, part }) => {
          if (part) {
            const g = groups.find((x) => x.id === key)!;
            return {
              label: part === 'mean' ? `${g.label} (mean)` : `${g.label} (${part === 'hi' ? '+' : '−'}std)`,
              stroke: part === 'mean' ? g.color : withAlpha(g.color, 0.35),
              width: part === 'mean' ? 2 : 1,
              facets: [
                { scale: 'x', auto: true },
                { scale: 'y', auto: true },
              ],
              paths: part === 'mean' ? directLinear : bandLinear,
              points: { show: false },
            } satisfies uPlot.Series;
          }
          const run = byKey.get(key)!;
          return {
            label: run.name,
            stroke: smoothed ? run.color : withAlpha(run.color, smooth ? (t.highContrast ? 0.45 : 0.25) : 1),
            // Hairlines: Chromium's software rasteriser draws 1 px lines ~10× faster than
            // 1.5 px ones, which is most of a frame with many runs; the faint raw line
            // behind already sets the smoothed one apart.
            width: t.highContrast && smoothed ? 2 : 1,
            facets: [
              { scale: 'x', auto: true },
              { scale: 'y', auto: true },
            ],
            paths: directLinear,
            points: { show: false },
          } satisfies uPlot.Series;
        }),
      ],
      hooks: {
        setCursor: [(u) => this.showReadout(u)],
        setScale: [(u, key) => key === 'x' && this.onScale(u)],
      },
    };
    if (!runs.length) {
      // uPlot's faceted mode needs a series; there is nothing to draw anyway.
      this.chartBox.replaceChildren();
      this.readout.textContent = this.runs.length ? 'Loading…' : 'No data for this metric in the selected runs.';
      return;
    }
    this.readout.textContent = '';
    this.plot = new uPlot(opts, this.aligned(), this.chartBox);
    if (keep) this.setX(keep.min, keep.max, false);
    this.applyHidden();
  }

  private applyHidden(): void {
    const u = this.plot;
    if (!u) return;
    // With groups, the runs' own lines show only when asked for; the groups' always do.
    const runsToo = !this.drawnGroups().length || this.settings.showRuns !== false;
    this.seriesRuns.forEach(({ key, part }, i) => {
      const show = part !== undefined || (runsToo && !this.settings.hidden.has(key));
      if (u.series[i + 1].show !== show) u.setSeries(i + 1, { show });
    });
  }

  private onScale(u: uPlot): void {
    if (this.settingScale) return;
    const [x0, x1] = this.xRange;
    const { min, max } = u.scales.x;
    if (min === undefined || max === undefined || !(x0 <= x1)) return;
    const full = min <= x0 && max >= x1;
    // New data resets the scale to everything: only a change the user made asks for detail.
    if (full && !this.userRange) return;
    this.userRange = !full;
    this.callbacks.onRange?.(full ? null : min, full ? null : max);
  }

  private setX(min: number, max: number, user: boolean): void {
    if (!this.plot) return;
    this.settingScale = !user;
    try {
      this.plot.setScale('x', { min, max });
    } finally {
      this.settingScale = false;
    }
  }

  /** Shows everything again (double click does the same through uPlot). */
  reset(): void {
    const [x0, x1] = this.xRange;
    if (this.plot && x0 <= x1) this.setX(x0, x1, true);
  }

  /** Moves the x range by `fraction` of its width (pan) or scales it around `anchor` (zoom). */
  pan(fraction: number): void {
    const s = this.plot?.scales.x;
    if (!s || s.min === undefined || s.max === undefined) return;
    const d = (s.max - s.min) * fraction;
    this.setX(s.min + d, s.max + d, true);
  }

  zoom(factor: number, anchor = 0.5): void {
    const s = this.plot?.scales.x;
    if (!s || s.min === undefined || s.max === undefined) return;
    const at = s.min + (s.max - s.min) * anchor;
    this.setX(at - (at - s.min) * factor, at + (s.max - at) * factor, true);
  }

  private onKey(e: KeyboardEvent): void {
    const actions: Record<string, () => void> = {
      ArrowLeft: () => this.pan(-0.1),
      ArrowRight: () => this.pan(0.1),
      '+': () => this.zoom(0.8),
      '=': () => this.zoom(0.8),
      '-': () => this.zoom(1.25),
      '0': () => this.reset(),
    };
    const act = actions[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  }

  /** Wheel zooms around the pointer; shift-drag pans (plain drag selects a range to zoom to). */
  private installPointer(): void {
    this.chartBox.addEventListener(
      'wheel',
      (e) => {
        const u = this.plot;
        if (!u || !e.ctrlKey) return;
        e.preventDefault();
        const rect = u.over.getBoundingClientRect();
        this.zoom(e.deltaY < 0 ? 0.8 : 1.25, Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width)));
      },
      { passive: false },
    );
    this.chartBox.addEventListener(
      'mousedown',
      (e) => {
        const u = this.plot;
        if (!u || !e.shiftKey || !(e.target instanceof Node) || !u.over.contains(e.target)) return;
        e.preventDefault();
        e.stopPropagation();
        const startX = e.clientX;
        const { min, max } = u.scales.x;
        if (min === undefined || max === undefined) return;
        const perPx = (max - min) / u.over.clientWidth;
        const move = (m: MouseEvent) => this.setX(min - (m.clientX - startX) * perPx, max - (m.clientX - startX) * perPx, true);
        const up = () => {
          window.removeEventListener('mousemove', move);
          window.removeEventListener('mouseup', up);
        };
        window.addEventListener('mousemove', move);
        window.addEventListener('mouseup', up);
      },
      true,
    );
  }

  private showReadout(u: uPlot): void {
    const left = u.cursor.left;
    if (left === undefined || left < 0) {
      this.readout.textContent = '';
      return;
    }
    const facets = u.data as unknown as [number[], Row][];
    const at = u.posToVal(left, 'x');
    const parts: HTMLElement[] = [];
    const head = document.createElement('span');
    head.className = 'readout-x';
    parts.push(head);
    let shownX: number | undefined;
    const runsToo = !this.drawnGroups().length || this.settings.showRuns !== false;
    this.seriesRuns.forEach(({ key, smoothed, part }, i) => {
      if (part === 'mean') {
        const b = this.bands.get(key);
        const g = this.settings.groups?.find((x) => x.id === key);
        const idx = b ? nearestIndex(b.x, at) : null;
        if (!b || !g || idx === null) return;
        shownX ??= b.x[idx];
        const item = document.createElement('span');
        item.className = 'readout-item';
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.backgroundColor = g.color;
        const std = b.hi[idx] - b.mean[idx];
        item.append(sw, `${g.label}: ${formatValue(b.mean[idx])}${b.n[idx] > 1 ? ` ± ${formatValue(std)}` : ''} (${b.n[idx]} ${b.n[idx] === 1 ? 'run' : 'runs'})`);
        parts.push(item);
        return;
      }
      if (part || !smoothed || !runsToo || this.settings.hidden.has(key)) return;
      const [xs, ys] = facets[i + 1];
      const idx = nearestIndex(xs, at);
      const y = idx === null ? null : nearestValue(ys, idx);
      if (y === null || idx === null) return;
      shownX ??= xs[idx];
      const run = this.runs.find((r) => r.key === key)!;
      const item = document.createElement('span');
      item.className = 'readout-item';
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.backgroundColor = run.color;
      item.append(sw, `${run.name} ${formatValue(y)}`);
      parts.push(item);
    });
    const x = shownX ?? at;
    head.textContent = this.settings.xAxis === 'step' ? `step ${Math.round(x)}` : this.settings.xAxis === 'wall' ? new Date(x * 1000).toLocaleString() : formatSeconds(x);
    this.readout.replaceChildren(...parts);
  }
}

/** Index of the x closest to `x` in ascending `xs` (binary search), or null when empty. */
export function nearestIndex(xs: ArrayLike<number>, x: number): number | null {
  if (!xs.length || !Number.isFinite(x)) return null;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

/** The value at `idx`, or the closest logged one nearby when that point is a gap (NaN). */
function nearestValue(row: Row, idx: number): number | null {
  for (let d = 0; d < 64; d++) {
    const a = row[idx - d];
    if (a !== null && a !== undefined) return a;
    const b = row[idx + d];
    if (b !== null && b !== undefined) return b;
  }
  return null;
}

export function formatValue(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '';
  const sign = s < 0 ? '-' : '';
  s = Math.abs(s);
  if (s < 60) return `${sign}${Number(s.toFixed(1))}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${sign}${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
