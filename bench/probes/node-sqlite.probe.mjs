// Probe (issue 21, not part of `npm run bench`): could Node's built-in `node:sqlite` list the
// bench's mlflow.db (1,000 runs) cold within 1.5× of the sqlite3 CLI, and how safely?
//   node bench/probes/node-sqlite.probe.mjs [rounds]     (after `node esbuild.mjs`; bench data built)
// Times, each in a new process under the extension host's Node (bench/lib/hostNode.mjs), in
// turns with the sqlite3 CLI so that the machine's load falls on every side alike:
//   rows    require('node:sqlite') → read-only open, guarded, the listing's SELECTs → RunListing built in JS
//   json    the same, params/tags/latest metrics grouped by run into JSON by SQLite (one JSON.parse per run and table)
//   plain   the rows listing without the guards (plain SELECT … FROM t, .all())
//   worker  new Worker → the guarded json listing in it → posted back (structured clone) → received
//   ours    the extension's cold path today: runsLib + run-store worker + page reader
//   sqlite3 the bench's sqlite3 CLI line (bench/runs-mlflow-db.bench.mjs)
// Then the answer: node:sqlite's listing vs our page reader's (every field) and vs
// mlflow.search_runs (every field search_runs returns), and crafted stores against the guards.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../../scripts/lib.mjs';
import { hostNode } from '../lib/hostNode.mjs';

