// Crafted registries: what MLflow never writes but a repository can hold. Older schemas,
// damaged files and huge values cost a warning or nothing, never the listing.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readFileRegistry } from '../../../src/core/models/mlflowFileRegistry';
import { readSqliteRegistry } from '../../../src/core/models/mlflowSqliteRegistry';

const venvPython = path.join(__dirname, '..', '..', '..', '.venv-peers', 'bin', 'python');
const python = existsSync(venvPython) ? venvPython : 'python3';

// MLflow 1.x/2.x registry tables (no workspace, no storage_location, no aliases table), once
// as rowid tables (page reader) and once with model_versions WITHOUT ROWID (sql.js fallback).
const GENERATE = String.raw`
import sqlite3, sys
d = sys.argv[1]
con = sqlite3.connect(d + '/runs-only.db')
con.executescript('''
CREATE TABLE experiments (experiment_id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL, lifecycle_stage VARCHAR(32));
CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250), status VARCHAR(9));
''')
con.commit()
for name, suffix in (('old.db', ''), ('fallback.db', ' WITHOUT ROWID')):
    con = sqlite3.connect(d + '/' + name)
    con.executescript('''
CREATE TABLE registered_models (name VARCHAR(256) NOT NULL, creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000), CONSTRAINT registered_model_pk PRIMARY KEY (name));
CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000), user_id VARCHAR(256), current_stage VARCHAR(20), source VARCHAR(500), run_id VARCHAR(32), status VARCHAR(20), status_message VARCHAR(500), run_link VARCHAR(500), CONSTRAINT model_version_pk PRIMARY KEY (name, version))''' + suffix + ''';
CREATE TABLE registered_model_tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL, CONSTRAINT registered_model_tag_pk PRIMARY KEY ("key", name));
CREATE TABLE model_version_tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, CONSTRAINT model_version_tag_pk PRIMARY KEY ("key", name, version));
''')
    con.execute("INSERT INTO registered_models VALUES ('iris', 10, 20, 'flowers')")
    for v in range(1, 4):
        con.execute('INSERT INTO model_versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)', ('iris', v, 100 + v, 200 + v, None, None, 'Production' if v == 2 else 'None', 'runs:/r%d/model' % v, 'r%d' % v, 'READY', None, None))
    con.execute("INSERT INTO registered_model_tags VALUES ('huge', ?, 'iris')", ('x' * 3_000_000,))
    con.execute("INSERT INTO model_version_tags VALUES ('k', 'v', 'iris', 2)")
    con.execute("INSERT INTO model_version_tags VALUES ('orphan', 'v', 'nobody', 1)")
    con.commit()
`;

describe('model registry readers on crafted stores', function () {
  this.timeout(30_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-models-crafted-'));
    execFileSync(python, ['-c', GENERATE, dir]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an mlflow.db made before the registry (no registered_models table) has no models and no warning', async () => {
    const r = await readSqliteRegistry(path.join(dir, 'runs-only.db'));
    assert.deepEqual(r, { models: [], loggedModels: [], warnings: [] });
  });

  it('an MLflow 2 schema (no workspace, storage_location, aliases or logged_models) lists its models; a 3 MB tag reads whole', async () => {
    const r = await readSqliteRegistry(path.join(dir, 'old.db'));
    assert.deepEqual(r.warnings, []);
    assert.equal(r.models.length, 1);
    const [m] = r.models;
    assert.equal(m.tags.huge.length, 3_000_000);
    assert.deepEqual(m.versions.map((v) => [v.version, v.stage, v.runId, v.storageLocation, v.modelId]), [
      ['3', 'None', 'r3', undefined, undefined],
      ['2', 'Production', 'r2', undefined, undefined],
      ['1', 'None', 'r1', undefined, undefined],
    ]);
    assert.deepEqual(m.versions[1].tags, { k: 'v' });
    assert.deepEqual(m.aliases, {});
  });

  it('a table the page reader does not support (WITHOUT ROWID) is read through sql.js with a warning, to the same answer', async () => {
    const pages = await readSqliteRegistry(path.join(dir, 'old.db'));
    const fallback = await readSqliteRegistry(path.join(dir, 'fallback.db'));
    assert.equal(fallback.warnings.length, 1);
    assert.match(fallback.warnings[0], /sql\.js/);
    assert.deepEqual(fallback.models, pages.models);
  });

  it('a file that is not SQLite is an error naming it, not a hang', async () => {
    const bad = path.join(dir, 'garbage.db');
    writeFileSync(bad, Buffer.alloc(8192, 7));
    await assert.rejects(readSqliteRegistry(bad));
  });

  it('file store: a broken version meta.yaml, a model meta that is a list and a tag over the cap are warnings; the rest lists', async () => {
    const store = path.join(dir, 'mlruns');
    const model = path.join(store, 'models', 'good');
    mkdirSync(path.join(model, 'version-1'), { recursive: true });
    mkdirSync(path.join(model, 'version-2'), { recursive: true });
    mkdirSync(path.join(model, 'tags'), { recursive: true });
    writeFileSync(path.join(model, 'meta.yaml'), "name: good\ndescription: fine\naliases:\n  champion: '1'\n  nonsense: [1, 2]\n");
    writeFileSync(path.join(model, 'version-1', 'meta.yaml'), 'version: 1\ncurrent_stage: None\nstatus: READY\nsource: runs:/abc/model\nrun_id: abc\n');
    writeFileSync(path.join(model, 'version-2', 'meta.yaml'), 'version: [unclosed\n');
    writeFileSync(path.join(model, 'tags', 'huge'), Buffer.alloc(11 * 1024 * 1024, 0x61));
    writeFileSync(path.join(model, 'tags', 'team'), 'vision');
    mkdirSync(path.join(store, 'models', 'listy'), { recursive: true });
    writeFileSync(path.join(store, 'models', 'listy', 'meta.yaml'), '- a\n- b\n');
    const r = await readFileRegistry(store);
    assert.deepEqual(r.models.map((m) => m.name), ['good']);
    const [good] = r.models;
    assert.deepEqual(good.tags, { team: 'vision' });
    assert.deepEqual(good.versions.map((v) => [v.version, v.aliases, v.runId]), [['1', ['champion'], 'abc']]);
    assert.equal(r.warnings.length, 3, r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => w.includes('version-2') && /corrupt YAML/.test(w)));
    assert.ok(r.warnings.some((w) => w.includes('huge')));
    assert.ok(r.warnings.some((w) => w.includes('listy')));
  });
});
