import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SourceWarning } from '../../../src/core/runs/types';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';

const venvPython = path.join(__dirname, '..', '..', '..', '.venv-peers', 'bin', 'python');
const python = existsSync(venvPython) ? venvPython : 'python3';

// MLflow's tables as its migrations leave them (columns added later sit at the end), once
// as plain rowid tables and once with `runs` WITHOUT ROWID, which our page reader refuses.
const GENERATE = String.raw`
import sqlite3, sys
for name, runs_suffix in (('pages.db', ''), ('fallback.db', ' WITHOUT ROWID')):
    con = sqlite3.connect(sys.argv[1] + '/' + name)
    con.executescript('''
CREATE TABLE experiments (experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL, lifecycle_stage VARCHAR(32), CONSTRAINT experiment_pk PRIMARY KEY (experiment_id));
CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), status VARCHAR(9), start_time BIGINT, end_time BIGINT, lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER, CONSTRAINT run_pk PRIMARY KEY (run_uuid))''' + runs_suffix + ''';
CREATE TABLE params ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL, CONSTRAINT param_pk PRIMARY KEY ("key", run_uuid));
CREATE TABLE tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL, CONSTRAINT tag_pk PRIMARY KEY ("key", run_uuid));
CREATE TABLE latest_metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL, CONSTRAINT latest_metric_pk PRIMARY KEY ("key", run_uuid));
CREATE TABLE metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL, CONSTRAINT metric_pk PRIMARY KEY ("key", timestamp, step, run_uuid, value, is_nan));
CREATE INDEX index_metrics_run_uuid_key_step ON metrics (run_uuid, "key", step);
ALTER TABLE runs ADD COLUMN deleted_time BIGINT;
''')
    con.execute("INSERT INTO experiments VALUES (0, 'Default', 'active'), (7, 'seven', 'active'), (9, 'gone', 'deleted')")
    for i in range(40):
        rid = f'{i:032x}'
        con.execute('INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,NULL)', (rid, None if i % 5 == 0 else f'run {i}', ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'][i % 4], 1000 + i, None if i % 4 == 0 else 2000 + i, 'deleted' if i % 9 == 8 else 'active', f'file:///a/{rid}', [0, 7, 9][i % 3]))
        for p in range(12):
            con.execute('INSERT INTO params VALUES (?,?,?)', (f'p{p}', 'v' * (i * 50 if p == 0 else 3), rid))
        con.execute('INSERT INTO tags VALUES (?,?,?)', ('mlflow.runName', f'tagname {i}', rid))
        con.execute('INSERT INTO tags VALUES (?,?,?)', ('empty', None, rid))
        con.execute('INSERT INTO latest_metrics VALUES (?,?,?,?,?,?)', ('loss', -1.5 * i, 5000 + i, i, 1 if i == 3 else 0, rid))
        for s in range(30):
            con.execute('INSERT INTO metrics VALUES (?,?,?,?,?,?)', ('loss', s / 7, 100 - s if i == 4 else 100 + s, rid, s, 1 if s == 2 else 0))
            con.execute('INSERT INTO metrics VALUES (?,?,?,?,?,?)', ('acc', s, 100 + s, rid, s, 0))
    con.commit()
    con.close()
`;

describe('MlflowSqliteSource: page reader and its sql.js fallback agree', function () {
  this.timeout(60000);
  let dir = '';
  before(function () {
    try {
      execFileSync(python, ['-c', 'import sqlite3']);
    } catch {
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-mlflowpages-'));
    execFileSync(python, ['-c', GENERATE, dir]);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('lists the same runs page by page as through sql.js, and warns only when it falls back', async () => {
    const warned: SourceWarning[] = [];
    const paged = new MlflowSqliteSource(path.join(dir, 'pages.db'), { onWarning: (w) => warned.push(w) });
    const viaPages = await paged.list();
    assert.deepEqual(viaPages.warnings, []);
    assert.deepEqual(warned, []);
    const fallback = new MlflowSqliteSource(path.join(dir, 'fallback.db'));
    const viaSqlJs = await fallback.list();
    fallback.dispose();
    assert.equal(viaSqlJs.warnings.length, 1);
    assert.match(viaSqlJs.warnings[0].message, /sql\.js.*WITHOUT ROWID/);

    assert.deepEqual(viaPages.experiments.map((e) => e.id), ['0', '7'], 'experiment ids come from the rowid alias');
    const byId = (l: typeof viaPages) => [...l.runs].sort((a, b) => a.id.localeCompare(b.id));
    assert.equal(viaPages.runs.length, 27);
    assert.deepEqual(byId(viaPages), byId(viaSqlJs));
    assert.deepEqual(viaPages.experiments, viaSqlJs.experiments);
    const r3 = viaPages.runs.find((r) => r.id === (3).toString(16).padStart(32, '0'))!;
    assert.ok(Number.isNaN(r3.metrics.loss.value));
    assert.equal(r3.tags.empty, '');
    const r36 = viaPages.runs.find((r) => r.id === (36).toString(16).padStart(32, '0'))!;
    assert.equal(r36.params.p0.length, 1800, 'a long param spilled to overflow pages');

    for (const [run, key] of [[4, 'loss'], [10, 'acc']] as const) {
      const id = run.toString(16).padStart(32, '0');
      const ours = await paged.metricHistory(id, key);
      const theirs = await fallback.metricHistory(id, key);
      fallback.dispose();
      assert.equal(ours.length, 30);
      assert.deepEqual(ours, theirs);
    }
    assert.deepEqual(warned, [], 'histories came through the index, not sql.js');
  });
});