const db = join(homedir(), '.cache', 'mlops-workbench', 'mlflow-db-bench-v1-1000x1000', 'mlflow.db');
if (!existsSync(db)) {
  console.log(`${db} missing: run node bench/runs-mlflow-db.bench.mjs once (it builds it)`);
  process.exit(1);
}
const rounds = Number(process.argv[2] ?? 7);
const node = hostNode();
const python = join(root, '.venv-peers', 'bin', 'python');
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// The listing, as source text run in a child process or a worker. The guards (modes rows and
// json) are what a shipped path would do with an untrusted file: read-only + query_only, trusted_schema=OFF, defensive,
// no extensions; the five names must be plain tables of the main schema; an authorizer allows
// only SELECT, reads of those tables and substr(), nothing through a view or trigger; rows
// come in rowid order in chunks, and a rowid that does not grow (pages shared between parents)
// or a table past MAX_ROWS stops the read with an error; values cut at MAX_VALUE characters
// (MLflow's own limit for tag values), so one .all() holds at most CHUNK × MAX_VALUE characters.
const LISTING = String.raw`
function list(sqlite, file, mode) {
  const TABLES = ['experiments', 'runs', 'params', 'tags', 'latest_metrics'];
  const MAX_ROWS = 5000000, CHUNK = 5000, MAX_VALUE = 8000;
  const guard = mode !== 'plain';
  const db = new sqlite.DatabaseSync(file, guard ? { readOnly: true, allowExtension: false, defensive: true } : { readOnly: true });
  try {
    let rows, grouped;
    const text = (col) => (guard ? 'substr(' + col + ', 1, ' + MAX_VALUE + ')' : col);
    if (guard) {
      db.exec('PRAGMA query_only = ON; PRAGMA trusted_schema = OFF;');
      const kinds = db.prepare("SELECT lower(name) AS name, type, sql FROM main.sqlite_master WHERE lower(name) IN ('experiments', 'runs', 'params', 'tags', 'latest_metrics')").all();
      for (const t of TABLES) {
        const k = kinds.filter((r) => r.name === t);
        if (k.length !== 1 || k[0].type !== 'table' || /^\s*create\s+virtual/i.test(k[0].sql)) throw new Error(t + ' is not a plain table (' + k.map((r) => r.type).join(', ') + ')');
        // A generated column is an expression SQLite runs on every row read.
        if (db.prepare('SELECT count(*) AS n FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)').get(t).n > 0) throw new Error(t + ' has a generated column');
      }
      const c = sqlite.constants;
      const FUNCTIONS = ['substr', 'count', 'json_group_object', 'json_array', 'coalesce'];
      db.setAuthorizer((action, a1, a2, dbName, inner) => {
        if (inner !== null) return c.SQLITE_DENY;
        if (action === c.SQLITE_SELECT) return c.SQLITE_OK;
        if (action === c.SQLITE_READ) return dbName === 'main' && TABLES.includes(String(a1).toLowerCase()) ? c.SQLITE_OK : c.SQLITE_DENY;
        if (action === c.SQLITE_FUNCTION) return FUNCTIONS.includes(a2) ? c.SQLITE_OK : c.SQLITE_DENY;
        return c.SQLITE_DENY;
      });
      rows = (table, cols, texts) => {
        const list = cols.map((col) => (texts.includes(col) ? text(col) : col)).join(', ');
        const st = db.prepare('SELECT rowid, ' + list + ' FROM main.' + table + ' WHERE rowid > ? ORDER BY rowid LIMIT ' + CHUNK);
        st.setReturnArrays(true);
        const out = [];
        let last = Number.MIN_SAFE_INTEGER;
        for (;;) {
          const part = st.all(last);
          for (const r of part) {
            if (!(r[0] > last)) throw new Error(table + ': rowid ' + r[0] + ' after ' + last + ' (pages shared between parents?)');
            last = r[0];
            out.push(r);
          }
          if (out.length > MAX_ROWS) throw new Error(table + ': more than ' + MAX_ROWS + ' rows');
          if (part.length < CHUNK) return out;
        }
      };
    } else {
      rows = (table, cols) => {
        const st = db.prepare('SELECT 0, ' + cols.join(', ') + ' FROM ' + table);
        st.setReturnArrays(true);
        return st.all();
      };
    }
    // mode 'json': SQLite groups each table by run into one JSON object per run (its own
    // C code instead of a JS visit per row); at most MAX_ROWS rows read per table, a key
    // seen twice in a run (shared pages) stops the read.
    grouped = (table, cols, entry) => {
      const st = db.prepare('SELECT run_uuid, count(*), json_group_object(k, ' + entry + ') FROM (SELECT run_uuid, ' + text('key') + ' AS k, ' + cols + ' FROM main.' + table + ' LIMIT ' + (MAX_ROWS + 1) + ') GROUP BY run_uuid');
      st.setReturnArrays(true);
      const out = new Map();
      let total = 0;
      for (const [run, n, json] of st.all()) {
        const o = JSON.parse(json);
        total += n;
        if (Object.keys(o).length !== n) throw new Error(table + ': a key twice in run ' + run);
        out.set(run, o);
      }
      if (total > MAX_ROWS) throw new Error(table + ': more than ' + MAX_ROWS + ' rows');
      return out;
    };
    const STATUS = { RUNNING: 1, SCHEDULED: 1, FINISHED: 1, FAILED: 1, KILLED: 1 };
    const experiments = [];
    for (const [, id, name, stage] of rows('experiments', ['experiment_id', 'name', 'lifecycle_stage'], ['name', 'lifecycle_stage'])) {
      if (stage === 'active') experiments.push({ id: String(id), name: String(name), lifecycleStage: String(stage) });
    }
    experiments.sort((a, b) => Number(a.id) - Number(b.id));
    const expIds = new Set(experiments.map((e) => e.id));
    const runs = new Map();
    const runCols = ['run_uuid', 'name', 'status', 'start_time', 'end_time', 'lifecycle_stage', 'experiment_id', 'artifact_uri', 'user_id'];
    for (const [, id, name, status, start, end, stage, exp, artifactUri, userId] of rows('runs', runCols, ['run_uuid', 'name', 'status', 'lifecycle_stage', 'artifact_uri', 'user_id'])) {
      if (stage !== 'active' || !expIds.has(String(exp))) continue;
      const up = typeof status === 'string' ? status.toUpperCase() : '';
      runs.set(String(id), {
        id: String(id), experimentId: String(exp), name: name === null ? '' : String(name), status: up in STATUS ? up : 'UNKNOWN',
        startTime: start === null ? undefined : Number(start), endTime: end === null ? undefined : Number(end),
        artifactUri: artifactUri === null ? undefined : String(artifactUri), userId: userId === null ? undefined : String(userId),
        params: {}, tags: {}, metrics: {},
      });
    }
    if (mode === 'json') {
      const params = grouped('params', text('value') + ' AS v', 'v');
      const tags = grouped('tags', text('value') + ' AS v', "coalesce(v, '')");
      const metrics = grouped('latest_metrics', 'step, timestamp, value, is_nan', 'json_array(step, timestamp, value, is_nan)');
      for (const r of runs.values()) {
        r.params = params.get(r.id) ?? {};
        r.tags = tags.get(r.id) ?? {};
        const m = metrics.get(r.id) ?? {};
        for (const k in m) {
          const [step, timestamp, value, isNan] = m[k];
          m[k] = { step: Number(step), timestamp: Number(timestamp), value: isNan ? NaN : Number(value) };
        }
        r.metrics = m;
      }
    } else {
      for (const [, key, value, run] of rows('params', ['key', 'value', 'run_uuid'], ['key', 'value', 'run_uuid'])) {
        const r = runs.get(run);
        if (r) r.params[key] = String(value);
      }
      for (const [, key, value, run] of rows('tags', ['key', 'value', 'run_uuid'], ['key', 'value', 'run_uuid'])) {
        const r = runs.get(run);
        if (r) r.tags[key] = value === null ? '' : String(value);
      }
      for (const [, key, value, timestamp, step, isNan, run] of rows('latest_metrics', ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'], ['key', 'run_uuid'])) {
        const r = runs.get(run);
        if (r) r.metrics[key] = { step: Number(step), timestamp: Number(timestamp), value: isNan ? NaN : Number(value) };
      }
    }
    for (const r of runs.values()) if (!r.name) r.name = r.tags['mlflow.runName'] ?? r.id;
    return { experiments, runs: [...runs.values()], warnings: [] };
  } finally {
    db.close();
  }
}`;

