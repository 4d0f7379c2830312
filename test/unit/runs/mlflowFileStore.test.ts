import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';

describe('MlflowFileStoreSource on a hand-made mlruns/', () => {
  let root = '';
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mlops-mlruns-u-'));
    put('1/meta.yaml', "experiment_id: '1'\nname: exp\nlifecycle_stage: active\n");
    put('1/r1/meta.yaml', "run_id: r1\nrun_name: first\nexperiment_id: '1'\nstatus: 4\nstart_time: 10\nend_time: 20\nlifecycle_stage: active\n");
    put('1/r1/params/opt/lr', '0.1');
    put('1/r1/tags/mlflow.note.content', 'a\nb');
    put('1/r1/metrics/val/loss', '100 0.5 0\n110 nan 1\n120 inf 1\n');
    put('1/r2/meta.yaml', "run_id: r2\nrun_name: ''\nexperiment_id: '1'\nstatus: 1\nlifecycle_stage: deleted\n");
    put('1/r3/meta.yaml', 'run_id: [broken');
    put('.trash/2/meta.yaml', "experiment_id: '2'\nname: gone\nlifecycle_stage: deleted\n");
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads nested keys, numeric statuses, nan/inf values, hides deleted runs and .trash', async () => {
    const { experiments, runs, warnings } = await new MlflowFileStoreSource(root).list();
    assert.deepEqual(experiments.map((e) => e.name), ['exp']);
    assert.deepEqual(runs.map((r) => r.id), ['r1']);
    const r = runs[0];
    assert.equal(r.status, 'FAILED');
    assert.deepEqual([r.name, r.startTime, r.endTime], ['first', 10, 20]);
    assert.deepEqual(r.params, { 'opt/lr': '0.1' });
    assert.equal(r.tags['mlflow.note.content'], 'a\nb');
    assert.deepEqual(r.metrics['val/loss'], { step: 1, timestamp: 120, value: Infinity });
    assert.deepEqual(warnings.map((w) => path.relative(root, w.file)), [path.join('1', 'r3', 'meta.yaml')]);
  });

  it('lists deleted runs on request and reads a history', async () => {
    const src = new MlflowFileStoreSource(root, { includeDeleted: true });
    const { runs } = await src.list();
    assert.deepEqual(runs.map((r) => [r.id, r.status]), [['r1', 'FAILED'], ['r2', 'RUNNING']]);
    const h = await src.metricHistory('r1', 'val/loss');
    assert.equal(h.length, 3);
    assert.ok(Number.isNaN(h[1].value));
  });
});
