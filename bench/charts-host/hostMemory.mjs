// One side of the extension-host memory measure of bench/charts.bench.mjs, in a fresh
// process (node --expose-gc) so that nothing else lives in its heap: RUNS runs × POINTS
// points read through the real run-store worker (IsolatedRunSource → IsolatedWorker →
// runsWorkerHandlers, the history transferred as one Float64Array), kept as the metrics
// panel keeps them (MetricsPanel.histories, 4 reads at a time), each posted downsampled to
// the chart width (sendAll) and then as the detail of a zoom to the middle 10% (sendRange).
// argv[2]: `held` (the panel now: typed columns, heldSeries.ts) or `objects` (before: one
// MetricPoint per point). Prints one JSON line.
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../../scripts/lib.mjs';

const mode = process.argv[2];
const RUNS = Number(process.env.BENCH_CHART_RUNS ?? 20);
const POINTS = Number(process.env.BENCH_CHART_MEM_POINTS ?? 1_000_000);
const WIDTH = 1200;
const gc = /** @type {() => void} */ (globalThis.gc);

const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-charts-'));
const script = join(dir, 'worker.js');
await esbuild.build({ entryPoints: [join(root, 'bench/charts-host/syntheticRunsWorker.ts')], outfile: script, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
const { tsImport } = await import('tsx/esm/api');
const { IsolatedRunSource, runsWorker } = await tsImport('../../src/core/runs/isolated/isolatedRunSource.ts', import.meta.url);
const { heldHistory } = await tsImport('../../src/core/runs/heldSeries.ts', import.meta.url);
const { downsampleColumns, downsampleHeld, downsampleHeldRange, downsampleRange } = await tsImport('../../src/core/runs/downsample.ts', import.meta.url);
const { toColumns } = await tsImport('../../src/protocol/panels.ts', import.meta.url);

const worker = runsWorker({ script, sources: {}, heapMb: 1024 });
const source = new IsolatedRunSource('bench-synthetic', String(POINTS), worker);
await source.list();

const used = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const before = used();
const t0 = performance.now();
/** @type {Map<string, any>} */
const histories = new Map();
const runIds = Array.from({ length: RUNS }, (_, i) => `run${i}`);
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < runIds.length) {
      const id = runIds[next++];
      histories.set(id, mode === 'held' ? await heldHistory(source, id, 'loss') : await source.metricHistory(id, 'loss'));
    }
  }),
);
// What the webview is posted; a checksum of it says both sides answered the same.
let checksum = 0;
let posted = 0;
const add = (/** @type {{ step: Float64Array, time: Float64Array, value: Float64Array }} */ c) => {
  posted += c.step.length;
  for (let i = 0; i < c.step.length; i++) checksum = (checksum * 31 + c.step[i] + c.time[i] / 1e9 + c.value[i] * 1e6) % 1e12;
};
for (const id of runIds) {
  const h = histories.get(id);
  add(mode === 'held' ? downsampleHeld(h, WIDTH) : downsampleColumns(h, WIDTH));
}
const span = (POINTS - 1) * 0.1;
const mid = (POINTS - 1) / 2;
for (const id of runIds) {
  const h = histories.get(id);
  add(mode === 'held' ? downsampleHeldRange(h, WIDTH * 3, mid - 1.5 * span, mid + 1.5 * span) : toColumns(downsampleRange(h, WIDTH * 3, mid - 1.5 * span, mid + 1.5 * span)));
}
const ms = performance.now() - t0;
const after = used();
const rss = process.memoryUsage().rss;
worker.dispose();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ mode, runs: histories.size, points: POINTS, growthMb: (after - before) / 1048576, rssMb: rss / 1048576, ms, posted, checksum }));
