// 200 registered models × 25 versions (tags on each, two aliases per model): our listing of the
// registry from `mlflow.db` (dist/core.js, readSqliteRegistry) vs MlflowClient's
// search_registered_models + search_model_versions on the same file, and then both against
// `mlflow server` on that file, started as a user starts it (no --workers: MLflow 3's default,
// uvicorn with 4 workers; the bench prints what the server runs): our REST reader (the
// versions searched in version ranges at once) vs the MLflow client, and ours with one
// versions search in the same turns. Beside them, the server alone: the versions' search in
// one request (the client's floor) and in our ranges at once, on the wire, and what each costs
// the server in CPU (the wall floor where it has idle cores). Each side is timed inside its own
// process (BENCH_MODELS_RUNS, default 5, alternating, medians), the load printed beside it.
// Beside the cold line: a window opened again on the unchanged mlflow.db (the listing the
// last window's worker saved in global storage, sqliteListingSnapshot.ts kind 'models'), as
// the extension lists it (dist/lazy/modelsLib.js, under the extension host's Node).
// MLflow creates the empty database (its schema and migrations); the rows go in with plain
// SQL. Cached in ~/.cache/mlops-workbench.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { hostNode } from './lib/hostNode.mjs';
import { startMlflowServer } from './lib/mlflowServer.mjs';
import { faster, notMeasured, result, sameAnswer } from './lib/verdict.mjs';

