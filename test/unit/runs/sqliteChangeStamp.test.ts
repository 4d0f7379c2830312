// The reuse of an unchanged mlflow.db's listing (sqliteChangeStamp.ts): the same listing
// while nothing was written, a fresh read after every commit SQLite makes, in rollback
// mode and in WAL mode, where a commit lands only in -wal (also after the WAL restarted
// from its start, when its size stays the same).
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { sqliteChangeStamp } from '../../../src/core/runs/mlflow/sqliteChangeStamp';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';

const venvPython = path.join(__dirname, '..', '..', '..', '.venv-peers', 'bin', 'python');
const python = existsSync(venvPython) ? venvPython : 'python3';

// MLflow's listed tables (the columns the reader needs) and one run.
const SCHEMA = String.raw`
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.executescript('''
CREATE TABLE experiments (experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL, lifecycle_stage VARCHAR(32), CONSTRAINT experiment_pk PRIMARY KEY (experiment_id));
CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), status VARCHAR(9), start_time BIGINT, end_time BIGINT, lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER, CONSTRAINT run_pk PRIMARY KEY (run_uuid));
CREATE TABLE params ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL, CONSTRAINT param_pk PRIMARY KEY ("key", run_uuid));
CREATE TABLE tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL, CONSTRAINT tag_pk PRIMARY KEY ("key", run_uuid));
CREATE TABLE latest_metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL, CONSTRAINT latest_metric_pk PRIMARY KEY ("key", run_uuid));
CREATE TABLE metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL, CONSTRAINT metric_pk PRIMARY KEY ("key", timestamp, step, run_uuid, value, is_nan));
CREATE INDEX index_metrics_run_uuid_key_step ON metrics (run_uuid, "key", step);
INSERT INTO experiments VALUES (0, 'Default', 'active');
INSERT INTO runs VALUES ('r1', 'one', 'RUNNING', 1000, NULL, 'active', 'file:///a/r1', 0);
INSERT INTO latest_metrics VALUES ('loss', 1.0, 1000, 0, 0, 'r1');
''')
con.commit()
con.close()
`;

// A writer that stays connected (so a WAL keeps its frames) and runs one command per
// line: SQL committed at once, or `restart` (a checkpoint that makes the next commit
// start the WAL over from its first frame). Answers `ok` after each.
const WRITER = String.raw`
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == 'wal':
    con.execute('PRAGMA journal_mode=WAL')
    con.execute('PRAGMA wal_autocheckpoint=0')
print('ok', flush=True)
for line in sys.stdin:
    line = line.strip()
    if line == 'restart':
        con.execute('PRAGMA wal_checkpoint(RESTART)').fetchall()
    elif line:
        con.execute('BEGIN')
        con.execute(line)
        con.execute('COMMIT')
    print('ok', flush=True)
`;

class Writer {
  private readonly child: ChildProcess;
  private readonly answers: string[] = [];
  private waiting: (() => void)[] = [];

  constructor(db: string, mode: 'wal' | 'delete') {
    this.child = spawn(python, ['-c', WRITER, db, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      this.answers.push(l);
      this.waiting.shift()?.();
    });
  }

  /** Resolves once the writer answered `n` lines in all. */
  private async answered(n: number): Promise<void> {
    while (this.answers.length < n) await new Promise<void>((r) => this.waiting.push(r));
  }

  async ready(): Promise<void> {
    await this.answered(1);
  }

  async run(command: string): Promise<void> {
    const n = this.answers.length + 1;
    this.child.stdin!.write(`${command}\n`);
    await this.answered(n);
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.child.on('exit', () => r());
      this.child.stdin!.end();
    });
  }
}

const tag = (key: string, value: string) => `INSERT OR REPLACE INTO tags VALUES ('${key}', '${value}', 'r1')`;

describe('MlflowSqliteSource: an unchanged file answers its last listing again', function () {
  this.timeout(60000);
  let dir = '';
  let db = '';
  before(function () {
    try {
      execFileSync(python, ['-c', 'import sqlite3']);
    } catch {
      this.skip();
    }
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-stamp-'));
    db = path.join(dir, 'mlflow.db');
    execFileSync(python, ['-c', SCHEMA, db]);
  });
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('rollback journal: reuses the listing until SQLite commits, then reads the commit', async () => {
    const src = new MlflowSqliteSource(db);
    const first = await src.list();
    const again = await src.list();
    assert.equal(again.runs, first.runs, 'nothing written: the same listing');
    assert.deepEqual(again.warnings, []);
    const writer = new Writer(db, 'delete');
    try {
      await writer.ready();
      for (let i = 0; i < 3; i++) {
        const before = await src.list();
        await writer.run(tag('n', String(i)));
        const after = await src.list();
        assert.notEqual(after.runs, before.runs, `commit ${i}: read again`);
        assert.equal(after.runs[0].tags.n, String(i));
        assert.equal((await src.list()).runs, after.runs, `commit ${i}: then reused`);
      }
      // Same size, same length of value: only the change counter (and the bytes) differ.
      await writer.run("UPDATE runs SET status = 'KILLED' WHERE run_uuid = 'r1'");
      assert.equal((await src.list()).runs[0].status, 'KILLED');
    } finally {
      await writer.close();
    }
  });

  it('WAL: a commit that only lands in -wal is read, also after the WAL restarts at its first frame', async () => {
    const src = new MlflowSqliteSource(db);
    const writer = new Writer(db, 'wal');
    try {
      await writer.ready();
      // Frames enough that a later restart rewrites within the file's length.
      for (let i = 0; i < 4; i++) await writer.run(tag(`pad${i}`, 'x'.repeat(3000)));
      let last = await src.list();
      assert.ok(statSync(`${db}-wal`).size > 0, 'the commits are in the WAL');
      for (let i = 0; i < 3; i++) {
        await writer.run(tag('wal', String(i)));
        const now = await src.list();
        assert.notEqual(now.runs, last.runs, `WAL commit ${i}: read again`);
        assert.equal(now.runs[0].tags.wal, String(i));
        assert.equal((await src.list()).runs, now.runs, `WAL commit ${i}: then reused`);
        last = now;
      }
      // Checkpoint, then a small commit rewrites the WAL from its start: same size, new salts.
      await writer.run('restart');
      const size = statSync(`${db}-wal`).size;
      const afterCheckpoint = await src.list();
      assert.equal(afterCheckpoint.runs[0].tags.wal, '2');
      await writer.run(tag('wal', 'after restart'));
      assert.equal(statSync(`${db}-wal`).size, size, 'the restarted WAL kept its length');
      const restarted = await src.list();
      assert.notEqual(restarted.runs, afterCheckpoint.runs);
      assert.equal(restarted.runs[0].tags.wal, 'after restart');
      // A second commit of the new generation, still within the old length.
      await writer.run(tag('wal', 'second after restart'));
      assert.equal(statSync(`${db}-wal`).size, size);
      assert.equal((await src.list()).runs[0].tags.wal, 'second after restart');
    } finally {
      await writer.close();
    }
    // The writer's close checkpointed and removed the WAL: the main file holds it all.
    assert.equal((await src.list()).runs[0].tags.wal, 'second after restart');
  });

  it('gives no stamp while a -journal holds a commit in progress', () => {
    assert.ok(sqliteChangeStamp(db));
    execFileSync(python, ['-c', `open(${JSON.stringify(`${db}-journal`)}, 'wb').write(b'x' * 512)`]);
    assert.equal(sqliteChangeStamp(db), undefined);
  });
});
