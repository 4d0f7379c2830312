// Metric charts in headless Chromium (the E2E's Chromium, through playwright-core):
// first render of 20 runs × 100,000 points with our panel's path (the host downsamples to
// the chart's pixel width keeping extremes, the webview draws with uPlot on canvas)
// against the same data drawn by Vega-Lite with the SVG renderer (what the DVC extension
// uses) and by Plotly (what the MLflow UI uses); then the frame time of panning a chart
// zoomed into 1,000,000 points, and the webview's memory with 20 runs × 1,000,000 points
// (BENCH_CHART_MEM_POINTS), and the extension host's memory holding those 20 full histories
// for the panel (bench/charts-host/hostMemory.mjs, before/after side by side). One run each.
// BENCH_CHART_POINTS / BENCH_CHART_RUNS scale it; BENCH_CHART_PARTS=host measures only the host.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { browserBundle } from './lib/bundle.mjs';
import { atMost, faster, result, sameAnswer } from './lib/verdict.mjs';
import { launchBrowser } from '../test/e2e/browser.mjs';

const RUNS = Number(process.env.BENCH_CHART_RUNS ?? 20);
const POINTS = Number(process.env.BENCH_CHART_POINTS ?? 100000);
const PAN_POINTS = 1_000_000;
const MEM_POINTS = Number(process.env.BENCH_CHART_MEM_POINTS ?? 1_000_000);
const WIDTH = 1200;
const PEER_TIMEOUT_MS = 15 * 60 * 1000;

// Extension-host memory, first, while nothing else of this bench is in the machine: each
// side in a fresh process, the panel now (typed columns) and before (an object per point).
const hostSide = (/** @type {string} */ mode) => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=6144', join(root, 'bench/charts-host/hostMemory.mjs'), mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return /** @type {{ runs: number, points: number, growthMb: number, rssMb: number, ms: number, posted: number, checksum: number }} */ (JSON.parse(out.trim().split('\n').pop() ?? ''));
};
const heldHost = hostSide('held');
const heldLoad = loadavg()[0];
const objectHost = hostSide('objects');
const objectLoad = loadavg()[0];
const hostShape = `${heldHost.runs} runs × ${heldHost.points.toLocaleString('en')} points`;
const sameHostAnswer = heldHost.posted === objectHost.posted && heldHost.checksum === objectHost.checksum;
console.log(`extension host, ${hostShape} held by the metrics panel (heapUsed + arrayBuffers growth after GC):`);
console.log(`  typed columns (now): ${heldHost.growthMb.toFixed(1)} MB, RSS ${heldHost.rssMb.toFixed(0)} MB, read + first render + zoom ${heldHost.ms.toFixed(0)} ms (load ${heldLoad.toFixed(2)})`);
console.log(`  an object per point (before): ${objectHost.growthMb.toFixed(1)} MB, RSS ${objectHost.rssMb.toFixed(0)} MB, ${objectHost.ms.toFixed(0)} ms (load ${objectLoad.toFixed(2)})`);
console.log(`  posted to the webview: ${heldHost.posted.toLocaleString('en')} points, ${sameHostAnswer ? 'the same' : 'NOT the same'} on both sides`);
const hostResult = () =>
  result(
    `charts extension-host memory, ${hostShape}`,
    `${heldHost.growthMb.toFixed(0)} MB held (before: ${objectHost.growthMb.toFixed(0)} MB, an object per point); load ${heldLoad.toFixed(1)}`,
    [atMost('host memory (target: the issue\'s webview bound)', heldHost.growthMb, 400, ' MB'), sameAnswer(sameHostAnswer)],
  );
if (process.env.BENCH_CHART_PARTS === 'host') {
  hostResult();
  process.exit(0);
}

const { js: ourJs, css: ourCss } = await browserBundle('bench/charts/oursEntry.ts');
const lib = (/** @type {string} */ p) => readFileSync(join(root, 'node_modules', p), 'utf8');

const { tsImport } = await import('tsx/esm/api');
const { downsampleColumns, downsampleRange } = await tsImport('../src/core/runs/downsample.ts', import.meta.url);
const { toColumns } = await tsImport('../src/protocol/panels.ts', import.meta.url);

// The same series for everyone: a noisy decaying loss per run from a seeded generator.
const makeSeries = `(runs, points) => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: runs }, (_, r) =>
    Array.from({ length: points }, (_, i) => ({ step: i, timestamp: 1.7e12 + i * 1000, value: Math.exp(-i / (points / (3 + r / 4))) + 0.05 * rand() })));
}`;

const { browser, page: firstPage } = await launchBrowser({ onConsole: (l) => l.includes('error') && console.log(l) });
await firstPage.close();
const context = browser.contexts()[0];

