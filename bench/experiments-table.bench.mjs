// The experiments table's first render against MLflow's own UI runs table, both in the
// E2E's headless Chromium: 10,000 runs × 30 columns (status, name, experiment, created,
// duration, 16 metrics, 8 params, source) in one mlflow.db that both read. Ours is the
// panel's whole path: the SQLite reader lists the store (extension host), the table's rows
// message is built (tableMessage.ts), and the webview bundle starts and draws the rows in
// view. MLflow's: `mlflow server` on that mlflow.db, its experiment's runs page opened in a fresh
// browser context, until the newest run's name is visible. Then the scroll frame time of
// our table at 100,000 rows. BENCH_TABLE_RUNS scales the first part.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { root } from '../scripts/lib.mjs';
import { atMost, faster, notMeasured, result } from './lib/verdict.mjs';
import { launchBrowser } from '../test/e2e/browser.mjs';

const RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 10000);
const SCROLL_RUNS = 100_000;
const PARAMS = 8;
const METRICS = 16;
const python = join(root, '.venv-peers', 'bin', 'python');
const mlflowBin = join(root, '.venv-peers', 'bin', 'mlflow');
if (!existsSync(python)) {
  notMeasured('experiments table', `${python} missing; run bash scripts/setup/peers.sh`);
  process.exit(1);
}

