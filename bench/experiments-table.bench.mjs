// The experiments table's first render against MLflow's own UI runs table, both in the
// E2E's headless Chromium: 10,000 runs × 30 columns (status, name, experiment, created,
// duration, 16 metrics, 8 params, source) in one mlflow.db that both read. Ours is the
// panel's whole path: the SQLite reader lists the store (extension host), the table's rows
// message is built (tableMessage.ts), and the webview bundle starts and draws the rows in
// view. MLflow's: `mlflow server` on that mlflow.db, its experiment's runs page opened in a fresh
// browser context, until the newest run's name is visible. Then the scroll frame time of
// our table at 100,000 rows (the renderer main thread's CPU per frame, from a trace), and the
// extension host's memory with 100,000 runs listed. BENCH_TABLE_RUNS scales the first part;
// BENCH_TABLE_PARTS=render,scroll,memory picks parts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { browserBundle, hostBundle, hostBundleFile } from './lib/bundle.mjs';
import { startMlflowServer } from './lib/mlflowServer.mjs';
import { atMost, faster, notMeasured, result } from './lib/verdict.mjs';
import { launchBrowser } from '../test/e2e/browser.mjs';

const RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 10000);
const SCROLL_RUNS = 100_000;
// ExperimentsPanel's ROWS_PER_MESSAGE: the rows message is posted in parts of this many rows.
const ROWS_PER_MESSAGE = 5000;
// Which parts run (comma-separated): render (vs MLflow's UI), scroll, memory. All by default.
const PARTS = new Set((process.env.BENCH_TABLE_PARTS ?? 'render,scroll,memory').split(',').map((p) => p.trim()));
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
// Bundled as the extension is (one CommonJS file, required): the reader from dist/core.js,
// the table's message from tableMessage.ts and the core table code it uses.
const { rowsMessage, DEFAULT_TABLE_STATE } = await hostBundle(
  'experiments',
  `export { rowsMessage } from './src/extension/experiments/tableMessage';\nexport { DEFAULT_TABLE_STATE } from './src/core/runs/table';\nexport { compactListing } from './src/core/runs/compactListing';`,
);
const require = createRequire(import.meta.url);
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
const { js: ourJs, css: ourCss } = await browserBundle('webviews/experiments/main.ts');

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

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95Of = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

try {
  if (PARTS.has('render')) await firstRender();
  if (PARTS.has('scroll')) await scroll();
  if (PARTS.has('memory')) memory();
} finally {
  await browser.close();
}

async function firstRender() {
  const oursTimes = [];
  let domRows = 0;
  for (let i = 0; i < 3; i++) {
    const { page, context } = await tablePage(message);
    const r = await renderInPage(page);
    oursTimes.push(r.ms);
    domRows = r.domRows;
    await context.close();
  }
  const webviewMs = median(oursTimes);
  const oursMs = listMs + messageMs + webviewMs;
  console.log(`  ours: list mlflow.db ${listMs.toFixed(0)} ms + rows message ${messageMs.toFixed(0)} ms + webview ${webviewMs.toFixed(0)} ms (median of 3; ${domRows} row elements for ${message.rows.length.toLocaleString('en')} rows) = ${oursMs.toFixed(0)} ms`);

  // ---- MLflow's UI ---------------------------------------------------------------------
  // One worker, as the README's figures were measured: the page's few requests need no more,
  // and three more Python processes starting on this 2-core machine would slow the timed page.
  const server = await startMlflowServer({
    mlflow: mlflowBin,
    backendStoreUri: `sqlite:///${db}`,
    args: ['--workers', '1'],
    log: join(dir, 'server.log'),
    env: { ...process.env, MLFLOW_ENABLE_WORKSPACES: 'false' },
  });
  const base = server.url;
  try {
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
    result(`experiments table first render ${RUNS} runs × ${columns} columns`, `ours ${oursMs.toFixed(0)} ms vs the MLflow UI runs page ${theirMs.toFixed(0)} ms (load ${load()})`, [faster(theirMs / oursMs, 10, 'vs MLflow UI')]);
  } finally {
    server.stop();
  }
}