const hostScript = (/** @type {string} */ file, /** @type {string} */ mode, /** @type {string} */ out = '') => `${LISTING}
try {
  const t0 = performance.now();
  const sqlite = require('node:sqlite');
  const listing = list(sqlite, ${JSON.stringify(file)}, ${JSON.stringify(mode)});
  const ms = performance.now() - t0;
  ${out ? `require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(listing));` : ''}
  console.log(JSON.stringify({ ms, runs: listing.runs.length, heapMb: process.memoryUsage().heapUsed / 1048576 }));
} catch (err) {
  console.log(JSON.stringify({ error: String(err?.message ?? err).split('\\n')[0] + (err?.code ? ' [' + err.code + ']' : '') }));
}`;

const workerScript = (/** @type {string} */ file) => `const t0 = performance.now();
const { Worker } = require('node:worker_threads');
const w = new Worker(${JSON.stringify(`${LISTING}
const { parentPort } = require('node:worker_threads');
parentPort.postMessage(list(require('node:sqlite'), ${JSON.stringify(file)}, 'json'));`)}, { eval: true });
w.once('message', (listing) => {
  const ms = performance.now() - t0;
  w.terminate();
  console.log(JSON.stringify({ ms, runs: listing.runs.length }));
});
w.once('error', (err) => console.log(JSON.stringify({ error: String(err?.message ?? err) })));`;

// The extension's cold path today (as bench/runs-mlflow-db.bench.mjs times it), beside ours.
const oursScript = (/** @type {string} */ storage, /** @type {string} */ out = '') => `(async () => {
const t0 = performance.now();
const lib = require(${JSON.stringify(join(root, 'dist', 'lazy', 'runsLib.js'))});
const source = lib.createRunSource('mlflow-sqlite', ${JSON.stringify(db)}, { wasmPath: ${JSON.stringify(join(root, 'dist', 'sql-wasm.wasm'))}, cacheDir: ${JSON.stringify(storage)} });
const listing = await source.list();
const ms = performance.now() - t0;
lib.disposeRunsWorker();
${out ? `require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(listing));` : ''}
console.log(JSON.stringify({ ms, runs: listing.runs.length }));
})().catch((err) => console.log(JSON.stringify({ error: String(err?.message ?? err) })));`;

