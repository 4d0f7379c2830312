// Search sent to a tracking server: 10,000 runs in an `mlflow.db` served by a real
// `mlflow server`; for each filter, our MlflowRestSource (the Runs view's filtered listing:
// runs/search with `filter`, every page) vs the MLflow Python client's
// `mlflow.search_runs(filter_string=...)` against the same server. Both get every matching
// run with its params, metrics and tags; each side is timed inside its own process (the
// Python side after `import mlflow`), 3 times in turns, medians compared. The MLflow UI's
// own search sends the same runs/search request but only for its first page (100 runs) and
// then renders: it is not timed here. The store is written once through MLflow's own
// store and ORM (test/integration/runs/peers/many_runs_peer.py) and cached in
// ~/.cache/mlops-workbench. BENCH_SEARCH_RUNS shrinks it.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
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

/** @returns {Promise<number>} */
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
mkdirSync(join(dir, 'artifacts'), { recursive: true });
const logFd = openSync(join(dir, 'server.log'), 'w');
const server = spawn(
  mlflowBin,
  ['server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1', '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, '--artifacts-destination', join(dir, 'artifacts')],
  { cwd: dir, detached: true, stdio: ['ignore', logFd, logFd], env },
);
closeSync(logFd);
const stop = () => {
  try {
    if (server.pid) process.kill(-server.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
process.on('exit', stop);

const deadline = Date.now() + 120_000;
for (;;) {
  try {
    if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok) break;
  } catch {
    // not up yet
  }
  if (Date.now() > deadline) {
    notMeasured('server-side search', `mlflow server did not answer on ${url}; see ${join(dir, 'server.log')}`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 300));
}

const oursScript = `const core = require(${JSON.stringify(join(root, 'dist', 'core.js'))});
(async () => {
  const out = [];
  for (const f of ${JSON.stringify(FILTERS)}) {
    const t0 = performance.now();
    const l = await new core.MlflowRestSource(${JSON.stringify(url)}, { maxRuns: 1000, filter: () => f, timeoutMs: 120000 }).list();
    out.push({ ms: performance.now() - t0, runs: l.runs.length, warnings: l.warnings.length });
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
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** @type {{ms: number, runs: number}[][]} */
const ours = [];
/** @type {{ms: number, runs: number}[][]} */
const theirs = [];
try {
  for (let i = 0; i < 3; i++) {
    const o = JSON.parse(lastLine(execFileSync(process.execPath, ['-e', oursScript], { encoding: 'utf8', maxBuffer: 1 << 26 })));
    if (o.error) throw new Error(`ours failed: ${o.error}`);
    ours.push(o);
    theirs.push(JSON.parse(lastLine(execFileSync(python, ['-c', theirsScript, url, JSON.stringify(FILTERS)], { encoding: 'utf8', env, maxBuffer: 1 << 26 }))));
  }
} finally {
  stop();
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
// Issue 15's target is against the MLflow UI's search (≥ 5×); the UI was not timed here, so
// the line compares with the MLflow client against the same server.
result(
  `server-side search over ${runs} runs (${FILTERS.length} filters, real mlflow server)`,
  `ours ${(oursTotal / 1000).toFixed(2)} s vs mlflow.search_runs ${(theirTotal / 1000).toFixed(2)} s (medians of 3 each; the MLflow UI's search was not timed)`,
  [faster(theirTotal / oursTotal, 5, 'vs mlflow.search_runs')],
);