// ---- scroll at 100,000 rows ----------------------------------------------------------
/**
 * The renderer main thread's CPU time per frame, from a Chromium trace: every task between
 * one frame's start and the next (our redraw, style, layout, paint, layerize, commit). Thread
 * time, not wall time: on a loaded machine a frame waits for a core, and that wait is no work
 * of ours. The first and last frame (half inside the trace) are dropped.
 * @param {Buffer} buf
 */
function mainThreadFrames(buf) {
  const trace = JSON.parse(buf.toString('utf8'));
  /** @type {any[]} */
  const events = trace.traceEvents ?? trace;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain');
  const mine = events.filter((e) => e.pid === main?.pid && e.tid === main?.tid).sort((x, y) => x.ts - y.ts);
  const starts = mine.filter((e) => e.name === 'BeginMainThreadFrame').map((e) => e.ts);
  const cpu = new Array(starts.length).fill(0);
  let k = 0;
  for (const task of mine) {
    if (task.ph !== 'X' || task.name !== 'ThreadControllerImpl::RunTask' || task.ts < starts[0]) continue;
    while (k + 1 < starts.length && starts[k + 1] <= task.ts) k++;
    cpu[k] += (task.tdur ?? task.dur) / 1000;
  }
  return cpu.slice(1, -1);
}

async function scroll() {
  const many = Array.from({ length: SCROLL_RUNS }, (_, i) => tableRuns[i % tableRuns.length]).map((r, i) => ({ ...r, key: `s\n${i}` }));
  const big = rowsMessage(many, DEFAULT_TABLE_STATE, undefined, Date.now(), '(none)').message;
  const { page, context } = await tablePage(big);
  await renderInPage(page);
  // BENCH_TABLE_TRACE=file.json: a Chromium performance trace of the scrolling (open it in DevTools' Performance tab).
  const traceFile = process.env.BENCH_TABLE_TRACE;
  /** Per frame: from a frame's start to the browser idle after the next one (wall), and the main thread's CPU (trace). */
  const measure = async (/** @type {number} */ step) => {
    await browser.startTracing(page, traceFile ? { path: traceFile } : { categories: ['-*', 'toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame'] });
    const wall = await page.evaluate(async (step) => {
      const grid = /** @type {HTMLElement} */ (document.querySelector('.grid'));
      const out = [];
      for (let f = 0; f < 240; f++) {
        await new Promise((r) => requestAnimationFrame(r));
        const t0 = performance.now();
        if (step) grid.scrollTop += step;
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push(performance.now() - t0);
      }
      return out;
    }, step);
    const cpu = mainThreadFrames(await browser.stopTracing());
    return { wall, cpu };
  };
  // The frame interval alone; then a fling (37 rows a frame: every row element rebound) and a wheel's pace (3 rows a frame).
  const idle = await measure(0);
  const fling = await measure(24 * 37 + 7);
  const wheel = await measure(24 * 3);
  const rows = await page.evaluate(() => document.querySelectorAll('.row').length);
  await context.close();
  const interval = median(idle.wall);
  const wall = (/** @type {number[]} */ xs) => `p95 ${Math.max(0, p95Of(xs) - interval).toFixed(1)} ms, median ${Math.max(0, median(xs) - interval).toFixed(1)} ms`;
  const cpu = (/** @type {number[]} */ xs) => `p95 ${p95Of(xs).toFixed(1)} ms, median ${median(xs).toFixed(1)} ms`;
  console.log(`  scroll at ${SCROLL_RUNS.toLocaleString('en')} rows (${rows} row elements in the page), 240 frames each:`);
  console.log(`    renderer main-thread CPU per frame: 37 rows a frame ${cpu(fling.cpu)}; 3 rows a frame ${cpu(wheel.cpu)}; not scrolling ${cpu(idle.cpu)}`);
  console.log(`    wall, scroll to idle after the next frame, less the frame interval (${interval.toFixed(1)} ms): 37 rows a frame ${wall(fling.wall)}; 3 rows a frame ${wall(wheel.wall)}`);
  result(
    `experiments table scroll at ${SCROLL_RUNS} rows`,
    `main-thread work per frame p95 ${p95Of(wheel.cpu).toFixed(1)} ms at 3 rows a frame, ${p95Of(fling.cpu).toFixed(1)} ms at 37 rows a frame; wall beyond the frame interval p95 ${Math.max(0, p95Of(wheel.wall) - interval).toFixed(1)} / ${Math.max(0, p95Of(fling.wall) - interval).toFixed(1)} ms (load ${load()})`,
    [atMost('p95 at 3 rows a frame', p95Of(wheel.cpu), 16, ' ms'), atMost('p95 at 37 rows a frame', p95Of(fling.cpu), 16, ' ms')],
  );
}

