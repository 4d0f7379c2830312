// Live: a metric logged by a running training → drawn in an open metric chart, end to end.
// A real training writes (MLflow's client in the peers venv, `mlflow.log_metric` into
// mlflow.db, a step every BENCH_LIVE_STEP_MS), and the extension host's path follows it: a
// file watcher on the store's folder (inotify, what VS Code's watcher uses on Linux) → the
// Runs view's RefreshScheduler with the delay a file event gets (FILE_EVENT_DELAY_MS) → the
// store listed again (the Runs view's refresh) → the metrics panel's refreshSeries (the
// listing's latest point, the history read, the `append` message MetricsPanel posts) →
// the message into the metrics panel's real webview (webviews/metrics/main.ts bundled, in
// headless Chromium, with the panel opened as the host opens it: init, then the series) →
// the chart's redraw (its requestAnimationFrame, uPlot's setData on canvas) → the frame
// painted. Latency: from the timestamp MLflow gives the point (the logging call's clock) to
// the first task after the frame that drew it; the panel's probe then checks that the chart
// holds the step and the canvas changed. Printed beside it: the host-only part (from the
// same timestamp to the history holding the step). The message crosses into the page
// through the DevTools protocol, where VS Code posts it through its webview IPC.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { browserBundle, hostBundle } from './lib/bundle.mjs';
import { atMost, notMeasured, result } from './lib/verdict.mjs';
import { launchBrowser } from '../test/e2e/browser.mjs';

const STEPS = Number(process.env.BENCH_LIVE_STEPS ?? 60);
const STEP_MS = Number(process.env.BENCH_LIVE_STEP_MS ?? 250);
const MEASURE = 'live metric logged → drawn in the metrics chart';
const python = join(root, '.venv-peers', 'bin', 'python');
if (!existsSync(python)) {
  notMeasured(MEASURE, `${python} missing; run bash scripts/setup/peers.sh`);
  process.exit(1);
}
if (!existsSync(join(root, 'dist', 'core.js'))) {
  notMeasured(MEASURE, 'dist/core.js missing; run node esbuild.mjs');
  process.exit(1);
}

const { RefreshScheduler, FILE_EVENT_DELAY_MS, refreshSeries, seriesMessage, heldHistory } = await hostBundle(
  'live',
  `export { RefreshScheduler, FILE_EVENT_DELAY_MS } from './src/extension/runs/refreshScheduler';
export { refreshSeries, seriesMessage } from './src/extension/panels/metricsRefresh';
export { heldHistory } from './src/core/runs/heldSeries';`,
);
const require = createRequire(import.meta.url);
const { MlflowSqliteSource } = require(join(root, 'dist', 'core.js'));
const { js: panelJs, css: panelCss } = await browserBundle('webviews/metrics/main.ts');

