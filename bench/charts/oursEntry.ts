// Our chart path as the panel runs it, for bench/charts.bench.mjs in headless Chromium:
// the host's downsampling to the chart's width (keeping extremes), then the webview's
// uPlot chart. Bundled by the benchmark; exposes `window.benchOurs`.
import { downsample, downsampleRange } from '../../src/core/runs/downsample';
import type { MetricPoint } from '../../src/core/runs/types';
import { toColumns as columns, type SeriesColumns } from '../../src/protocol/panels';
import { MetricChart } from '../../webviews/shared/lineChart';

const settings = { xAxis: 'step' as const, smoothing: 0, logScale: false, hidden: new Set<string>() };
const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function chartOf(el: HTMLElement, runs: MetricPoint[][], width: number, raw = false): MetricChart {
  const chart = new MetricChart(el, 'loss', settings, {}, 400);
  chart.resize(width);
  runs.forEach((points, i) => chart.setSeries(`run${i}`, columns(raw ? points : downsample(points, width)), false));
  chart.setRuns(runs.map((_, i) => ({ key: `run${i}`, name: `run ${i}`, color: palette[i % palette.length] })));
  return chart;
}

/** Resolves after uPlot's next draw (it commits in a microtask). */
function nextDraw(chart: MetricChart): Promise<number> {
  return new Promise((resolve) => {
    const u = chart.uplot!;
    const hook = () => {
      u.hooks.draw = (u.hooks.draw ?? []).filter((h) => h !== hook);
      resolve(performance.now());
    };
    (u.hooks.draw ??= []).push(hook);
  });
}

(window as unknown as { benchOurs: unknown }).benchOurs = {
  /** The webview's half: series as the host posts them (already downsampled), drawn. */
  renderColumns(el: HTMLElement, cols: SeriesColumns[]): MetricChart {
    const chart = new MetricChart(el, 'loss', settings, {}, 400);
    chart.resize(el.clientWidth);
    cols.forEach((c, i) => chart.setSeries(`run${i}`, c, false));
    chart.setRuns(cols.map((_, i) => ({ key: `run${i}`, name: `run ${i}`, color: palette[i % palette.length] })));
    return chart;
  },
  /** First render: downsample every run to the width and draw them. */
  render(el: HTMLElement, runs: MetricPoint[][], width: number): MetricChart {
    return chartOf(el, runs, width);
  },
  /**
   * Pan frames at a zoom of `fraction` of the steps: the host sends that range's detail
   * (with a range-width either side), then each frame moves the view by 1%.
   */
  async pan(el: HTMLElement, points: MetricPoint[], width: number, frames: number, fraction: number, raw: boolean): Promise<number[]> {
    const first = points[0].step;
    const last = points[points.length - 1].step;
    const span = (last - first) * fraction;
    const lo = first + (last - first) / 2 - span / 2;
    const data = raw ? points : downsampleRange(points, width * 3, lo - span, lo + 2 * span);
    const chart = chartOf(el, [data], width, true);
    const u = chart.uplot!;
    u.setScale('x', { min: lo, max: lo + span });
    await nextDraw(chart);
    const times: number[] = [];
    for (let i = 0; i < frames; i++) {
      const t0 = performance.now();
      const drawn = nextDraw(chart);
      chart.pan(0.01 * (i % 40 < 20 ? 1 : -1));
      times.push((await drawn) - t0);
      await new Promise((r) => requestAnimationFrame(r));
    }
    chart.destroy();
    return times;
  },
};