const VERSION = 1;
const MODELS = 200;
const VERSIONS = 25;
const GOAL_DB = 20;
const GOAL_REST = 3;
const RUNS = Number(process.env.BENCH_MODELS_RUNS ?? 5);
const python = join(root, '.venv-peers', 'bin', 'python');
const mlflowBin = join(root, '.venv-peers', 'bin', 'mlflow');
if (!existsSync(python)) {
  notMeasured('models', `${python} missing; run bash scripts/setup/peers.sh`);
  process.exit(1);
}
const dir = join(homedir(), '.cache', 'mlops-workbench', `models-bench-v${VERSION}-${MODELS}x${VERSIONS}`);
const db = join(dir, 'mlflow.db');
const env = { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' };

const generate = `
import logging, sqlite3, sys
logging.disable(logging.WARNING)
import mlflow
db, models, versions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = mlflow.MlflowClient(tracking_uri='sqlite:///' + db)
c.create_experiment('bench')
c.search_registered_models()  # the registry's tables exist now
del c
con = sqlite3.connect(db, isolation_level=None)
con.execute('BEGIN')
t0 = 1_700_000_000_000
for m in range(models):
    name = f'model-{m:03d}'
    con.execute("INSERT INTO registered_models(name, creation_time, last_updated_time, description) VALUES (?,?,?,?)", (name, t0 + m, t0 + m, f'model number {m}'))
    con.execute("INSERT INTO registered_model_tags(key, value, name) VALUES (?,?,?)", ('team', 'vision', name))
    for v in range(1, versions + 1):
        run = f'{m:016x}{v:016x}'
        con.execute("INSERT INTO model_versions(name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (name, v, t0 + v * 1000, t0 + v * 1000, '', None, 'None', f'models:/m-{run}', run, 'READY', None, '', f'/tmp/bench/{run}'))
        con.execute("INSERT INTO model_version_tags(key, value, name, version) VALUES (?,?,?,?)", ('validated', 'yes' if v % 2 else 'no', name, v))
    con.execute("INSERT INTO registered_model_aliases(alias, version, name) VALUES (?,?,?)", ('champion', versions, name))
    con.execute("INSERT INTO registered_model_aliases(alias, version, name) VALUES (?,?,?)", ('challenger', versions - 1, name))
con.execute('COMMIT')
`;

if (!existsSync(db)) {
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  console.log(`writing ${MODELS} models × ${VERSIONS} versions into ${dir} (once) ...`);
  execFileSync(python, ['-c', generate, join(tmp, 'mlflow.db'), String(MODELS), String(VERSIONS)], { stdio: 'inherit', env, cwd: tmp });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

const core = JSON.stringify(join(root, 'dist', 'core.js'));
// The answer's digest, computed after the clock stops, the same way on both sides: every
// model (description, tags, aliases) and every version (run, source, status, tags), sorted.
const digestOf = `(l) => {
  const kv = (o) => Object.keys(o).sort().map((k) => k + '=' + o[k]).join(';');
  const lines = [];
  for (const m of l.models) {
    lines.push(['M', m.name, m.description, kv(m.tags), kv(m.aliases)].join('\\t'));
    for (const v of m.versions) lines.push(['V', v.name, v.version, v.runId ?? '', v.source, v.status, kv(v.tags)].join('\\t'));
  }
  lines.sort();
  const digest = require('node:crypto').createHash('sha256').update(lines.join('\\n')).digest('hex').slice(0, 16);
  return { models: l.models.length, versions: l.models.reduce((n, m) => n + m.versions.length, 0), aliases: l.models.reduce((n, m) => n + Object.keys(m.aliases).length, 0), digest };
}`;
const count = `(l) => { const ms = performance.now() - t0; console.log(JSON.stringify({ ms, ...(${digestOf})(l) })); }`;
const oursDb = `const core = require(${core}); const t0 = performance.now(); core.readSqliteRegistry(${JSON.stringify(db)}).then(${count});`;
const oursRest = (/** @type {string} */ url, options = {}) =>
  `const core = require(${core}); const t0 = performance.now(); core.readRestRegistry(new core.MlflowRestClient(${JSON.stringify(url)}), ${JSON.stringify(options)}).then(${count});`;
const theirs = `
import logging, sys, time
logging.disable(logging.WARNING)
import mlflow
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
t0 = time.perf_counter()
models, versions, token = [], [], None
while True:
    page = c.search_registered_models(max_results=1000, page_token=token)
    models.extend(page); token = page.token
    if not token: break
while True:
    page = c.search_model_versions(max_results=1000, page_token=token)
    versions.extend(page); token = page.token
    if not token: break
ms = (time.perf_counter() - t0) * 1000
import hashlib
kv = lambda d: ';'.join(f'{k}={d[k]}' for k in sorted(d))
lines = [ '\\t'.join(['M', m.name, m.description or '', kv(m.tags), kv({a: str(v) for a, v in m.aliases.items()})]) for m in models ]
lines += [ '\\t'.join(['V', v.name, str(v.version), v.run_id or '', v.source or '', str(v.status or ''), kv(v.tags)]) for v in versions ]
lines.sort()
digest = hashlib.sha256('\\n'.join(lines).encode()).hexdigest()[:16]
print(ms, len(models), len(versions), sum(len(m.aliases) for m in models), digest)
`;
// The versions' search alone, the answers read whole and parsed: in one request (what the
// MLflow client waits for at the least), or in version ranges at once as our reader asks.
const serverAlone = (/** @type {string} */ url, /** @type {(string | undefined)[]} */ filters) =>
  `const t0 = performance.now(); Promise.all(${JSON.stringify(filters)}.map((f) => fetch(${JSON.stringify(url)} + '/api/2.0/mlflow/model-versions/search?max_results=10000' + (f ? '&filter=' + encodeURIComponent(f) : '')).then((r) => r.json()))).then((js) => console.log(JSON.stringify({ ms: performance.now() - t0, versions: js.reduce((n, j) => n + j.model_versions.length, 0) })));`;

const load = () => loadavg()[0].toFixed(1);
const lastLine = (/** @type {string} */ text) => text.trim().split('\n').pop() ?? '';
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours = (/** @type {string} */ script) => JSON.parse(lastLine(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 1 << 26 })));
const mlflowSide = (/** @type {string} */ uri) => {
  const [ms, models, versions, aliases, digest] = lastLine(execFileSync(python, ['-c', theirs, uri], { encoding: 'utf8', env, maxBuffer: 1 << 26 })).split(/\s+/);
  return { ms: Number(ms), models: Number(models), versions: Number(versions), aliases: Number(aliases), digest };
};

/**
 * @typedef {{ms: number, models: number, versions: number, aliases: number, digest: string}} Side
 * @param {string} label @param {() => Side} a @param {() => Side} b @param {string} peer @param {number} goal
 * @param {{ label: string, run: () => Side }} [also] another of ours, timed in the same turns (for the figures beside the verdict)
 */
