import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';
import { requirePeer } from '../harness';
import { assertSameAsMlflow, mlflowEnv, mlflowRead, mlflowWrite, type Reference } from './mlflowReference';

/** Starts peers/sqlite_writer.py and resolves once it holds its state. */
function holdWriter(python: string, db: string, mode: 'wal' | 'lock', runId: string): Promise<ChildProcess> {
  const child = spawn(python, [path.join(__dirname, 'peers', 'sqlite_writer.py'), db, mode, runId], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`sqlite_writer exited with ${code}`)));
  });
}
const release = (child: ChildProcess) => new Promise<void>((r) => { child.removeAllListeners('exit'); child.on('exit', () => r()); child.stdin!.end(); });

describe('MLflow SQLite store (mlflow.db) written by the real MLflow client', function () {
  let python = '';
  let dir = '';
  let db = '';
  let ref: Reference;

  before(function () {
    python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-mlflowdb-'));
    db = path.join(dir, 'mlflow.db');
    mlflowWrite(python, `sqlite:///${db}`);
    ref = mlflowRead(python, `sqlite:///${db}`);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('lists what mlflow.search_runs lists, and histories equal get_metric_history', async () => {
    assert.equal(ref.runs.length, 6);
    const src = new MlflowSqliteSource(db);
    await assertSameAsMlflow(src, ref);
    src.dispose();
  });

  it('answers its last listing again while MLflow writes nothing, and reads again after MLflow logs', async () => {
    const src = new MlflowSqliteSource(db);
    const first = await src.list();
    assert.equal((await src.list()).runs, first.runs, 'unchanged file: the same listing');
    const runId = ref.runs[2].id;
    // A metric and a tag through MLflow's own client, as a training script logs them.
    const log = `import mlflow, sys
c = mlflow.MlflowClient(tracking_uri='sqlite:///' + sys.argv[1])
c.log_metric(sys.argv[2], 'stamp_metric', 0.25, step=3)
c.set_tag(sys.argv[2], 'stamp.tag', 'written')`;
    execFileSync(python, ['-c', log, db, runId], { env: mlflowEnv, stdio: 'pipe' });
    const after = await src.list();
    assert.notEqual(after.runs, first.runs, 'MLflow wrote: read again');
    const run = after.runs.find((r) => r.id === runId)!;
    assert.equal(run.tags['stamp.tag'], 'written');
    assert.equal(run.metrics.stamp_metric.value, 0.25);
    assert.equal((await src.list()).runs, after.runs, 'then reused again');
    await assertSameAsMlflow(src, mlflowRead(python, `sqlite:///${db}`));
    src.dispose();
  });

  it('after MLflow logs, decodes again only the tables whose pages changed, and still lists what mlflow.search_runs lists', async () => {
    const src = new MlflowSqliteSource(db);
    const first = await src.list();
    const [metricRun, paramRun] = [ref.runs[1].id, ref.runs[3].id];
    const log = (code: string, runId: string) =>
      execFileSync(python, ['-c', `import mlflow, sys\nc = mlflow.MlflowClient(tracking_uri='sqlite:///' + sys.argv[1])\n${code}`, db, runId], { env: mlflowEnv, stdio: 'pipe' });
    // A metric: latest_metrics and metrics change; params and tags keep their pages.
    log(`c.log_metric(sys.argv[2], 'reuse_metric', 0.5, step=7)`, metricRun);
    const afterMetric = await src.list();
    assert.equal(afterMetric.runs.find((r) => r.id === metricRun)!.metrics.reuse_metric.step, 7);
    for (const run of afterMetric.runs) {
      const before = first.runs.find((r) => r.id === run.id)!;
      assert.equal(run.params, before.params, `params of ${run.id}: kept, their pages did not change`);
      assert.equal(run.tags, before.tags, `tags of ${run.id}: kept`);
    }
    assert.notEqual(afterMetric.runs.find((r) => r.id === metricRun)!.metrics, first.runs.find((r) => r.id === metricRun)!.metrics);
    await assertSameAsMlflow(src, mlflowRead(python, `sqlite:///${db}`));
    // A param: the params table is decoded again, the metrics kept.
    log(`c.log_param(sys.argv[2], 'reuse_param', 'p1')`, paramRun);
    const afterParam = await src.list();
    assert.equal(afterParam.runs.find((r) => r.id === paramRun)!.params.reuse_param, 'p1');
    assert.equal(afterParam.runs.find((r) => r.id === metricRun)!.metrics, afterMetric.runs.find((r) => r.id === metricRun)!.metrics);
    await assertSameAsMlflow(src, mlflowRead(python, `sqlite:///${db}`));
    // A fresh reader (nothing kept) agrees field by field with the one that reused tables.
    const fresh = new MlflowSqliteSource(db);
    assert.deepEqual((await fresh.list()).runs, (await src.list()).runs);
    fresh.dispose();
    src.dispose();
    ref = mlflowRead(python, `sqlite:///${db}`);
  });

  it('does not block a writer holding a write transaction: warns naming the file, lists the committed state', async () => {
    const runId = ref.runs[0].id;
    const writer = await holdWriter(python, db, 'lock', runId);
    try {
      assert.ok(existsSync(`${db}-journal`), 'the writer has a rollback journal open');
      const warned: string[] = [];
      const src = new MlflowSqliteSource(db, { onWarning: (w) => warned.push(w.file) });
      const { runs, warnings } = await src.list();
      src.dispose();
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].file, db);
      assert.deepEqual(warned, [db]);
      assert.equal(runs.length, ref.runs.length);
      assert.equal(runs.find((r) => r.id === runId)!.tags['locked.tag'], undefined);
    } finally {
      await release(writer);
    }
    const after = await new MlflowSqliteSource(db).list();
    assert.equal(after.runs.find((r) => r.id === runId)!.tags['locked.tag'], 'uncommitted', 'the writer committed after our read');
  });

  it('sees commits that live only in the -wal file of a WAL database', async () => {
    const runId = ref.runs[1].id;
    // A reader that listed before the store went WAL: its kept tables are compared with the pages as the WAL has them.
    const before = new MlflowSqliteSource(db);
    const first = await before.list();
    const writer = await holdWriter(python, db, 'wal', runId);
    try {
      assert.ok(statSync(`${db}-wal`).size > 0, 'the commit is in the WAL, not yet checkpointed');
      const src = new MlflowSqliteSource(db);
      const { runs, warnings } = await src.list();
      src.dispose();
      assert.deepEqual(warnings, []);
      assert.equal(runs.find((r) => r.id === runId)!.tags['wal.tag'], 'from the wal');
      const again = await before.list();
      assert.equal(again.runs.find((r) => r.id === runId)!.tags['wal.tag'], 'from the wal', 'the tags table decoded again from its WAL pages');
      assert.equal(again.runs.find((r) => r.id === runId)!.params, first.runs.find((r) => r.id === runId)!.params, 'params kept: their pages did not change');
      assert.deepEqual(again.runs, runs);
      before.dispose();
    } finally {
      await release(writer);
    }
    // MLflow's own client reads the same store after it went WAL.
    const again = mlflowRead(python, `sqlite:///${db}`);
    assert.equal(again.runs.find((r) => r.id === runId)!.tags['wal.tag'], 'from the wal');
  });
});
