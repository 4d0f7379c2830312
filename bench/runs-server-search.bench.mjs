// Search sent to a tracking server: 10,000 runs in an `mlflow.db` served by a real
// `mlflow server`; for each filter, our MlflowRestSource (the Runs view's filtered listing:
// runs/search with `filter`, every page) vs the MLflow Python client's
// `mlflow.search_runs(filter_string=...)` against the same server. Both get every matching
// run with its params, metrics and tags; each side is timed inside its own process (the
// Python side after `import mlflow`), 3 times in turns, medians compared. The MLflow UI's
// own search (one page of 100 runs of one experiment, then rendered) is timed in headless
// Chromium too: see timeUi. Against it, ours until the first rows are visible too: the
// listing's first page (100 newest matches, the UI's page size; the rest follow in the
// background) made into the table's rows message, and that message drawn by the open
// experiments table in the same Chromium (see timeOursFirstRows). The store is written once through MLflow's own
// store and ORM (test/integration/runs/peers/many_runs_peer.py) and cached in
// ~/.cache/mlops-workbench. BENCH_SEARCH_RUNS shrinks it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { root } from '../scripts/lib.mjs';
import { startMlflowServer } from './lib/mlflowServer.mjs';
import { faster, notMeasured, result } from './lib/verdict.mjs';