const dir = join(homedir(), '.cache', 'mlops-workbench', `experiments-table-bench-v1-${RUNS}`);
const db = join(dir, 'mlflow.db');
const generate = `
import logging, sqlite3, sys, uuid, random
logging.disable(logging.WARNING)
import mlflow
db, runs, params, metrics = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
client = mlflow.MlflowClient(tracking_uri='sqlite:///' + db)
exp = client.create_experiment('bench')
del client
con = sqlite3.connect(db, isolation_level=None)
con.execute('PRAGMA synchronous=OFF')
con.execute('BEGIN')
rnd = random.Random(1)
t0 = 1_700_000_000_000
for i in range(runs):
    rid = uuid.UUID(int=rnd.getrandbits(128)).hex
    start = t0 + i * 60_000
    con.execute("INSERT INTO runs(run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rid, f'run-{i:05d}', 'LOCAL', 'train.py', '', 'bench', 'FINISHED', start, start + 30_000 + i, '', 'active', f'file:///tmp/artifacts/{rid}', exp))
    con.executemany('INSERT INTO params(key, value, run_uuid) VALUES (?,?,?)', [(f'param_{p}', str(round(rnd.random(), 4)), rid) for p in range(params)])
    con.executemany('INSERT INTO tags(key, value, run_uuid) VALUES (?,?,?)', [('mlflow.runName', f'run-{i:05d}', rid), ('mlflow.user', 'bench', rid)])
    points = [(f'metric_{m}', rnd.random(), start + 1000, 10, 0, rid) for m in range(metrics)]
    con.executemany('INSERT INTO latest_metrics(key, value, timestamp, step, is_nan, run_uuid) VALUES (?,?,?,?,?,?)', points)
    con.executemany('INSERT INTO metrics(key, value, timestamp, step, is_nan, run_uuid) VALUES (?,?,?,?,?,?)', points)
con.execute('COMMIT')
print(exp)
`;
if (!existsSync(db)) {
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  console.log(`writing ${RUNS} runs × ${PARAMS} params × ${METRICS} metrics into ${dir} (once) ...`);
  execFileSync(python, ['-c', generate, join(tmp, 'mlflow.db'), String(RUNS), String(PARAMS), String(METRICS)], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

// ---- ours: host half (Node) -------------------------------------------------------
const HOST_BUNDLE = join(tmpdir(), 'mlops-bench-experiments', 'host.cjs');
// Bundled as the extension is (one CommonJS file, required): the reader from dist/core.js,
// the table's message from tableMessage.ts and the core table code it uses.
const hostBuild = await esbuild.build({
  stdin: {
    contents: `export { rowsMessage } from './src/extension/experiments/tableMessage';\nexport { DEFAULT_TABLE_STATE } from './src/core/runs/table';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: HOST_BUNDLE,
  logLevel: 'warning',
});
void hostBuild;
const require = createRequire(import.meta.url);
const { rowsMessage, DEFAULT_TABLE_STATE } = require(HOST_BUNDLE);
const { MlflowSqliteSource } = require(join(root, 'dist', 'core.js'));

const h0 = performance.now();
const listing = await new MlflowSqliteSource(db, { wasmPath: join(root, 'dist', 'sql-wasm.wasm') }).list();
const listMs = performance.now() - h0;
const expName = new Map(listing.experiments.map((/** @type {any} */ e) => [e.id, e.name]));
const m0 = performance.now();
const tableRuns = listing.runs.map((/** @type {any} */ run) => ({ key: `s\n${run.id}`, run, source: 'MLflow · mlflow.db', experiment: expName.get(run.experimentId) ?? run.experimentId }));
const { message } = rowsMessage(tableRuns, DEFAULT_TABLE_STATE, undefined, Date.now(), '(none)');
const messageMs = performance.now() - m0;
const columns = message.columns.length;
console.log(`first render, ${listing.runs.length.toLocaleString('en')} runs × ${columns} columns`);

// ---- ours: webview half (Chromium) ---------------------------------------------------
const built = await esbuild.build({
  entryPoints: [join(root, 'webviews/experiments/main.ts')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  outdir: '/tmp/mlops-bench-experiments',
  logLevel: 'warning',
});
const files = /** @type {import('esbuild').OutputFile[]} */ (built.outputFiles);
const ourJs = /** @type {import('esbuild').OutputFile} */ (files.find((f) => f.path.endsWith('.js'))).text;
const ourCss = files.find((f) => f.path.endsWith('.css'))?.text ?? '';

const { browser, page: firstPage } = await launchBrowser({ onConsole: (l) => l.includes('error') && console.log(l) });
await firstPage.close();

/** A page holding the table's shell; `msg` is in the page before the clock starts (it stands for the host's post). */
async function tablePage(/** @type {any} */ msg) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.setContent(`<html><head><style>${ourCss}</style></head><body><div id="root" data-app="experiments"></div></body></html>`);
  await page.evaluate((m) => {
    /** @type {any} */ (window).msg = m;
    /** @type {any} */ (window).acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });
  }, msg);
  return { page, context };
}

/** From the bundle starting to the first frame with rows drawn; the message is copied in as postMessage would (structuredClone). */
const renderInPage = (/** @type {import('playwright-core').Page} */ page) =>
  page.evaluate(async (js) => {
    const t0 = performance.now();
    const s = document.createElement('script');
    s.textContent = js;
    document.body.append(s);
    window.dispatchEvent(new MessageEvent('message', { data: structuredClone(/** @type {any} */ (window).msg) }));
    while (!document.querySelector('.row')) await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return { ms: performance.now() - t0, domRows: document.querySelectorAll('.row').length };
  }, ourJs);

const oursTimes = [];
let domRows = 0;
for (let i = 0; i < 3; i++) {
  const { page, context } = await tablePage(message);
  const r = await renderInPage(page);
  oursTimes.push(r.ms);
  domRows = r.domRows;
  await context.close();
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const webviewMs = median(oursTimes);
const oursMs = listMs + messageMs + webviewMs;
console.log(`  ours: list mlflow.db ${listMs.toFixed(0)} ms + rows message ${messageMs.toFixed(0)} ms + webview ${webviewMs.toFixed(0)} ms (median of 3; ${domRows} row elements for ${message.rows.length.toLocaleString('en')} rows) = ${oursMs.toFixed(0)} ms`);

// ---- MLflow's UI ---------------------------------------------------------------------
const port = await new Promise((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const p = /** @type {import('node:net').AddressInfo} */ (srv.address()).port;
    srv.close(() => resolve(p));
  });
});
const server = spawn(mlflowBin, ['server', '--backend-store-uri', `sqlite:///${db}`, '--host', '127.0.0.1', '--port', String(port), '--workers', '1'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MLFLOW_ENABLE_WORKSPACES: 'false' } });
let serverLog = '';
server.stderr.on('data', (d) => (serverLog = (serverLog + d).slice(-4000)));
const base = `http://127.0.0.1:${port}`;
try {
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${base}/health`).then((r) => r.ok).catch(() => false))) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`mlflow server did not start: ${serverLog}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const exps = await (await fetch(`${base}/ajax-api/2.0/mlflow/experiments/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ max_results: 10 }) })).json();
  const exp = exps.experiments.find((/** @type {any} */ e) => e.name === 'bench');
  const newest = `run-${String(RUNS - 1).padStart(5, '0')}`;
  const theirTimes = [];
  for (let i = 0; i < 3; i++) {
    // A fresh context: nothing cached from the last load, as a first visit.
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`${base}/#/experiments/${exp.experiment_id}/runs`);
    await page.getByText(newest, { exact: true }).first().waitFor({ state: 'visible', timeout: 120_000 });
    theirTimes.push(performance.now() - t0);
    if (i === 0) await page.screenshot({ path: join(root, 'test-results', 'bench-mlflow-ui-table.png') });
    await context.close();
  }
  const theirMs = median(theirTimes);
  console.log(`  MLflow UI (mlflow server, experiment page): ${theirTimes.map((t) => t.toFixed(0)).join(', ')} ms, median ${theirMs.toFixed(0)} ms`);

  // ---- scroll at 100,000 rows ----------------------------------------------------------
  const many = Array.from({ length: SCROLL_RUNS }, (_, i) => tableRuns[i % tableRuns.length]).map((r, i) => ({ ...r, key: `s\n${i}` }));
  const big = rowsMessage(many, DEFAULT_TABLE_STATE, undefined, Date.now(), '(none)').message;
  const { page, context } = await tablePage(big);
  await renderInPage(page);
  const frames = await page.evaluate(async () => {
    const grid = /** @type {HTMLElement} */ (document.querySelector('.grid'));
    // From a frame's start to the browser being idle after the next frame: one frame interval
    // plus that frame's work (our redraw, style, layout, paint). The same with no scroll is
    // the interval alone; the difference is the work a scroll costs.
    const measure = async (/** @type {number} */ step) => {
      const out = [];
      for (let f = 0; f < 240; f++) {
        await new Promise((r) => requestAnimationFrame(r));
        const t0 = performance.now();
        if (step) grid.scrollTop += step;
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push(performance.now() - t0);
      }
      return out;
    };
    const idle = await measure(0);
    // A fling (37 rows a frame: every row element rebound) and a wheel's pace (3 rows a frame).
    const scrolled = await measure(24 * 37 + 7);
    const wheel = await measure(24 * 3);
    return { idle, scrolled, wheel, rows: document.querySelectorAll('.row').length, top: grid.scrollTop };
  });
  await context.close();
  const p95Of = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
  const interval = median(frames.idle);
  const p95 = Math.max(0, p95Of(frames.scrolled) - interval);
  const wheelP95 = Math.max(0, p95Of(frames.wheel) - interval);
  console.log(`  scroll at ${SCROLL_RUNS.toLocaleString('en')} rows, scroll to idle after the next frame: 240 jumps of 37 rows p95 ${p95Of(frames.scrolled).toFixed(1)} ms, median ${median(frames.scrolled).toFixed(1)} ms; 240 steps of 3 rows p95 ${p95Of(frames.wheel).toFixed(1)} ms, median ${median(frames.wheel).toFixed(1)} ms; without scrolling ${interval.toFixed(1)} ms (the frame interval); ${frames.rows} row elements in the page`);
  result(`experiments table first render ${RUNS} runs × ${columns} columns`, `ours ${oursMs.toFixed(0)} ms vs the MLflow UI runs page ${theirMs.toFixed(0)} ms`, [faster(theirMs / oursMs, 10, 'vs MLflow UI')]);
  result(`experiments table scroll at ${SCROLL_RUNS} rows`, `p95 work per frame beyond the frame interval: ${wheelP95.toFixed(1)} ms at 3 rows a frame, ${p95.toFixed(1)} ms at 37 rows a frame`, [atMost('p95 at 3 rows a frame', wheelP95, 16, ' ms'), atMost('p95 at 37 rows a frame', p95, 16, ' ms')]);
} finally {
  server.kill();
  await browser.close();
}