/** A fresh page per contender, so no one inherits another's heap or warmed-up code. */
async function freshPage(/** @type {string[]} */ scripts) {
  const page = await context.newPage();
  page.setDefaultTimeout(PEER_TIMEOUT_MS);
  await page.setViewportSize({ width: WIDTH + 100, height: 900 });
  await page.setContent(`<html><head><style>${ourCss} body{margin:0;font:12px sans-serif}</style></head><body><div id="chart" style="width:${WIDTH}px"></div></body></html>`);
  for (const content of scripts) await page.addScriptTag({ content });
  return page;
}

/** Time from having the data in the page to the first frame painted after the chart is built. */
const timed = (/** @type {import('playwright-core').Page} */ page, /** @type {string} */ fnBody) =>
  page.evaluate(async (body) => {
    const el = document.getElementById('chart');
    const run = new Function('el', 'data', `return (async () => { ${body} })();`);
    const t0 = performance.now();
    await run(el, window.data);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  }, fnBody);

const total = RUNS * POINTS;
console.log(`first render, ${RUNS} runs × ${POINTS.toLocaleString('en')} points (${total.toLocaleString('en')}), chart ${WIDTH} px wide`);

// Ours is two halves, as in the editor: the extension host (Node) reads and downsamples
// each series to the chart's width, then the webview draws what it was posted.
const hostSeries = new Function(`return ${makeSeries}`)()(RUNS, POINTS);
const h0 = performance.now();
const posted = hostSeries.map((/** @type {any} */ points) => downsampleColumns(points, WIDTH));
const hostMs = performance.now() - h0;
const ourPage = await freshPage([ourJs]);
await ourPage.evaluate((cols) => (window.posted = cols), posted);
// structuredClone stands in for postMessage's copy into the webview: the columns are
// Float64Arrays, which VS Code carries to a webview as binary buffers (a copy, no JSON).
// The host half is downsampleColumns, what MetricsPanel posts for a first render.
const webviewMs = await timed(ourPage, 'const cols = structuredClone(window.posted); window.benchOurs.renderColumns(el, cols);');
await ourPage.close();
const ours = { ms: hostMs + webviewMs };
console.log(`  ours: host downsampling ${hostMs.toFixed(0)} ms (${posted.reduce((/** @type {number} */ n, /** @type {any} */ c) => n + c.step.length, 0).toLocaleString('en')} points kept) + webview uPlot canvas ${webviewMs.toFixed(0)} ms = ${ours.ms.toFixed(0)} ms`);

const vegaPage = await freshPage([lib('vega/build/vega.min.js'), lib('vega-lite/build/vega-lite.min.js')]);
await vegaPage.evaluate(`window.data = (${makeSeries})(${RUNS}, ${POINTS}).flatMap((points, r) => points.map((p) => ({ run: 'run ' + r, step: p.step, value: p.value })))`);
const vegaLite = {
  ms: await timed(vegaPage, `
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: ${WIDTH}, height: 400,
    data: { values: data }, mark: { type: 'line', strokeWidth: 1 },
    encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'run', type: 'nominal' } } };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container: el, hover: true });
  await view.runAsync();`),
};
console.log(`  Vega-Lite (SVG renderer): ${vegaLite.ms.toFixed(0)} ms`);
await vegaPage.close();

const plotlyPage = await freshPage([lib('plotly.js-dist-min/plotly.min.js')]);
await plotlyPage.evaluate(`window.data = (${makeSeries})(${RUNS}, ${POINTS}).map((points) => ({ x: points.map((p) => p.step), y: points.map((p) => p.value) }))`);
const plotly = {
  ms: await timed(plotlyPage, `
  const traces = data.map((s, r) => ({ type: 'scatter', mode: 'lines', name: 'run ' + r, x: s.x, y: s.y, line: { width: 1 } }));
  await Plotly.newPlot(el, traces, { width: ${WIDTH}, height: 400 });`),
};
console.log(`  Plotly (scatter, SVG): ${plotly.ms.toFixed(0)} ms`);
await plotlyPage.close();
const page = await freshPage([ourJs]);

const stats = (/** @type {number[]} */ a) => {
  const s = [...a].sort((x, y) => x - y);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)], max: s[s.length - 1] };
};
const pan = (/** @type {boolean} */ raw) =>
  page.evaluate(
    async ({ n, width, raw }) => {
      const points = Array.from({ length: n }, (_, i) => ({ step: i, timestamp: 1.7e12 + i, value: Math.sin(i / 5000) + ((i * 7919) % 1000) / 5000 }));
      return window.benchOurs.pan(document.getElementById('chart'), points, width, 120, 0.1, raw);
    },
    { n: PAN_POINTS, width: WIDTH, raw },
  );