// ---- extension-host memory at 100,000 runs -------------------------------------------
/**
 * In a fresh Node process (the extension host is one): the memory 100,000 listed runs and
 * the open table take. Idle: the bundles loaded. Then what the Runs view and the panel hold:
 * the runs as the SQLite reader returns them, packed as the host packs the run-store
 * worker's listings (the bench's mlflow.db read ten times: ten stores of 10,000 runs, each
 * run its own objects; the worker itself is not started), the table's runs and view, and the rows
 * message serialised once as postMessage does (dropped after the post; the rest stays
 * while the panel is open).
 */
function memory() {
  const code = `
const { MlflowSqliteSource } = require(${JSON.stringify(join(root, 'dist', 'core.js'))});
const { rowsMessage, DEFAULT_TABLE_STATE, compactListing } = require(${JSON.stringify(hostBundleFile('experiments'))});
(async () => {
  const mb = (n) => n / 1048576;
  const snap = () => { global.gc(); global.gc(); const m = process.memoryUsage(); return { heap: mb(m.heapUsed + m.external + m.arrayBuffers), rss: mb(m.rss) }; };
  const idle = snap();
  const runs = [];
  for (let k = 0; runs.length < ${SCROLL_RUNS}; k++) {
    // Packed as IsolatedRunSource packs what the run-store worker sends (compactListingSoon).
    const listing = compactListing(await new MlflowSqliteSource(${JSON.stringify(db)}, { wasmPath: ${JSON.stringify(join(root, 'dist', 'sql-wasm.wasm'))} }).list());
    runs.push(...listing.runs.slice(0, ${SCROLL_RUNS} - runs.length).map((run) => ({ key: 's' + k + '\\n' + run.id, run, source: 'MLflow · mlflow.db', experiment: 'bench' })));
  }
  const listed = snap();
  // In a function of its own: the message is out of every live frame once it returns.
  // As ExperimentsPanel.send: the first part of the rows, then the rest, each part
  // serialised as it is posted (webview.postMessage) and dropped before the next is made.
  const send = () => {
    const { message, visible, view, rest } = rowsMessage(runs, DEFAULT_TABLE_STATE, undefined, Date.now(), '(none)', undefined, ${ROWS_PER_MESSAGE});
    let sent = JSON.stringify(message).length;
    let rows = message.rows.length;
    let peak = process.memoryUsage().rss;
    for (const part of rest()) {
      sent += JSON.stringify(part).length;
      rows += part.rows.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    return { kept: { visible, view }, sent, rows, peak: mb(peak) };
  };
  const { kept, sent, rows, peak } = send();
  const open = snap();
  console.log(JSON.stringify({ idle, listed, open, peak, sent: mb(sent), rows, kept: [runs.length, kept.visible.length, kept.view.rows.length] }));
})();
`;
  const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', code], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop() ?? '{}');
  const rss = out.open.rss - out.idle.rss;
  const heap = out.open.heap - out.idle.heap;
  const listedHeap = out.listed.heap - out.idle.heap;
  console.log(`  memory, ${out.rows.toLocaleString('en')} runs × ${columns} columns: idle ${out.idle.rss.toFixed(0)} MB RSS; runs listed ${out.listed.rss.toFixed(0)} MB RSS (heap +${listedHeap.toFixed(0)} MB); table open ${out.open.rss.toFixed(0)} MB RSS (heap +${(heap - listedHeap).toFixed(0)} MB more); peak while sending ${out.peak.toFixed(0)} MB RSS (rows message ${out.sent.toFixed(0)} MB as JSON)`);
  result(
    `experiments table extension-host memory at ${SCROLL_RUNS} runs`,
    `+${rss.toFixed(0)} MB RSS (heap +${heap.toFixed(0)} MB: the listed runs +${listedHeap.toFixed(0)} MB, the table +${(heap - listedHeap).toFixed(0)} MB) above idle with the table open, +${(out.peak - out.idle.rss).toFixed(0)} MB at the peak of a send (load ${load()})`,
    [atMost('RSS above idle, table open', rss, 300, ' MB')],
  );
}
