// The cost of reading run stores in the worker thread (dist/lazy/runsWorker.js) instead of
// on the extension host's thread: listing time of the example project's stores (mlflow.db,
// DVC experiments, DVCLive, written by the real pipeline) in-thread vs through the worker,
// first listing (the worker's start included) and again (the Runs view's live refresh);
// how long the host's event loop is blocked meanwhile; and for many TensorBoard log
// folders, one shared worker vs one worker per store.
// BENCH_EXAMPLE=<dir> lists an existing project instead of making one in /tmp/mlops-bench.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';
import { root } from '../scripts/lib.mjs';
import { notMeasured, result } from './lib/verdict.mjs';

const python = join(root, '.venv-peers', 'bin', 'python');
const script = join(root, 'dist', 'lazy', 'runsWorker.js');
if (!existsSync(python) || !existsSync(script)) {
  notMeasured('runs-isolated', `needs ${python} and ${script}: bash scripts/setup/peers.sh; node esbuild.mjs`);
  process.exit(1);
}
const env = { ...process.env, PATH: `${join(root, '.venv-peers', 'bin')}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
let project = process.env.BENCH_EXAMPLE;
if (!project) {
  project = '/tmp/mlops-bench/example-project';
  if (!existsSync(join(project, 'mlflow.db'))) {
    rmSync(project, { recursive: true, force: true });
    mkdirSync('/tmp/mlops-bench', { recursive: true });
    execFileSync('bash', [join(root, 'scripts/example/make-sandbox.sh'), project], { env, stdio: 'inherit' });
    execFileSync('dvc', ['repro'], { cwd: project, env, stdio: 'inherit' });
    execFileSync('dvc', ['exp', 'run', '-S', 'train.epochs=3'], { cwd: project, env, stdio: 'inherit' });
  }
}
const wasmPath = join(root, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
const { createFileRunSource } = await tsImport('../src/core/runs/fileSources.ts', import.meta.url);
const { IsolatedRunSource, runsWorker } = await tsImport('../src/core/runs/isolated/isolatedRunSource.ts', import.meta.url);
// A cache of its own, so that the in-thread and the worker's first listings both start cold.
const cacheFor = (/** @type {string} */ tag) => `/tmp/mlops-bench/exp-cache-${tag}-${process.pid}`;
const stores = [
  ['mlflow-sqlite', join(project, 'mlflow.db')],
  ['dvc-experiments', project],
  ['dvclive', join(project, 'dvclive')],
];
const REPS = 30;
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Lists every store at once (as the Runs view does): first listing, then the median of REPS more; max event-loop delay meanwhile. */
/** @param {{ list(): Promise<{ runs: unknown[] }> }[]} sources */
async function measure(sources) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  let t = performance.now();
  const first = await Promise.all(sources.map((s) => s.list()));
  const firstMs = performance.now() - t;
  const again = [];
  for (let i = 0; i < REPS; i++) {
    t = performance.now();
    await Promise.all(sources.map((s) => s.list()));
    again.push(performance.now() - t);
  }
  h.disable();
  return { firstMs, againMs: median(again), blockedMs: h.max / 1e6, runs: first.reduce((n, l) => n + l.runs.length, 0) };
}

const local = await measure(stores.map(([k, l]) => createFileRunSource(k, l, { wasmPath, cacheDir: cacheFor('host') })));
const worker = runsWorker({ script, sources: { wasmPath, cacheDir: cacheFor('worker') } });
const isolated = await measure(stores.map(([k, l]) => new IsolatedRunSource(k, l, worker)));
worker.dispose();
rmSync(cacheFor('host'), { recursive: true, force: true });
rmSync(cacheFor('worker'), { recursive: true, force: true });
if (local.runs !== isolated.runs) console.log(`WARNING: run counts differ (${local.runs} vs ${isolated.runs})`);
const f = (/** @type {number} */ ms) => `${ms.toFixed(1)} ms`;
console.log(`in-thread: first ${f(local.firstMs)}, again ${f(local.againMs)}, event loop blocked up to ${f(local.blockedMs)} (${local.runs} runs)`);
console.log(`worker:    first ${f(isolated.firstMs)}, again ${f(isolated.againMs)}, event loop blocked up to ${f(isolated.blockedMs)}`);

// Many TensorBoard log folders: one shared worker vs a worker for each.
const many = Number(process.env.BENCH_LOGDIRS ?? 20);
const tbRoot = `/tmp/mlops-bench/tb-many-${many}`;
if (!existsSync(join(tbRoot, String(many - 1)))) {
  for (let i = 0; i < many; i++) execFileSync(python, [join(root, 'test/integration/runs/peers/tensorboard_peer.py'), 'write', join(tbRoot, String(i), 'run'), '2000'], { stdio: 'pipe' });
}
const dirs = Array.from({ length: many }, (_, i) => join(tbRoot, String(i)));
/** @param {boolean} perStore */
async function tbListing(perStore) {
  const rss0 = process.memoryUsage().rss;
  const shared = perStore ? undefined : runsWorker({ script, sources: {} });
  const workers = perStore ? dirs.map(() => runsWorker({ script, sources: {} })) : [shared];
  const t = performance.now();
  await Promise.all(dirs.map((d, i) => new IsolatedRunSource('tensorboard', d, perStore ? workers[i] : shared).list()));
  const ms = performance.now() - t;
  const rssMb = (process.memoryUsage().rss - rss0) / 1048576;
  workers.forEach((w) => w.dispose());
  return { ms, rssMb };
}
const sharedTb = await tbListing(false);
const perStoreTb = await tbListing(true);
console.log(`${many} TensorBoard log folders: one shared worker ${f(sharedTb.ms)} (+${sharedTb.rssMb.toFixed(0)} MB RSS), a worker each ${f(perStoreTb.ms)} (+${perStoreTb.rssMb.toFixed(0)} MB RSS)`);
// Informational: the worker's price and what sharing one worker saves; no peer to race.
result(
  `runs-isolated: example project (${local.runs} runs, 3 stores) through the worker`,
  `listing again ${f(isolated.againMs)} vs in-thread ${f(local.againMs)} (first ${f(isolated.firstMs)} vs ${f(local.firstMs)}); host event loop blocked up to ${f(isolated.blockedMs)} vs ${f(local.blockedMs)}; ` +
    `${many} TensorBoard log folders: shared worker ${f(sharedTb.ms)} / +${sharedTb.rssMb.toFixed(0)} MB vs a worker each ${f(perStoreTb.ms)} / +${perStoreTb.rssMb.toFixed(0)} MB`,
  [],
);