const panned = stats(await pan(false));
console.log(`pan of a chart over ${PAN_POINTS.toLocaleString('en')} points, zoomed to 10%, 120 frames: median ${panned.median.toFixed(2)} ms, p95 ${panned.p95.toFixed(2)} ms, max ${panned.max.toFixed(2)} ms per frame`);
const rawPan = stats(await pan(true));
console.log(`  (for reference: with all ${PAN_POINTS.toLocaleString('en')} points loaded, no downsampling: median ${rawPan.median.toFixed(2)} ms, p95 ${rawPan.p95.toFixed(2)} ms)`);

// Webview memory with RUNS runs × MEM_POINTS points, through the panel's data path: the host
// holds each full history and posts it downsampled to the chart's width (MetricsPanel.sendAll),
// then the detail of a zoom to the middle 10% (sendRange: the range and a range-width either
// side, at 3 points per pixel), which replaces it. The webview's JS heap (after a collection)
// plus the ArrayBuffers' backing stores, through the DevTools protocol; the high-water is the
// largest heap V8 had allocated, read after each message.
const memPage = await freshPage([ourJs]);
const cdp = await memPage.context().newCDPSession(memPage);
await cdp.send('HeapProfiler.enable');
const heapNow = async () => {
  await cdp.send('HeapProfiler.collectGarbage');
  const u = /** @type {{ usedSize: number, totalSize: number, backingStorageSize?: number }} */ (await cdp.send('Runtime.getHeapUsage'));
  return { used: u.usedSize + (u.backingStorageSize ?? 0), total: u.totalSize + (u.backingStorageSize ?? 0) };
};
const memBefore = await heapNow();
let memHigh = memBefore.total;
await memPage.evaluate(() => (window.memChart = window.benchOurs.renderColumns(document.getElementById('chart'), [])));
for (let r = 0; r < RUNS; r++) {
  // One run's history at a time in this process: the bench measures the webview, not the host.
  const points = new Function(`return ${makeSeries}`)()(1, MEM_POINTS)[0];
  const full = downsampleColumns(points, WIDTH);
  const mid = points[points.length >> 1].step;
  const span = (points[points.length - 1].step - points[0].step) * 0.1;
  const detail = toColumns(downsampleRange(points, WIDTH * 3, mid - 1.5 * span, mid + 1.5 * span));
  for (const cols of [full, detail]) {
    await memPage.evaluate(({ r, cols }) => window.memChart.setSeries(`run${r}`, structuredClone(cols)), { r, cols });
    memHigh = Math.max(memHigh, (await heapNow()).total);
  }
}
await memPage.evaluate((runs) => {
  window.memChart.setRuns(Array.from({ length: runs }, (_, i) => ({ key: `run${i}`, name: `run ${i}`, color: '#4e79a7' })));
  return new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
}, RUNS);
const memAfter = await heapNow();
memHigh = Math.max(memHigh, memAfter.total);
const webviewMb = memAfter.used / 1048576;
const highMb = memHigh / 1048576;
const heldPoints = await memPage.evaluate((runs) => Array.from({ length: runs }, (_, i) => window.memChart.series(`run${i}`)?.step.length ?? 0).reduce((a, b) => a + b, 0), RUNS);
console.log(`webview memory, ${RUNS} runs × ${MEM_POINTS.toLocaleString('en')} points: JS heap + array buffers ${webviewMb.toFixed(1)} MB in use (${(memBefore.used / 1048576).toFixed(1)} MB for the empty page), ${highMb.toFixed(1)} MB at most allocated; ${heldPoints.toLocaleString('en')} points held`);
await memPage.close();
await browser.close();

const shape = `${RUNS} runs × ${POINTS.toLocaleString('en')} points`;
result(`charts first render, ${shape}`, `ours ${ours.ms.toFixed(0)} ms vs Vega-Lite SVG ${vegaLite.ms.toFixed(0)} ms`, [faster(vegaLite.ms / ours.ms, 20, 'vs Vega-Lite')]);
result(`charts first render, ${shape}`, `ours ${ours.ms.toFixed(0)} ms vs Plotly ${plotly.ms.toFixed(0)} ms`, [faster(plotly.ms / ours.ms, 5, 'vs Plotly')]);
result(`charts pan frame at ${PAN_POINTS.toLocaleString('en')} points`, `median ${panned.median.toFixed(2)} ms`, [atMost('p95', panned.p95, 16, ' ms')]);
result(
  `charts webview memory, ${RUNS} runs × ${MEM_POINTS.toLocaleString('en')} points`,
  `${webviewMb.toFixed(0)} MB in use (JS heap + array buffers), ${highMb.toFixed(0)} MB at most allocated`,
  [atMost('webview memory', highMb, 400, ' MB')],
);
hostResult();