function compare(label, a, b, peer, goal, also) {
  /** @type {Side[]} */
  const as = [];
  const bs = [];
  const cs = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(a());
    bs.push(b());
    if (also) cs.push(also.run());
  }
  if (also) console.log(`${also.label} ${median(cs.map((r) => r.ms)).toFixed(0)} ms (${cs.map((r) => r.ms.toFixed(0)).join(', ')}), same answer: ${cs.every((r) => r.digest === as[0].digest)}`);
  const oursMs = median(as.map((r) => r.ms));
  const theirMs = median(bs.map((r) => r.ms));
  const o = as[0];
  const t = bs[0];
  console.log(`ours ${oursMs.toFixed(0)} ms (${as.map((r) => r.ms.toFixed(0)).join(', ')}): ${o.models} models, ${o.versions} versions, ${o.aliases} aliases, digest ${o.digest}`);
  console.log(`${peer} ${theirMs.toFixed(0)} ms (${bs.map((r) => r.ms.toFixed(0)).join(', ')}): ${t.models} models, ${t.versions} versions, ${t.aliases} aliases, digest ${t.digest}`);
  const ratio = theirMs / oursMs;
  const same = o.models === t.models && o.versions === t.versions && o.aliases === t.aliases && as.every((r) => r.digest === t.digest) && bs.every((r) => r.digest === t.digest);
  result(label, `ours ${oursMs.toFixed(0)} ms vs ${peer} ${theirMs.toFixed(0)} ms (medians of ${RUNS}, each in a new process)`, [faster(ratio, goal, `vs ${peer}`), sameAnswer(same)]);
  /** The peer's answer and median, for the lines measured beside this one. */
  return { ...t, ms: theirMs };
}

const clientDb = compare(`models: ${MODELS} registered models × ${VERSIONS} versions from mlflow.db (load ${load()})`, () => ours(oursDb), () => mlflowSide(`sqlite:///${db}`), 'MlflowClient search_registered_models + search_model_versions', GOAL_DB);

// A window opened again on the project, mlflow.db unchanged since the last window closed.
// \`prime\` is that last window: it lists through modelsLib with the global storage and waits
// until its worker saved the listing. \`reopen\` times the next window from requiring
// modelsLib to the listing, then checks that no worker started and that the answer equals a
// fresh listing of the file by the worker (no global storage) and MlflowClient's digest.
// Then, the saved listing removed (the file changed), a later window's cold listing through
// the worker with the compile cache the earlier ones left.
const lib = JSON.stringify(join(root, 'dist', 'lazy', 'modelsLib.js'));
const wasm = JSON.stringify(join(root, 'dist', 'sql-wasm.wasm'));
const windowScript = (/** @type {string} */ storage, /** @type {'prime' | 'reopen' | 'cold'} */ what) => `const { existsSync, readdirSync } = require('node:fs');
const storage = ${JSON.stringify(storage)};
const digest = ${digestOf};
(async () => {
  const t0 = performance.now();
  const lib = require(${lib});
  const listing = await lib.readRegistry('mlflow-sqlite', ${JSON.stringify(db)}, { wasmPath: ${wasm}, cacheDir: storage });
  const ms = performance.now() - t0;
  const starts = lib.modelsWorkerStarts();
  if (${JSON.stringify(what)} === 'prime') {
    const dir = require('node:path').join(storage, 'mlflow-registries');
    for (let i = 0; i < 400 && !(existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.bin'))); i++) await new Promise((r) => setTimeout(r, 25));
  }
  lib.disposeModelsWorker();
  const fresh = ${JSON.stringify(what)} === 'reopen' ? await lib.readRegistry('mlflow-sqlite', ${JSON.stringify(db)}, { wasmPath: ${wasm} }) : listing;
  lib.disposeModelsWorker();
  console.log(JSON.stringify({ ms, starts, ...digest(listing), same: JSON.stringify(listing.models) === JSON.stringify(fresh.models) && JSON.stringify(listing.loggedModels) === JSON.stringify(fresh.loggedModels) }));
})().catch((err) => console.log(JSON.stringify({ error: String(err?.message ?? err).split('\\n')[0] })));`;
const node = hostNode();
const inWindow = (/** @type {string} */ storage, /** @type {'prime' | 'reopen' | 'cold'} */ what) => JSON.parse(lastLine(execFileSync(node.path, ['-e', windowScript(storage, what)], { encoding: 'utf8', maxBuffer: 1 << 26 })));
const reopens = [];
const colds = [];
const windowLoad = [load()];
for (let i = 0; i < RUNS; i++) {
  const storage = mkdtempSync(join(tmpdir(), 'mlops-bench-storage-'));
  try {
    inWindow(storage, 'prime');
    reopens.push(inWindow(storage, 'reopen'));
    rmSync(join(storage, 'mlflow-registries'), { recursive: true, force: true });
    colds.push(inWindow(storage, 'cold'));
  } finally {
    rmSync(storage, { recursive: true, force: true });
  }
}
windowLoad.push(load());
const bad = [...reopens, ...colds].find((r) => r.error);
if (bad) {
  notMeasured(`models: ${MODELS} × ${VERSIONS} from mlflow.db, window open on an unchanged file`, bad.error);
} else {
  const reopenMs = median(reopens.map((r) => r.ms));
  const coldMs = median(colds.map((r) => r.ms));
  console.log(`through modelsLib (${node.what} ${node.version}, load ${windowLoad.join(' → ')}): window open on the unchanged file ${reopenMs.toFixed(1)} ms (${reopens.map((r) => r.ms.toFixed(1)).join(', ')}; worker starts ${reopens.map((r) => r.starts).join(', ')}); a later window after the file changed (saved listing gone, compile cache warm), worker start + listing ${coldMs.toFixed(0)} ms (${colds.map((r) => r.ms.toFixed(0)).join(', ')})`);
  const same = reopens.every((r) => r.starts === 0 && r.same && r.digest === clientDb.digest && r.models === clientDb.models && r.versions === clientDb.versions) && colds.every((r) => r.digest === clientDb.digest);
  result(
    `models: ${MODELS} × ${VERSIONS} from mlflow.db, window open, mlflow.db unchanged since the last window (load ${windowLoad.join(' → ')})`,
    `ours ${reopenMs.toFixed(1)} ms (the last window's saved listing, no worker) vs MlflowClient ${clientDb.ms.toFixed(0)} ms (medians of ${RUNS}, each in a new process)`,
    [faster(clientDb.ms / reopenMs, GOAL_DB, 'vs MlflowClient search_registered_models + search_model_versions'), sameAnswer(same)],
  );
}

