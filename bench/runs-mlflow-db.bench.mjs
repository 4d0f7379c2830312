// 1,000 runs × 20 params × 10 metrics × 1,000 steps in an `mlflow.db`: our full listing
// (experiments, runs, params, tags, latest metrics) vs `mlflow.search_runs` in Python and
// the sqlite3 CLI, each timed inside its own process. Four figures, each with its targets:
// the page reader alone (dist/core.js, no worker), and as the extension lists it through
// the run-store worker: COLD (the first listing at window open), a REFRESH of an unchanged
// file, and a REFRESH after a write.
// MLflow creates the empty database (its own schema and migrations); the rows go in with
// plain SQL, in primary-key order, which takes a minute or two instead of hours of
// log_batch calls. Cached in ~/.cache/mlops-workbench keyed by a version and the sizes.
// BENCH_MLFLOW_RUNS / BENCH_MLFLOW_STEPS shrink it for a quick look.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { hostNode } from './lib/hostNode.mjs';
import { atMost, faster, notMeasured, result, sameAnswer } from './lib/verdict.mjs';

const VERSION = 1;
const runs = Number(process.env.BENCH_MLFLOW_RUNS ?? 1000);
const steps = Number(process.env.BENCH_MLFLOW_STEPS ?? 1000);
const python = join(root, '.venv-peers', 'bin', 'python');
if (!existsSync(python)) {
  notMeasured('mlflow.db', `${python} missing; run bash scripts/setup/peers.sh`);
  process.exit(1);
}
const dir = join(homedir(), '.cache', 'mlops-workbench', `mlflow-db-bench-v${VERSION}-${runs}x${steps}`);
const db = join(dir, 'mlflow.db');

const generate = `
import logging, sqlite3, sys, time, uuid, random
logging.disable(logging.WARNING)
import mlflow
db, runs, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
client = mlflow.MlflowClient(tracking_uri='sqlite:///' + db)
exp = client.create_experiment('bench')
del client
con = sqlite3.connect(db, isolation_level=None)
con.execute('PRAGMA synchronous=OFF')
con.execute('PRAGMA journal_mode=OFF')
con.execute('BEGIN')
rnd = random.Random(1)
ids = sorted(uuid.UUID(int=rnd.getrandbits(128)).hex for _ in range(runs))
t0 = 1_700_000_000_000
keys = [f'metric_{k}' for k in range(10)]
# The secondary indexes are built once after the rows, as CREATE INDEX sorts far faster than row-by-row updates.
idx = [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='metrics' AND sql IS NOT NULL")]
for name, in con.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='metrics' AND sql IS NOT NULL").fetchall():
    con.execute(f'DROP INDEX {name}')
for i, rid in enumerate(ids):
    start = t0 + i * 60_000
    con.execute("INSERT INTO runs(run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rid, f'run-{i}', 'LOCAL', 'train.py', '', 'bench', 'FINISHED', start, start + steps * 10, '', 'active', f'file:///tmp/artifacts/{rid}', exp))
    con.executemany('INSERT INTO params(key, value, run_uuid) VALUES (?,?,?)', [(f'param_{p}', str(rnd.random()), rid) for p in range(20)])
    con.executemany('INSERT INTO tags(key, value, run_uuid) VALUES (?,?,?)', [('mlflow.runName', f'run-{i}', rid), ('mlflow.user', 'bench', rid), ('team', 'vision', rid)])
    con.executemany('INSERT INTO latest_metrics(key, value, timestamp, step, is_nan, run_uuid) VALUES (?,?,?,?,?,?)',
                    [(k, 1.0 / (steps + n), t0 + i * 60_000 + (steps - 1) * 10, steps - 1, 0, rid) for n, k in enumerate(keys)])
# Metrics in primary-key order (key, timestamp, step, run_uuid, ...): runs start a minute
# apart and log every 10 ms, so generation order is timestamp order and the table's own
# index only appends.
for n, k in enumerate(keys):
    rows = []
    for i, rid in enumerate(ids):
        base = t0 + i * 60_000
        rows.extend((k, 1.0 / (s + 1 + n), base + s * 10, rid, s, 0) for s in range(steps))
    con.executemany('INSERT INTO metrics(key, value, timestamp, run_uuid, step, is_nan) VALUES (?,?,?,?,?,?)', rows)
for sql in idx:
    con.execute(sql)
con.execute('COMMIT')
con.close()
`;