const selects = [
  'SELECT experiment_id, name, lifecycle_stage FROM experiments;',
  'SELECT run_uuid, name, status, start_time, end_time, experiment_id, lifecycle_stage, user_id FROM runs;',
  'SELECT key, value, run_uuid FROM params;',
  'SELECT key, value, run_uuid FROM tags;',
  'SELECT key, value, timestamp, step, is_nan, run_uuid FROM latest_metrics;',
].join(' ');

/**
 * One child process under the host Node; its last line parsed.
 * @param {string} script @param {number} [timeout] @param {number} [heapMb] V8 old-space cap
 * @returns {any}
 */
const child = (script, timeout = 60_000, heapMb = 0) => {
  const r = spawnSync(node.path, [...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), '-e', script], { encoding: 'utf8', maxBuffer: 1 << 28, timeout, killSignal: 'SIGKILL' });
  if (r.error || r.signal) return { error: r.signal === 'SIGKILL' ? `killed at the ${timeout} ms limit` : r.signal ? `died of ${r.signal}` : String(r.error) };
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last);
  } catch {
    return { error: `exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 300)}` };
  }
};
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const work = mkdtempSync(join(tmpdir(), 'node-sqlite-probe-'));
try {
  console.log(`${node.what} ${node.version}; ${db}; ${rounds} rounds in turns; load ${loadavg()}`);
  const warn = spawnSync(node.path, ['-e', "require('node:sqlite')"], { encoding: 'utf8' });
  console.log(`require('node:sqlite') on ${node.version}: ${warn.status === 0 ? 'loads' : 'fails'}, stderr: ${JSON.stringify(warn.stderr.trim().slice(0, 160))}`);
  /** @type {Record<string, number[]>} */
  const times = { rows: [], json: [], plain: [], worker: [], ours: [], sqlite3: [] };
  /** @type {string[]} */
  const loads = [];
  execFileSync('sqlite3', ['-readonly', '-batch', db, selects], { maxBuffer: 1 << 28 }); // page cache warm for every side
  for (let i = 0; i < rounds; i++) {
    loads.push(loadavg().split(' ')[0]);
    const t = performance.now();
    execFileSync('sqlite3', ['-readonly', '-batch', db, selects], { maxBuffer: 1 << 28 });
    times.sqlite3.push(performance.now() - t);
    for (const [k, script] of /** @type {[string, string][]} */ ([['rows', hostScript(db, 'rows')], ['json', hostScript(db, 'json')], ['plain', hostScript(db, 'plain')], ['worker', workerScript(db)]])) {
      const r = child(script);
      if (r.error || r.runs !== 1000) throw new Error(`${k}: ${r.error ?? `${r.runs} runs`}`);
      times[k].push(r.ms);
    }
    const storage = mkdtempSync(join(work, 'storage-'));
    const r = child(oursScript(storage));
    if (r.error) throw new Error(`ours: ${r.error}`);
    times.ours.push(r.ms);
  }
  const s3 = median(times.sqlite3);
  for (const [k, xs] of rounds > 0 ? Object.entries(times) : []) {
    console.log(`${k.padEnd(7)} median ${median(xs).toFixed(1)} ms = ${(median(xs) / s3).toFixed(2)}× sqlite3 (${xs.map((x) => x.toFixed(0)).join(', ')})`);
  }
  console.log(`load (1-min) per round: ${loads.join(', ')}; after: ${loadavg()}`);

  // (d) The answer, field by field.
  const theirsPath = join(work, 'page-reader.json');
  child(oursScript(mkdtempSync(join(work, 'storage-')), theirsPath));
  const b = JSON.parse(readFileSync(theirsPath, 'utf8'));
  /** @param {any} v @returns {any} */
  const canon = (v) => (Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v);
  const byId = (/** @type {any} */ l) => JSON.stringify(canon({ experiments: l.experiments, runs: [...l.runs].sort((x, y) => (x.id < y.id ? -1 : 1)) }));
  /** @type {Record<string, any>} */
  const mine = {};
  for (const mode of ['rows', 'json']) {
    const file = join(work, `node-sqlite-${mode}.json`);
    child(hostScript(db, mode, file));
    mine[mode] = JSON.parse(readFileSync(file, 'utf8'));
    console.log(`node:sqlite ${mode} listing vs our page reader's, every field: ${byId(mine[mode]) === byId(b) ? 'SAME' : 'DIFFERENT'} (${mine[mode].runs.length} vs ${b.runs.length} runs)`);
  }
  const py = `
import json, logging, math, sys
logging.disable(logging.WARNING)
import mlflow, pandas as pd
mlflow.set_tracking_uri('sqlite:///' + sys.argv[1])
df = mlflow.search_runs(search_all_experiments=True, max_results=100000)
out = {}
ms = lambda t: None if pd.isna(t) else int(t.value // 1_000_000)
for _, r in df.iterrows():
  run = {'experimentId': r['experiment_id'], 'status': r['status'], 'artifactUri': r['artifact_uri'], 'startTime': ms(r['start_time']), 'endTime': ms(r['end_time']), 'params': {}, 'tags': {}, 'metrics': {}}
  for c in df.columns:
      v = r[c]
      if c.startswith('params.') and v is not None and not (isinstance(v, float) and math.isnan(v)): run['params'][c[7:]] = v
      elif c.startswith('tags.') and v is not None and not (isinstance(v, float) and math.isnan(v)): run['tags'][c[5:]] = v
      elif c.startswith('metrics.') and not pd.isna(v): run['metrics'][c[8:]] = float(v)
  out[r['run_id']] = run
json.dump(out, open(sys.argv[2], 'w'))
`;
  const mlPath = join(work, 'mlflow.json');
  /** @type {Record<string, any>} */
  const ml = existsSync(python) ? (execFileSync(python, ['-c', py, db, mlPath], { stdio: 'inherit' }), JSON.parse(readFileSync(mlPath, 'utf8'))) : {};
  for (const a of existsSync(python) ? [mine.rows, mine.json] : []) {
    /** @type {string[]} */
    const diffs = [];
    let fields = 0;
    for (const r of a.runs) {
      const m = ml[r.id];
      if (!m) {
        diffs.push(`${r.id}: not in search_runs`);
        continue;
      }
      const pairs = [['experimentId', r.experimentId, m.experimentId], ['status', r.status, m.status], ['artifactUri', r.artifactUri, m.artifactUri], ['startTime', r.startTime, m.startTime], ['endTime', r.endTime, m.endTime]];
      for (const k of new Set([...Object.keys(r.params), ...Object.keys(m.params)])) pairs.push([`params.${k}`, r.params[k], m.params[k]]);
      for (const k of new Set([...Object.keys(r.tags), ...Object.keys(m.tags)])) pairs.push([`tags.${k}`, r.tags[k], m.tags[k]]);
      for (const k of new Set([...Object.keys(r.metrics), ...Object.keys(m.metrics)])) pairs.push([`metrics.${k}`, r.metrics[k]?.value, m.metrics[k]]);
      for (const [k, x, y] of pairs) {
        fields++;
        if (x !== y) diffs.push(`${r.id} ${k}: ${x} vs ${y}`);
      }
    }
    const extra = Object.keys(ml).filter((id) => !a.runs.some((/** @type {any} */ r) => r.id === id));
    console.log(`node:sqlite ${a === mine.rows ? 'rows' : 'json'} listing vs mlflow.search_runs: ${a.runs.length} vs ${Object.keys(ml).length} runs, ${fields} fields compared, ${diffs.length + extra.length} differ${diffs.length ? ` (first: ${diffs.slice(0, 3).join('; ')})` : ''}`);
  }
  if (!existsSync(python)) console.log(`mlflow comparison not run: ${python} missing (bash scripts/setup/peers.sh)`);

  // (c) Crafted stores. Each is built from a small store mlflow's schema and read in a new
  // process with a time limit: unguarded (plain SELECTs) and guarded (the listing above).
  const small = join(work, 'small.db');
  const schema = execFileSync('sqlite3', [db, '.schema experiments', '.schema runs', '.schema params', '.schema tags', '.schema latest_metrics'], { encoding: 'utf8' });
  execFileSync('sqlite3', [small, `PRAGMA page_size=512; ${schema}
INSERT INTO experiments(experiment_id, name, artifact_location, lifecycle_stage) VALUES (1, 'e', '/tmp', 'active');
INSERT INTO runs(run_uuid, name, status, start_time, lifecycle_stage, experiment_id, artifact_uri) VALUES ('r1', 'one', 'FINISHED', 1, 'active', 1, '/tmp/a');
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000) INSERT INTO params(key, value, run_uuid) SELECT 'p' || x, 'v' || x, 'r1' FROM c;
INSERT INTO tags(key, value, run_uuid) VALUES ('mlflow.runName', 'one', 'r1');
INSERT INTO latest_metrics(key, value, timestamp, step, is_nan, run_uuid) VALUES ('m', 1.5, 1, 0, 0, 'r1');`]);
  const crafted = (/** @type {string} */ name, /** @type {string} */ sql) => {
    const file = join(work, `${name}.db`);
    copyFileSync(small, file);
    if (sql) execFileSync('sqlite3', [file, sql]);
    return file;
  };
  const endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT 'r' || x AS run_uuid, 'n' AS name, 'FINISHED' AS status, 1 AS start_time, NULL AS end_time, 'active' AS lifecycle_stage, 1 AS experiment_id, '/a' AS artifact_uri, NULL AS user_id FROM c WHERE x < 0";
  /** @type {[string, string][]} */
  const cases = [
    ['runs a VIEW with an endless recursive CTE (no row ever comes)', crafted('view-cte', `DROP TABLE runs; CREATE VIEW runs AS ${endless};`)],
    ['params a VIEW: a 5-way cross join of a 2,000-row table', crafted('view-join', 'ALTER TABLE params RENAME TO p0; CREATE VIEW params AS SELECT a.key AS key, b.value AS value, a.run_uuid AS run_uuid FROM p0 a, p0 b, p0 c, p0 d, p0 e;')],
    ['runs a VIEW calling load_extension()', crafted('view-ext', "DROP TABLE runs; CREATE VIEW runs AS SELECT load_extension('/nonexistent') AS run_uuid, 'n' AS name, 'FINISHED' AS status, 1 AS start_time, NULL AS end_time, 'active' AS lifecycle_stage, 1 AS experiment_id, '/a' AS artifact_uri, NULL AS user_id;")],
    ['a trigger on runs (AFTER INSERT: DELETE FROM params)', crafted('trigger', 'CREATE TRIGGER t AFTER INSERT ON runs BEGIN DELETE FROM params; END;')],
    ['params.value a generated column: printf() of 100,000,000 characters per row', crafted('generated', "ALTER TABLE params RENAME COLUMN value TO v0; ALTER TABLE params ADD COLUMN value TEXT GENERATED ALWAYS AS (printf('%.*c', 100000000 + length(v0), 'x')) VIRTUAL;")],
    ['params with 3,000,000 rows', crafted('huge-rows', "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) INSERT INTO params(key, value, run_uuid) SELECT 'q' || x, 'v', 'r1' FROM c;")],
    ['one param value of 200,000,000 characters', crafted('huge-value', "INSERT INTO params(key, value, run_uuid) VALUES ('big', hex(zeroblob(100000000)), 'r1');")],
  ];
  // A damaged page: params' root page overwritten with bytes no b-tree page has.
  const corrupt = crafted('corrupt', '');
  const root0 = Number(execFileSync('sqlite3', [corrupt, "SELECT rootpage FROM sqlite_master WHERE name = 'params'"], { encoding: 'utf8' }).trim());
  const fd = openSync(corrupt, 'r+');
  writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, (root0 - 1) * 512);
  closeSync(fd);
  cases.push(['params root page overwritten with 0xA5 bytes', corrupt]);
  // Pages shared between parents: in every interior page of params' b-tree, every child
  // pointer set to the page's first child (each level multiplies the rows a scan returns).
  const fanIn = crafted('fan-in', '');
  const buf = readFileSync(fanIn);
  let interior = 0;
  /** @type {number[]} */
  const pages = [root0];
  for (let seen = 0; pages.length && seen < 1000; seen++) {
    const at = (/** @type {number} */ (pages.pop()) - 1) * 512;
    if (buf[at] !== 0x05) continue;
    interior++;
    const cells = buf.readUInt16BE(at + 3);
    // Cell pointers are offsets within the page; a cell starts with its child's page number.
    const first = buf.readUInt32BE(at + buf.readUInt16BE(at + 12));
    for (let c = 0; c < cells; c++) buf.writeUInt32BE(first, at + buf.readUInt16BE(at + 12 + 2 * c));
    buf.writeUInt32BE(first, at + 8);
    pages.push(first);
  }
  writeFileSync(fanIn, buf);
  const direct = Number(execFileSync('sqlite3', [fanIn, 'SELECT count(*) FROM params'], { encoding: 'utf8' }).trim());
  cases.push([`params' b-tree: in its ${interior} interior pages on the leftmost path every child pointer at the page's first child (sqlite3 CLI count(*): ${direct} rows of 2,000)`, fanIn]);
  for (const [what, file] of cases) {
    const line = [];
    for (const mode of ['plain', 'rows', 'json']) {
      const t = performance.now();
      const r = child(hostScript(file, mode), 15_000, 1024);
      const ms = performance.now() - t;
      line.push(`${mode.padEnd(5)}: ${r.error ? `ERROR ${r.error.slice(0, 140)}` : `${r.runs} runs`} in ${ms.toFixed(0)} ms${r.heapMb ? `, heap ${r.heapMb.toFixed(0)} MB` : ''}`);
    }
    console.error(new Date().toISOString(), what);
    console.log(`crafted: ${what}\n    ${line.join('\n    ')}`);
  }
  // Can a worker be stopped while SQLite runs the endless view? terminate() after 1 s.
  const stop = `const { Worker } = require('node:worker_threads');
const w = new Worker(${JSON.stringify(`${LISTING}\nlist(require('node:sqlite'), ${JSON.stringify(cases[0][1])}, 'plain');`)}, { eval: true });
setTimeout(() => { const t = performance.now(); w.terminate().then(() => console.log(JSON.stringify({ stoppedMs: performance.now() - t }))); }, 1000);`;
  const r = child(stop, 10_000, 1024);
  console.log(`worker.terminate() during the endless view: ${r.error ?? `the worker stopped ${r.stoppedMs.toFixed(0)} ms after terminate()`}`);
  // The run-store worker caps its V8 heap (core/common/isolatedWorker.ts) so that runaway
  // allocation kills the worker, not the extension host. Does the cap hold when node:sqlite's
  // .all() allocates the rows in native code (the cross-join view, read plain)?
  const capped = `const { Worker } = require('node:worker_threads');
const t = performance.now();
const w = new Worker(${JSON.stringify(`${LISTING}\nlist(require('node:sqlite'), ${JSON.stringify(cases[1][1])}, 'plain');`)}, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 256 } });
w.on('error', (err) => console.log(JSON.stringify({ error: 'the worker failed alone (' + err.code + ') after ' + (performance.now() - t).toFixed(0) + ' ms; the host thread lives' })));
w.on('exit', (code) => { if (code === 0) console.log(JSON.stringify({ error: 'the worker finished' })); });`;
  const cr = child(capped, 30_000, 1024);
  console.log(`worker with a 256 MB heap cap, the cross-join view read plain: ${cr.error === 'died of SIGABRT' ? 'the whole process died of SIGABRT (V8 heap OOM in native code: the cap does not isolate it)' : cr.error}`);
  console.log(`load at the end: ${loadavg()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