if (process.env.BENCH_MODELS_REST === '0') process.exit(0);
// MLflow's defaults (no --workers: uvicorn with 4 workers), as a user starts it: this bench
// measures what a listing costs against such a server, and our reader splits the versions
// search over its workers (the other server benches serve with one worker).
const server = await startMlflowServer({ mlflow: mlflowBin, backendStoreUri: `sqlite:///${db}`, args: [], log: join(dir, 'server.log'), cwd: dir, env });
const url = server.url;
try {
  console.log(`mlflow server: ${server.serving()} (no --workers given: MLflow's default)`);
  // Warm-ups: the server's first request imports and connects (in each worker).
  for (let i = 0; i < 4; i++) ours(oursRest(url));
  const floor = (/** @type {(string | undefined)[]} */ filters) => {
    const ms = [];
    for (let i = 0; i < RUNS; i++) ms.push(ours(serverAlone(url, filters)).ms);
    return `${median(ms).toFixed(0)} ms (median; ${ms.map((x) => x.toFixed(0)).join(', ')})`;
  };
  // The ranges our reader asks of this registry, from the first page of models as it sees it.
  const coreLib = createRequire(import.meta.url)(join(root, 'dist', 'core.js'));
  const first = await (await fetch(`${url}/api/2.0/mlflow/registered-models/search?max_results=1000`)).json();
  const ranges = coreLib.versionRangeFilters(coreLib.versionCuts(first.registered_models));
  console.log(`the server alone, model-versions/search of all ${MODELS * VERSIONS} versions: in one request ${floor([undefined])}, the MLflow client's floor; in ${ranges.length} ranges at once ${floor(ranges)}, ours (load ${load()})`);
  // What each costs the server in CPU, one request at a time (medians of 3): the wall floor
  // where it has as many idle cores as requests, whatever this machine's load.
  const cpuOf = (/** @type {string | undefined} */ filter) => {
    const ms = [];
    for (let i = 0; i < 3; i++) {
      const c0 = server.cpuMs();
      ours(serverAlone(url, [filter]));
      ms.push(server.cpuMs() - c0);
    }
    return median(ms);
  };
  const rangeCpu = /** @type {number[]} */ (ranges.map(cpuOf));
  console.log(`server CPU: the one request ${cpuOf(undefined)} ms; the ${ranges.length} ranges ${rangeCpu.join(' + ')} = ${rangeCpu.reduce((/** @type {number} */ a, /** @type {number} */ b) => a + b, 0)} ms (with idle cores, the longest range bounds the wall: ${Math.max(...rangeCpu)} ms)`);
  compare(`models: ${MODELS} × ${VERSIONS} over REST from mlflow server (load ${load()})`, () => ours(oursRest(url)), () => mlflowSide(url), 'MlflowClient against the same server', GOAL_REST, {
    label: 'ours with one versions search (no ranges)',
    run: () => ours(oursRest(url, { versionParts: 1 })),
  });
} finally {
  server.stop();
}