const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-live-'));
const db = join(dir, 'mlflow.db');
// The run is created with its first point (so the panel opens on a chart of `loss`) and
// announced; then, on a line from us, it logs a step every STEP_MS.
const training = `
import logging, sys, time, math
logging.disable(logging.WARNING)
import mlflow
mlflow.set_tracking_uri('sqlite:///' + sys.argv[1])
steps, pace = int(sys.argv[2]), float(sys.argv[3]) / 1000
with mlflow.start_run(run_name='live') as run:
    mlflow.log_metric('loss', 1.0, step=0)
    print(run.info.run_id, flush=True)
    sys.stdin.readline()
    for i in range(1, steps + 1):
        mlflow.log_metric('loss', math.exp(-i / 20), step=i)
        time.sleep(pace)
print('done', flush=True)
`;
const proc = spawn(python, ['-c', training, db, String(STEPS), String(STEP_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
/** @type {string[]} */
const lines = [];
/** @type {(() => void) | undefined} */
let onLine;
let buffered = '';
proc.stdout.on('data', (d) => {
  buffered += d;
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    lines.push(buffered.slice(0, nl).trim());
    buffered = buffered.slice(nl + 1);
    onLine?.();
  }
});
const nextLine = () => new Promise((resolve) => {
  if (lines.length) return resolve(lines.shift());
  onLine = () => {
    onLine = undefined;
    resolve(lines.shift());
  };
});

const { browser, page } = await launchBrowser({ onConsole: (l) => (l.includes('error') || l.includes('pageerror')) && console.log(l) });
const source = new MlflowSqliteSource(db, { wasmPath: join(root, 'dist', 'sql-wasm.wasm') });
/** @type {Map<number, number>} step → latency ms, MLflow's timestamp to the frame that drew it */
const drawn = new Map();
/** @type {Map<number, number>} step → latency ms, MLflow's timestamp to the host's history holding it */
const read = new Map();
/** @type {string[]} */
const problems = [];
let refreshes = 0;
let appends = 0;
/** @type {Promise<void>[]} */
const deliveries = [];

/**
 * The page's side of postMessage: the message event the webview listens to, then the frame
 * after the chart's own requestAnimationFrame (it was scheduled first, so it has drawn by
 * then) and the task after that frame (it is painted). The probe (the E2E's hook, answered
 * through acquireVsCodeApi's postMessage) says what the chart holds; the canvas is compared
 * with the last frame's after the clock is read.
 * @param {any} msg
 * @returns {Promise<{ paintedAt: number, lastStep: number | null, points: number, canvasChanged: boolean }>}
 */
const deliver = (msg) =>
  page.evaluate(async (m) => {
    const w = /** @type {any} */ (window);
    window.dispatchEvent(new MessageEvent('message', { data: m }));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const paintedAt = Date.now();
    window.dispatchEvent(new MessageEvent('message', { data: { type: 'probe', id: ++w.probes } }));
    const reply = w.toHost.findLast((/** @type {any} */ t) => t.type === 'probeReply');
    const series = reply?.data.charts.find((/** @type {any} */ c) => c.metric === m.metric)?.series[0];
    const canvas = document.querySelector('canvas');
    const pixels = canvas ? canvas.toDataURL() : '';
    const canvasChanged = pixels !== w.lastPixels;
    w.lastPixels = pixels;
    return { paintedAt, lastStep: series?.lastStep ?? null, points: series?.points ?? 0, canvasChanged };
  }, msg);

try {
  const runId = String(await nextLine());
  // The panel opened on the run, as MetricsPanel.sendAll does: the webview says it is ready
  // (with its chart width), gets init, then the series downsampled to that width.
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.setContent(`<html><head><style>${panelCss}</style></head><body><div id="root" data-app="metrics"></div></body></html>`);
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.toHost = [];
    w.probes = 0;
    w.acquireVsCodeApi = () => ({ postMessage: (/** @type {any} */ m) => w.toHost.push(m), getState() {}, setState() {} });
  });
  await page.addScriptTag({ content: panelJs });
  const width = await page.evaluate(() => /** @type {any} */ (window).toHost.find((/** @type {any} */ m) => m.type === 'ready')?.width);
  if (!width) throw new Error('the metrics webview did not post ready');
  const listing = await source.list();
  const run = listing.runs.find((/** @type {any} */ r) => r.id === runId);
  if (!run) throw new Error(`run ${runId} not in the listing`);
  const key = `bench\n${runId}`;
  // A PanelRun as panelRun() makes it (that one needs the editor's colour store).
  const panelRun = { key, sourceId: 'bench', runId, name: run.name || run.id, color: '#4e79a7', source: 'MLflow', status: run.status, startTime: run.startTime, fields: {} };
  await deliver({ type: 'init', runs: [panelRun], metrics: ['loss'], problems: [], refs: [{ sourceId: 'bench', runId }] });
  let held = await heldHistory(source, runId, 'loss');
  let appended = 0;
  const first = await deliver(seriesMessage('loss', key, held, width));
  if (first.lastStep !== 0) throw new Error(`the chart did not show the first point (probe: last step ${first.lastStep})`);

  const scheduler = new RefreshScheduler({
    // The Runs view's refresh (list the store), then the metrics panel's update of the charted series.
    refresh: async () => {
      refreshes++;
      const now = await source.list();
      const summary = now.runs.find((/** @type {any} */ r) => r.id === runId);
      const next = await refreshSeries({ metric: 'loss', run: key, before: held, latest: summary?.metrics.loss, appended, width, read: () => heldHistory(source, runId, 'loss') });
      if (!next) return;
      const readAt = Date.now();
      held = next.history;
      appended = next.appended;
      const msg = next.message;
      if (msg.type === 'append') appends++;
      // Only the steps the message carries are timed by it (a series message re-sends them all).
      /** @type {{ step: number, time: number }[]} */
      const fresh = [];
      for (let i = 0; i < msg.data.step.length; i++) {
        const step = msg.data.step[i];
        if (step > 0 && !read.has(step)) {
          read.set(step, readAt - msg.data.time[i]);
          fresh.push({ step, time: msg.data.time[i] });
        }
      }
      // Posted, not awaited: VS Code's postMessage does not wait for the webview either.
      deliveries.push(
        deliver(msg).then((shown) => {
          const top = fresh.length ? fresh[fresh.length - 1].step : -1;
          if (shown.lastStep === null || shown.lastStep < top) problems.push(`step ${top} posted but the chart's last step is ${shown.lastStep}`);
          else if (!shown.canvasChanged) problems.push(`step ${top}: the canvas did not change`);
          // A step counts as drawn only in a frame where the chart holds it and its canvas changed.
          else for (const f of fresh) drawn.set(f.step, shown.paintedAt - f.time);
        }),
      );
    },
    pollServers: async () => true,
    serverPollMs: () => 60_000,
    log: () => {},
  });
  const watcher = watch(dir, () => void scheduler.request({ delayMs: FILE_EVENT_DELAY_MS, servers: false, cause: 'file event' }));
  const t0 = Date.now();
  proc.stdin.write('go\n');
  while ((await nextLine()) !== 'done');
  // The last steps' refresh: at most the longest wait after the last write.
  const deadline = Date.now() + 10_000;
  while (drawn.size < STEPS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  watcher.close();
  scheduler.dispose();
  await Promise.all(deliveries);
  const stats = (/** @type {Map<number, number>} */ m) => {
    const lat = [...m.values()].sort((a, b) => a - b);
    // NaN when nothing was drawn: the p95 target then reads FALLS SHORT.
    const p = (/** @type {number} */ q) => lat[Math.min(lat.length - 1, Math.floor(lat.length * q))] ?? NaN;
    return { median: p(0.5), p95: p(0.95), max: p(1) };
  };
  const end = stats(drawn);
  const host = stats(read);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`live metric: ${STEPS} steps logged every ${STEP_MS} ms over ${((Date.now() - t0) / 1000).toFixed(1)} s; ${drawn.size} drawn in ${refreshes} refreshes (${appends} append messages), chart ${width} px wide`);
  console.log(`  logged → drawn in the chart: median ${end.median} ms, p95 ${end.p95} ms, max ${end.max} ms`);
  console.log(`  of which logged → held by the host: median ${host.median} ms, p95 ${host.p95} ms, max ${host.max} ms`);
  for (const p of problems.slice(0, 5)) console.log(`  problem: ${p}`);
  result(
    `${MEASURE} (mlflow.db, a step every ${STEP_MS} ms)`,
    `p95 ${end.p95} ms, median ${end.median} ms over ${drawn.size} steps; host only p95 ${host.p95} ms, median ${host.median} ms (${refreshes} refreshes; file event delay ${FILE_EVENT_DELAY_MS} ms) (load ${load})`,
    [
      atMost('p95', end.p95, 500, ' ms'),
      { label: `every step drawn (${drawn.size} of ${STEPS})`, value: drawn.size, op: '>=', goal: STEPS, unit: '', check: true },
      { label: problems.length ? `${problems.length} frames without the step` : 'each step on the canvas', value: problems.length, op: '<=', goal: 0, unit: '', check: true },
    ],
  );
} finally {
  proc.kill();
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
