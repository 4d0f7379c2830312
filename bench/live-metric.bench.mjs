// Live: a metric logged by a running training → read by the chart, end to end. A real
// training writes (MLflow's client in the peers venv, `mlflow.log_metric` into mlflow.db,
// a step every BENCH_LIVE_STEP_MS), and the extension host's path follows it: a file
// watcher on the store's folder (inotify, what VS Code's watcher uses on Linux) → the Runs
// view's RefreshScheduler with the delay a file event gets (FILE_EVENT_DELAY_MS) → the
// store listed again (the Runs view's refresh) → the metric's history read (what the
// metrics panel does on each refresh) → the step is there. Latency: from the timestamp
// MLflow gives the point (the logging call's clock) to the history holding it. The
// webview's redraw (a uPlot setData, a few ms: charts.bench.mjs) is not in it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { hostBundle } from './lib/bundle.mjs';
import { atMost, notMeasured, result } from './lib/verdict.mjs';

const STEPS = Number(process.env.BENCH_LIVE_STEPS ?? 60);
const STEP_MS = Number(process.env.BENCH_LIVE_STEP_MS ?? 250);
const python = join(root, '.venv-peers', 'bin', 'python');
if (!existsSync(python)) {
  notMeasured('live metric → chart', `${python} missing; run bash scripts/setup/peers.sh`);
  process.exit(1);
}

const { RefreshScheduler, FILE_EVENT_DELAY_MS } = await hostBundle('live', `export { RefreshScheduler, FILE_EVENT_DELAY_MS } from './src/extension/runs/refreshScheduler';`);
const require = createRequire(import.meta.url);
const { MlflowSqliteSource } = require(join(root, 'dist', 'core.js'));

const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-live-'));
const db = join(dir, 'mlflow.db');
// The run is created first and announced; then, on a line from us, it logs a step every STEP_MS.
const training = `
import logging, sys, time, math
logging.disable(logging.WARNING)
import mlflow
mlflow.set_tracking_uri('sqlite:///' + sys.argv[1])
steps, pace = int(sys.argv[2]), float(sys.argv[3]) / 1000
with mlflow.start_run(run_name='live') as run:
    print(run.info.run_id, flush=True)
    sys.stdin.readline()
    for i in range(steps):
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

const source = new MlflowSqliteSource(db, { wasmPath: join(root, 'dist', 'sql-wasm.wasm') });
/** @type {Map<number, number>} step → latency ms */
const seen = new Map();
let runId = '';
let refreshes = 0;
const scheduler = new RefreshScheduler({
  // The Runs view's refresh (list the store), then the metrics panel's (the charted metric's history).
  refresh: async () => {
    refreshes++;
    await source.list();
    const points = await source.metricHistory(runId, 'loss');
    const now = Date.now();
    for (const p of points) if (!seen.has(p.step)) seen.set(p.step, now - p.timestamp);
  },
  pollServers: async () => true,
  serverPollMs: () => 60_000,
  log: () => {},
});
try {
  runId = String(await nextLine());
  const watcher = watch(dir, () => void scheduler.request({ delayMs: FILE_EVENT_DELAY_MS, servers: false, cause: 'file event' }));
  const t0 = Date.now();
  proc.stdin.write('go\n');
  while ((await nextLine()) !== 'done');
  // The last steps' refresh: at most the longest wait after the last write.
  const deadline = Date.now() + 10_000;
  while (seen.size < STEPS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  watcher.close();
  scheduler.dispose();
  const lat = [...seen.values()].sort((a, b) => a - b);
  const p = (/** @type {number} */ q) => lat[Math.min(lat.length - 1, Math.floor(lat.length * q))];
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`live metric: ${STEPS} steps logged every ${STEP_MS} ms over ${((Date.now() - t0) / 1000).toFixed(1)} s; ${seen.size} seen in ${refreshes} refreshes; latency median ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${lat[lat.length - 1]} ms`);
  result(
    `live metric logged → read for the chart (mlflow.db, a step every ${STEP_MS} ms)`,
    `p95 ${p(0.95)} ms, median ${p(0.5)} ms over ${seen.size} steps (${refreshes} refreshes; file event delay ${FILE_EVENT_DELAY_MS} ms) (load ${load})`,
    [atMost('p95', p(0.95), 500, ' ms'), { label: `every step seen (${seen.size} of ${STEPS})`, value: seen.size, op: '>=', goal: STEPS, unit: '', check: true }],
  );
} finally {
  proc.kill();
  rmSync(dir, { recursive: true, force: true });
}