if (!existsSync(db)) {
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  console.log(`writing ${runs} runs × 20 params × 10 metrics × ${steps} steps into ${dir} (once; a few minutes) ...`);
  const t = Date.now();
  execFileSync(python, ['-c', generate, join(tmp, 'mlflow.db'), String(runs), String(steps)], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  console.log(`  written in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}
const size = statSync(db).size;
if (process.env.BENCH_MLFLOW_GENERATE_ONLY === '1') process.exit(0);

// Ours in a fresh node process each time, dist/core.js loaded the way the extension host
// loads it (require: an ESM import of this CommonJS bundle would first scan its source for
// exports, and that scan's JIT work would still run during the timed listing). Each side
// runs 3 times, in turns, and the medians are compared: one run on a busy 2-core machine
// says more about the machine than about the reader.
const oursScript = `const core = require(${JSON.stringify(join(root, 'dist', 'core.js'))});
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
new core.MlflowSqliteSource(${JSON.stringify(db)}, { wasmPath: ${JSON.stringify(join(root, 'dist', 'sql-wasm.wasm'))} }).list().then((l) => {
  const ms = performance.now() - t0;
  const params = l.runs.reduce((n, r) => n + Object.keys(r.params).length, 0);
  const metrics = l.runs.reduce((n, r) => n + Object.keys(r.metrics).length, 0);
  console.log(JSON.stringify({ ms, runs: l.runs.length, params, metrics, rssMb: (process.memoryUsage().rss - rss0) / 1048576 }));
}, (err) => console.log(JSON.stringify({ error: String(err?.message ?? err).split('\\n')[0] })));`;
// The way the extension lists it: an extension host (this process) asks the run-store
// worker (dist/lazy/runsWorker.js, started by dist/lazy/runsLib.js) and gets the listing
// back by structured clone. Timed, each in a new process, under the extension host's Node
// (bench/lib/hostNode.mjs), with an empty global storage folder of its own:
// - the first listing, what a user waits for when a window opens on the project for the
//   first time (or after the file changed): from the Runs view requiring runsLib (its
//   first listing does) to the listing in this thread, the worker's start and its code
//   running cold included;
// - refreshes of an unchanged file (a file event or Refresh with nothing written: the worker
//   checks the file's change stamp and answers a token, the host reuses its listing);
// - refreshes after a write that changes nothing listed: the sqlite3 CLI commits a no-op
//   UPDATE (the change counter moves, the answer stays), then the listing is read again in
//   the warm worker (its tables' pages compared with the ones it decoded last time);
// - refreshes after a training step's write: one run's latest metric moves (its step + 1,
//   then back), so latest_metrics is decoded again and that run crosses to the host.
// The host's V8 heap is measured against a collected baseline while it holds the listing,
// before any further collection: what listing the 2.3 GB file costs the extension host
// (issue 21: ≤ 50 MB).
const hostScript = (/** @type {string} */ dist, /** @type {string} */ storage) => `const { execFileSync } = require('node:child_process');
const db = ${JSON.stringify(db)};
(async () => {
  globalThis.gc();
  const m0 = process.memoryUsage();
  let t = performance.now();
  const lib = require(${JSON.stringify(join(dist, 'lazy', 'runsLib.js'))});
  const source = lib.createRunSource('mlflow-sqlite', db, { wasmPath: ${JSON.stringify(join(dist, 'sql-wasm.wasm'))}, cacheDir: ${JSON.stringify(storage)} });
  const first = await source.list();
  const firstMs = performance.now() - t;
  const m1 = process.memoryUsage();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const unchanged = [];
  const written = [];
  const stepped = [];
  let same = true;
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    const again = await source.list();
    unchanged.push(performance.now() - t);
    same &&= again.runs.length === first.runs.length;
  }
  const m2 = process.memoryUsage();
  let last = first;
  for (let i = 0; i < 5; i++) {
    execFileSync('sqlite3', [db, 'UPDATE experiments SET name = name WHERE experiment_id = (SELECT min(experiment_id) FROM experiments)']);
    t = performance.now();
    last = await source.list();
    written.push(performance.now() - t);
  }
  const run = first.runs[0];
  const key = Object.keys(run.metrics)[0];
  const step0 = run.metrics[key].step;
  const where = \`WHERE run_uuid = '\${run.id}' AND key = '\${key}'\`;
  for (let i = 0; i < 6; i++) {
    const up = i % 2 === 0;
    execFileSync('sqlite3', [db, \`UPDATE latest_metrics SET step = step \${up ? '+' : '-'} 1 \${where}\`]);
    t = performance.now();
    last = await source.list();
    stepped.push(performance.now() - t);
    same &&= last.runs.find((r) => r.id === run.id).metrics[key].step === step0 + (up ? 1 : 0);
  }
  same &&= JSON.stringify(last.runs) === JSON.stringify(first.runs);
  lib.disposeRunsWorker();
  const mb = (n) => n / 1048576;
  console.log(JSON.stringify({ firstMs, unchangedMs: median(unchanged), writtenMs: median(written), steppedMs: median(stepped), runs: first.runs.length, same,
    heapMb: mb(Math.max(m1.heapUsed, m2.heapUsed) - m0.heapUsed), rssMb: mb(Math.max(m1.rss, m2.rss) - m0.rss) }));
})().catch((err) => console.log(JSON.stringify({ error: String(err?.message ?? err).split('\\n')[0] })));`;
// A window opened again on the project, mlflow.db unchanged since the last window closed:
// the last window's worker saved its listing in global storage with the file's change
// stamp (sqliteListingSnapshot.ts). \`prime\` is that last window (it waits until the listing
// is saved); \`reopen\` times the next one from requiring runsLib, then checks that it
// answered without the worker and that a worker's listing of the file is the same.
const reopenScript = (/** @type {string} */ dist, /** @type {string} */ storage, /** @type {boolean} */ prime) => `const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const db = ${JSON.stringify(db)};
const storage = ${JSON.stringify(storage)};
(async () => {
  const t = performance.now();
  const lib = require(${JSON.stringify(join(dist, 'lazy', 'runsLib.js'))});
  const options = { wasmPath: ${JSON.stringify(join(dist, 'sql-wasm.wasm'))}, cacheDir: storage };
  const source = lib.createRunSource('mlflow-sqlite', db, options);
  const listing = await source.list();
  const ms = performance.now() - t;
  if (${prime}) {
    const dir = join(storage, 'mlflow-listings');
    for (let i = 0; i < 400 && !(existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.bin'))); i++) await new Promise((r) => setTimeout(r, 25));
    lib.disposeRunsWorker();
    return;
  }
  // The source holds the saved-listing gate (SavedListingGate) and never started the worker: the listing came from the saved one.
  const fromSaved = source.saved !== undefined && !(source.worker && source.worker.running) && source.worker.starts === 0;
  const fresh = lib.createRunSource('mlflow-sqlite', db, { wasmPath: options.wasmPath });
  const read = await fresh.list();
  lib.disposeRunsWorker();
  console.log(JSON.stringify({ ms, runs: listing.runs.length, fromSaved, same: JSON.stringify(listing.runs) === JSON.stringify(read.runs) }));
})().catch((err) => console.log(JSON.stringify({ error: String(err?.message ?? err).split('\\n')[0] })));`;
// split() gives at least one line, so the `?? ''` never applies.
const lastLine = (/** @type {string} */ text) => text.trim().split('\n').pop() ?? '';
const node = hostNode();
const oursOnce = () => JSON.parse(lastLine(execFileSync(node.path, ['-e', oursScript], { encoding: 'utf8', maxBuffer: 1 << 26 })));
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// BENCH_MLFLOW_BASE=<folder with a dist/ of another build>: that build is timed beside this
// one, in turns, on the same file (before/after figures on one run of the machine).
const base = process.env.BENCH_MLFLOW_BASE;
/** A new empty global storage folder: no listing saved by an earlier window. */
const storage = () => mkdtempSync(join(tmpdir(), 'mlops-bench-storage-'));
const runNode = (/** @type {string[]} */ args) => JSON.parse(lastLine(execFileSync(node.path, args, { encoding: 'utf8', maxBuffer: 1 << 26 })));
const hostOnce = (dist = join(root, 'dist')) => {
  const dir = storage();
  try {
    return runNode(['--expose-gc', '-e', hostScript(dist, dir)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
/**
 * A window opened again: first on an unchanged mlflow.db (the listing the last window saved),
 * then, in the same global storage without that listing, on one that changed (the cold
 * listing with the compile cache the last window's worker left: later windows' COLD figure).
 */
const reopenOnce = (dist = join(root, 'dist')) => {
  const dir = storage();
  try {
    execFileSync(node.path, ['-e', reopenScript(dist, dir, true)], { encoding: 'utf8' });
    const reopen = runNode(['-e', reopenScript(dist, dir, false)]);
    rmSync(join(dir, 'mlflow-listings'), { recursive: true, force: true });
    const later = runNode(['--expose-gc', '-e', hostScript(dist, dir)]);
    return { reopen, later, compileCache: existsSync(join(dir, 'compile-cache')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const script = `
import logging, sys, time
logging.disable(logging.WARNING)
t0 = time.perf_counter()
import mlflow
t1 = time.perf_counter()
mlflow.set_tracking_uri('sqlite:///' + sys.argv[1])
df = mlflow.search_runs(search_all_experiments=True, max_results=100000)
t2 = time.perf_counter()
print((t2 - t1) * 1000, (t1 - t0) * 1000, len(df), len(df.columns))
`;
const theirsOnce = () => lastLine(execFileSync(python, ['-c', script, db], { encoding: 'utf8', maxBuffer: 1 << 26 })).split(/\s+/).map(Number);
// The near-limit for this work (issue 21): the sqlite3 CLI running the SELECTs a listing
// needs (experiments, runs, params, tags, latest metrics) on the same file, its whole
// process timed from here (sqlite3 starts in about a millisecond).
const selects = [
  'SELECT experiment_id, name, lifecycle_stage FROM experiments;',
  'SELECT run_uuid, name, status, start_time, end_time, experiment_id, lifecycle_stage, user_id FROM runs;',
  'SELECT key, value, run_uuid FROM params;',
  'SELECT key, value, run_uuid FROM tags;',
  'SELECT key, value, timestamp, step, is_nan, run_uuid FROM latest_metrics;',
].join(' ');
const sqliteOnce = () => {
  const t = performance.now();
  execFileSync('sqlite3', ['-readonly', '-batch', db, selects], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return performance.now() - t;
};
let sqliteMs = NaN;
try {
  sqliteOnce();
  sqliteMs = median([sqliteOnce(), sqliteOnce(), sqliteOnce()]);
  console.log(`sqlite3 CLI, the listing's SELECTs: ${sqliteMs.toFixed(0)} ms`);
} catch (err) {
  console.log(`sqlite3 CLI not run (${String(err?.message ?? err).split('\n')[0]}); apt install sqlite3`);
}
const oursRuns = [];
const theirRuns3 = [];
const hostRuns = [];
const reopenRuns = [];
/** @type {any[]} */
const baseRuns = [];
const load = [readFileSync('/proc/loadavg', 'utf8').split(' ')[0]];
for (let i = 0; i < 3; i++) {
  oursRuns.push(oursOnce());
  if (oursRuns[i].error) break;
  theirRuns3.push(theirsOnce());
  hostRuns.push(hostOnce());
  reopenRuns.push(reopenOnce());
  if (base) baseRuns.push(hostOnce(join(base, 'dist')));
}
load.push(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const oursError = oursRuns.find((r) => r.error)?.error ?? '';
const ours = oursRuns[0];
const oursMs = median(oursRuns.map((r) => r.ms));
const rssMb = ours.rssMb ?? 0;
if (!theirRuns3.length) theirRuns3.push(theirsOnce());
const theirMs = median(theirRuns3.map((r) => r[0]));
const [, importMs, theirRuns, columns] = theirRuns3[0];
const label = `mlflow.db ${runs} runs × 20 params × 10 metrics × ${steps} steps (${(size / 1048576).toFixed(0)} MB)`;
console.log(`mlflow.search_runs ${theirMs.toFixed(0)} ms (runs: ${theirRuns3.map((r) => r[0].toFixed(0)).join(', ')}; + ${importMs.toFixed(0)} ms to import mlflow), ${theirRuns} runs, ${columns} columns`);
if (oursError) {
  console.log(`ours failed: ${oursError} (RSS grew ${rssMb.toFixed(0)} MB)`);
  result(label, `ours FAILED (${oursError}) vs mlflow.search_runs ${(theirMs / 1000).toFixed(2)} s`, [faster(0, 40, 'vs mlflow.search_runs')]);
  process.exit(1);
}
console.log(`the page reader alone ${oursMs.toFixed(0)} ms (runs: ${oursRuns.map((r) => r.ms.toFixed(0)).join(', ')}), ${ours.runs} runs, ${ours.params} params, ${ours.metrics} latest metrics, RSS +${rssMb.toFixed(0)} MB`);
result(
  `${label}, the page reader alone, cold (new process, dist/core.js loaded, no worker)`,
  `ours ${(oursMs / 1000).toFixed(3)} s vs mlflow.search_runs ${(theirMs / 1000).toFixed(2)} s vs the sqlite3 CLI ${(sqliteMs / 1000).toFixed(3)} s (medians of 3 runs each, each in a new process; RSS +${rssMb.toFixed(0)} MB)`,
  // Issue 21: ≥ 40× mlflow, and within 1.5× of the sqlite3 CLI.
  [
    faster(theirMs / oursMs, 40, 'vs mlflow.search_runs'),
    ...(Number.isNaN(sqliteMs) ? [] : [atMost('vs the sqlite3 CLI', oursMs / sqliteMs, 1.5, '×')]),
    sameAnswer(ours.runs === theirRuns),
  ],
);

// Through the run-store worker, as the extension does it.
const hostError = hostRuns.find((r) => r.error)?.error;
if (hostError || !hostRuns.length) {
  notMeasured(`${label}, through the run-store worker`, hostError ?? 'not run');
  process.exit(1);
}
const med = (/** @type {any[]} */ rs, /** @type {string} */ k) => median(rs.map((r) => r[k]));
const firstMs = med(hostRuns, 'firstMs');
const unchangedMs = med(hostRuns, 'unchangedMs');
const writtenMs = med(hostRuns, 'writtenMs');
const steppedMs = med(hostRuns, 'steppedMs');
const heapMb = Math.max(...hostRuns.map((r) => r.heapMb));
const hostRssMb = Math.max(...hostRuns.map((r) => r.rssMb));
const hostSame = hostRuns.every((r) => r.runs === theirRuns && r.same);
console.log(`through the worker (load ${load.join(' → ')}): first listing ${firstMs.toFixed(0)} ms (runsLib required and the worker started: the cold figure), refresh of an unchanged file ${unchangedMs.toFixed(2)} ms, refresh after a write ${writtenMs.toFixed(1)} ms, after a training step's write ${steppedMs.toFixed(1)} ms (first/unchanged/written/stepped per process: ${hostRuns.map((r) => `${r.firstMs.toFixed(0)}/${r.unchangedMs.toFixed(1)}/${r.writtenMs.toFixed(1)}/${r.steppedMs.toFixed(1)}`).join(', ')}); ${node.what} ${node.version}; host heap +${heapMb.toFixed(1)} MB, process RSS (host + worker) +${hostRssMb.toFixed(0)} MB`);
if (base) {
  const bad = baseRuns.find((r) => r.error);
  if (bad) console.log(`base build ${base}: ${bad.error}`);
  else console.log(`base build ${base}, in turns with this one: first listing ${med(baseRuns, 'firstMs').toFixed(0)} ms, refresh of an unchanged file ${med(baseRuns, 'unchangedMs').toFixed(1)} ms, refresh after a write ${med(baseRuns, 'writtenMs').toFixed(0)} ms (per process: ${baseRuns.map((r) => `${r.firstMs.toFixed(0)}/${r.unchangedMs.toFixed(1)}/${r.writtenMs.toFixed(0)}`).join(', ')})`);
}
const vs = (/** @type {number} */ ms) => [faster(theirMs / ms, 40, 'vs mlflow.search_runs'), ...(Number.isNaN(sqliteMs) ? [] : [atMost('vs the sqlite3 CLI', ms / sqliteMs, 1.5, '×')]), sameAnswer(hostSame)];
result(
  `${label}, COLD in the first window: first listing at window open, nothing saved by an earlier window, no compile cache (new process, runsLib + worker start + listing; ${node.what} ${node.version})`,
  `${(firstMs / 1000).toFixed(3)} s vs mlflow.search_runs ${(theirMs / 1000).toFixed(2)} s vs the sqlite3 CLI ${(sqliteMs / 1000).toFixed(3)} s (medians of 3 processes; load ${load.join(' → ')})`,
  vs(firstMs),
);
result(
  `${label}, REFRESH, file unchanged (change stamp checked, the listing reused)`,
  `${(unchangedMs / 1000).toFixed(4)} s (median of 5 refreshes, median over 3 processes) vs mlflow.search_runs ${(theirMs / 1000).toFixed(2)} s vs the sqlite3 CLI ${(sqliteMs / 1000).toFixed(3)} s`,
  vs(unchangedMs),
);
result(
  `${label}, REFRESH after a write that changes nothing listed (sqlite3 commits a no-op UPDATE; the warm worker reads the listed tables' pages again and compares them with the ones it decoded; none changed, so no table is decoded and no run crosses to the host)`,
  `${(writtenMs / 1000).toFixed(4)} s (median of 5, median over 3 processes) vs mlflow.search_runs ${(theirMs / 1000).toFixed(2)} s vs the sqlite3 CLI ${(sqliteMs / 1000).toFixed(3)} s`,
  vs(writtenMs),
);
result(
  `${label}, REFRESH after a training step's write (one run's latest metric moves: latest_metrics decoded again, the other tables reused, that run crosses to the host)`,
  `${(steppedMs / 1000).toFixed(4)} s (median of 6, median over 3 processes) vs mlflow.search_runs ${(theirMs / 1000).toFixed(2)} s vs the sqlite3 CLI ${(sqliteMs / 1000).toFixed(3)} s`,
  vs(steppedMs),
);
const laterRuns = reopenRuns.map((r) => r.later);
const laterError = laterRuns.find((r) => r.error)?.error;
if (laterError) notMeasured(`${label}, COLD in a later window`, laterError);
else {
  const laterMs = med(laterRuns, 'firstMs');
  console.log(`later windows, mlflow.db changed since the last one (compile cache ${reopenRuns.every((r) => r.compileCache) ? 'present' : 'NOT written'}): first listing ${laterMs.toFixed(0)} ms (per process: ${laterRuns.map((r) => r.firstMs.toFixed(0)).join(', ')})`);
  result(
    `${label}, COLD in a later window: mlflow.db changed since the last window (runsLib + worker start with the compile cache the last window's worker left + listing; ${node.what} ${node.version})`,
    `${(laterMs / 1000).toFixed(3)} s vs mlflow.search_runs ${(theirMs / 1000).toFixed(2)} s vs the sqlite3 CLI ${(sqliteMs / 1000).toFixed(3)} s (medians of 3 processes)`,
    [faster(theirMs / laterMs, 40, 'vs mlflow.search_runs'), ...(Number.isNaN(sqliteMs) ? [] : [atMost('vs the sqlite3 CLI', laterMs / sqliteMs, 1.5, '×')]), sameAnswer(laterRuns.every((r) => r.runs === theirRuns && r.same))],
  );
}
const reopens = reopenRuns.map((r) => r.reopen);
const reopenError = reopens.find((r) => r.error)?.error;
if (reopenError || !reopens.length) notMeasured(`${label}, window open with mlflow.db unchanged since the last window`, reopenError ?? 'not run');
else {
  const reopenMs = med(reopens, 'ms');
  console.log(`window open, mlflow.db unchanged since the last window: ${reopenMs.toFixed(1)} ms (per process: ${reopens.map((r) => r.ms.toFixed(1)).join(', ')}); answered from the saved listing without the worker: ${reopens.map((r) => r.fromSaved).join(', ')}`);
  result(
    `${label}, window open with mlflow.db unchanged since the last window (the listing that window saved, checked against the file's change stamp; no worker started, no page read; ${node.what} ${node.version})`,
    `${(reopenMs / 1000).toFixed(4)} s (median of 3 processes) vs mlflow.search_runs ${(theirMs / 1000).toFixed(2)} s vs the sqlite3 CLI ${(sqliteMs / 1000).toFixed(3)} s`,
    [
      faster(theirMs / reopenMs, 40, 'vs mlflow.search_runs'),
      ...(Number.isNaN(sqliteMs) ? [] : [atMost('vs the sqlite3 CLI', reopenMs / sqliteMs, 1.5, '×')]),
      sameAnswer(reopens.every((r) => r.runs === theirRuns && r.same && r.fromSaved)),
    ],
  );
}
// Issue 21: extension-host heap growth ≤ 50 MB. RSS is the whole process, the worker's heap included.
result(
  `${label}, extension-host heap while listing`,
  `host V8 heap +${heapMb.toFixed(1)} MB holding the listing (worst of 3 processes, 6 listings each); process RSS +${hostRssMb.toFixed(0)} MB with the worker`,
  [atMost('host heap growth', heapMb, 50, ' MB')],
);