const VERSION = 1;
const runs = Number(process.env.BENCH_SEARCH_RUNS ?? 10000);
const python = join(root, '.venv-peers', 'bin', 'python');
const mlflowBin = join(root, '.venv-peers', 'bin', 'mlflow');
if (!existsSync(python)) {
  notMeasured('server-side search', `${python} missing; run bash scripts/setup/peers.sh`);
  process.exit(1);
}
const peer = join(root, 'test', 'integration', 'runs', 'peers', 'many_runs_peer.py');
const env = { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' };
const dir = join(homedir(), '.cache', 'mlops-workbench', `server-search-bench-v${VERSION}-${runs}`);
if (!existsSync(join(dir, 'mlflow.db'))) {
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  console.log(`writing ${runs} runs into ${dir} (once) ...`);
  execFileSync(python, [peer, 'write', join(tmp, 'mlflow.db'), String(runs)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

const FILTERS = [
  "tags.needle = 'yes'",
  'metrics.acc < 0.0123',
  "params.group = 'g3' and attributes.status = 'FAILED'",
  "attributes.run_name LIKE 'run-99%'",
  "tags.team ILIKE 'A' and metrics.loss > 0.25",
];

mkdirSync(join(dir, 'artifacts'), { recursive: true });
// One worker, as the README's figures were measured: both sides page one request after
// another, so more workers would serve them no sooner, only start more Python processes on
// this 2-core machine while both sides are timed.
const server = await startMlflowServer({
  mlflow: mlflowBin,
  backendStoreUri: `sqlite:///${join(dir, 'mlflow.db')}`,
  args: ['--workers', '1', '--artifacts-destination', join(dir, 'artifacts')],
  log: join(dir, 'server.log'),
  cwd: dir,
  env,
}).catch((/** @type {Error} */ err) => {
  notMeasured('server-side search', err.message);
  process.exit(1);
});
const url = server.url;

// The table's rows message as the panel builds it (tableMessage.ts), bundled as the extension is.
const HOST_BUNDLE = join(dir, 'table-host.cjs');
await esbuild.build({
  stdin: { contents: `export { rowsMessage } from './src/extension/experiments/tableMessage';\nexport { DEFAULT_TABLE_STATE } from './src/core/runs/table';`, resolveDir: root, loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: HOST_BUNDLE,
  logLevel: 'warning',
});
// Per filter: the whole listing (ms, vs mlflow.search_runs) and the first rows: the time to
// the first page (the first partial listing, or the whole one when it fits one page) and
// the rows message made of it, which the webview half draws.
const oursScript = `const core = require(${JSON.stringify(join(root, 'dist', 'core.js'))});
const { rowsMessage, DEFAULT_TABLE_STATE } = require(${JSON.stringify(HOST_BUNDLE)});
(async () => {
  const out = [];
  for (const f of ${JSON.stringify(FILTERS)}) {
    const t0 = performance.now();
    let first;
    const rows = (l) => {
      const names = new Map(l.experiments.map((e) => [e.id, e.name]));
      const runs = l.runs.map((run) => ({ key: 's\\n' + run.id, run, source: 'MLflow · server', experiment: names.get(run.experimentId) ?? run.experimentId }));
      const { message } = rowsMessage(runs, DEFAULT_TABLE_STATE, undefined, Date.now(), '(none)');
      return { ms: performance.now() - t0, runs: l.runs.length, message };
    };
    const l = await new core.MlflowRestSource(${JSON.stringify(url)}, { maxRuns: 1000, filter: () => f, timeoutMs: 120000 }).list(undefined, (soFar) => { first ??= rows(soFar); });
    const ms = performance.now() - t0;
    first ??= rows(l);
    out.push({ ms, runs: l.runs.length, warnings: l.warnings.length, first });
  }
  console.log(JSON.stringify(out));
})().catch((err) => console.log(JSON.stringify({ error: String(err?.message ?? err) })));`;
const theirsScript = `
import json, logging, sys, time
logging.disable(logging.WARNING)
import mlflow
mlflow.set_tracking_uri(sys.argv[1])
out = []
for f in json.loads(sys.argv[2]):
    t0 = time.perf_counter()
    df = mlflow.search_runs(search_all_experiments=True, filter_string=f)
    out.append({"ms": (time.perf_counter() - t0) * 1000, "runs": len(df)})
print(json.dumps(out))
`;
const lastLine = (/** @type {string} */ text) => text.trim().split('\n').pop() ?? '';
/** @type {{ ms: (number | undefined)[], note: string } | undefined} */
let ui;

/**
 * The MLflow UI's own search, in the E2E's headless Chromium: its runs page of the first
 * experiment opened once, then each filter typed into its search box with Enter, timed
 * until the UI's runs/search answer with that filter came and its first row shows the
 * newest matching run of that experiment (asked of the server beforehand). The UI asks for one page (100 runs) of one experiment; ours lists every
 * matching run of both. A filter no run of that experiment matches is not timed.
 */
async function timeUi() {
  const { launchBrowser } = await import('../test/e2e/browser.mjs');
  const post = async (/** @type {string} */ path, /** @type {object} */ body) => (await fetch(`${url}/ajax-api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const exps = await post('experiments/search', { max_results: 10 });
  const exp = String(exps.experiments.find((/** @type {any} */ e) => e.name === 'search-a').experiment_id);
  /** @type {(string | undefined)[]} */
  const newest = [];
  for (const f of FILTERS) newest.push((await post('runs/search', { experiment_ids: [exp], filter: f, max_results: 1, order_by: ['attributes.start_time DESC'] })).runs?.[0]?.info?.run_name);
  const newestOf = (await post('runs/search', { experiment_ids: [exp], max_results: 1, order_by: ['attributes.start_time DESC'] })).runs?.[0]?.info?.run_name;
  const { browser, page } = await launchBrowser();
  const box = page.locator('input[placeholder*="metrics"], input[placeholder*="Search"]').first();
  const firstName = () => page.evaluate(() => [...document.querySelectorAll('a, span, div')].find((e) => e.children.length === 0 && /^run-\d+$/.test(e.textContent ?? ''))?.textContent ?? '');
  const show = async (/** @type {string} */ filter, /** @type {string | undefined} */ expect) => {
    const answered = page.waitForResponse((r) => r.url().includes('runs/search') && (r.request().postData() ?? '').includes(filter ? `"filter":${JSON.stringify(filter)}` : ''), { timeout: 120_000 });
    const t0 = performance.now();
    // As a user searches: the filter typed into the runs page's search box, then Enter.
    await box.fill(filter);
    await box.press('Enter');
    await answered;
    const deadline = Date.now() + 30_000;
    let first = '';
    while (expect !== undefined && (first = await firstName()) !== expect) {
      if (Date.now() > deadline) throw new Error(`the MLflow UI's first row stayed ${first}, not ${expect}, for ${filter}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return performance.now() - t0;
  };
  try {
    await page.goto(`${url}/#/experiments/${exp}/runs`);
    await page.getByText(/^run-\d+$/).first().waitFor({ timeout: 120_000 });
    /** @type {number[][]} */
    const times = FILTERS.map(() => []);
    for (let i = 0; i < 3; i++) {
      for (const [j, f] of FILTERS.entries()) {
        if (newest[j] === undefined) continue;
        times[j].push(await show(f, newest[j]));
        console.log(`  MLflow UI: ${JSON.stringify(f)} ${times[j][times[j].length - 1].toFixed(0)} ms`);
        await show('', newestOf);
      }
    }
    return { ms: times.map((t) => (t.length ? median(t) : undefined)), note: `experiment search-a, first page` };
  } finally {
    await browser.close();
  }
}
/**
 * Our webview half of the first rows: the experiments table's bundle open in the same
 * headless Chromium, drawing another filter's rows; the clock starts when the new rows
 * message is posted (structured-cloned, as postMessage does) and stops at the first frame
 * whose top row is the newest match. Per filter, median of 3.
 * @param {any[]} firsts the first-rows message of each filter
 * @returns {Promise<number[]>}
 */
async function timeOursFirstRows(firsts) {
  const built = await esbuild.build({ entryPoints: [join(root, 'webviews/experiments/main.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', minify: true, write: false, outdir: join(dir, 'webview'), logLevel: 'warning' });
  const js = built.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
  const css = built.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  const { launchBrowser } = await import('../test/e2e/browser.mjs');
  const { browser, page } = await launchBrowser();
  try {
    await page.setContent(`<html><head><style>${css}</style></head><body><div id="root" data-app="experiments"></div></body></html>`);
    await page.evaluate((code) => {
      /** @type {any} */ (window).acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });
      const s = document.createElement('script');
      s.textContent = code;
      document.body.append(s);
    }, js);
    const nameOf = (/** @type {any} */ m) => m.rows[0]?.cells[m.columns.findIndex((/** @type {any} */ c) => c.id === 'attr:name')] ?? '';
    /** @type {number[]} */
    const out = [];
    for (const [j, first] of firsts.entries()) {
      const before = firsts.find((m) => nameOf(m) !== nameOf(first)) ?? firsts[(j + 1) % firsts.length];
      const times = [];
      for (let i = 0; i < 3; i++) {
        times.push(
          await page.evaluate(
            async ({ before, msg, name }) => {
              const post = (/** @type {any} */ m) => window.dispatchEvent(new MessageEvent('message', { data: structuredClone(m) }));
              const top = () => document.querySelector('.row')?.textContent ?? '';
              post(before);
              while (top().includes(name) || !document.querySelector('.row')) await new Promise((r) => requestAnimationFrame(r));
              await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
              const t0 = performance.now();
              post(msg);
              while (!top().includes(name)) await new Promise((r) => requestAnimationFrame(r));
              await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
              return performance.now() - t0;
            },
            { before, msg: first, name: nameOf(first) },
          ),
        );
      }
      out.push(median(times));
    }
    return out;
  } finally {
    await browser.close();
  }
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** @type {{ms: number, runs: number, first: { ms: number, runs: number, message: any }}[][]} */
const ours = [];
/** @type {number[]} */
let webviewMs = [];
/** @type {{ms: number, runs: number}[][]} */
const theirs = [];
try {
  for (let i = 0; i < 3; i++) {
    const o = JSON.parse(lastLine(execFileSync(process.execPath, ['-e', oursScript], { encoding: 'utf8', maxBuffer: 1 << 26 })));
    if (o.error) throw new Error(`ours failed: ${o.error}`);
    ours.push(o);
    theirs.push(JSON.parse(lastLine(execFileSync(python, ['-c', theirsScript, url, JSON.stringify(FILTERS)], { encoding: 'utf8', env, maxBuffer: 1 << 26 }))));
  }
  webviewMs = await timeOursFirstRows(ours[0].map((r) => r.first.message));
  ui = await timeUi().catch((err) => {
    console.log(`MLflow UI not timed: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
} finally {
  server.stop();
}
let oursTotal = 0;
let theirTotal = 0;
for (const [i, f] of FILTERS.entries()) {
  const o = median(ours.map((r) => r[i].ms));
  const t = median(theirs.map((r) => r[i].ms));
  oursTotal += o;
  theirTotal += t;
  const n = ours[0][i].runs;
  const same = n === theirs[0][i].runs ? '' : ` WARNING: run counts differ (${n} vs ${theirs[0][i].runs})`;
  console.log(`${JSON.stringify(f)}: ${n} runs — ours ${o.toFixed(0)} ms, mlflow.search_runs ${t.toFixed(0)} ms (${(t / o).toFixed(1)}×)${same}`);
}
// Ours until the first rows are visible: the first page and its rows message (host), then the webview drawing it.
const firstRows = FILTERS.map((_, i) => median(ours.map((r) => r[i].first.ms)) + webviewMs[i]);
for (const [i, f] of FILTERS.entries()) {
  const host = median(ours.map((r) => r[i].first.ms));
  console.log(`${JSON.stringify(f)}: ours first rows ${firstRows[i].toFixed(0)} ms (first page of ${ours[0][i].first.runs} runs + rows message ${host.toFixed(0)} ms, webview ${webviewMs[i].toFixed(0)} ms); every match ${median(ours.map((r) => r[i].ms)).toFixed(0)} ms`);
}
const uiPairs = FILTERS.flatMap((f, i) => (ui?.ms[i] === undefined ? [] : [{ f, ours: firstRows[i], ui: /** @type {number} */ (ui.ms[i]) }]));
for (const p of uiPairs) console.log(`${JSON.stringify(p.f)}: MLflow UI search ${p.ui.toFixed(0)} ms (${ui?.note}) vs ours ${p.ours.toFixed(0)} ms to the first rows (${(p.ui / p.ours).toFixed(1)}×)`);
const uiOurs = uiPairs.reduce((a, p) => a + p.ours, 0);
const uiTheirs = uiPairs.reduce((a, p) => a + p.ui, 0);
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
result(
  `server-side search over ${runs} runs (${FILTERS.length} filters, real mlflow server)`,
  `ours ${(oursTotal / 1000).toFixed(2)} s vs mlflow.search_runs ${(theirTotal / 1000).toFixed(2)} s; over the ${uiPairs.length} filters the UI's experiment has runs for, until the first rows are visible: ours ${(uiOurs / 1000).toFixed(2)} s vs the MLflow UI's search ${(uiTheirs / 1000).toFixed(2)} s (medians of 3 each; the UI's first page is 100 runs of one experiment, ours 100 of both, the rest following) (load ${load})`,
  [faster(theirTotal / oursTotal, 5, 'vs mlflow.search_runs'), faster(uiTheirs / uiOurs, 5, 'vs the MLflow UI')],
);
