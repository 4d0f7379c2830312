import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';
import { requirePeer } from '../harness';
import { assertSameAsMlflow, mlflowRead, mlflowWrite, type Reference } from './mlflowReference';

describe('MLflow file store (mlruns/) written by the real MLflow client', function () {
  let python = '';
  let dir = '';
  let store = '';
  let ref: Reference;

  before(function () {
    python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-mlruns-'));
    store = path.join(dir, 'mlruns');
    mlflowWrite(python, `file:${store}`);
    ref = mlflowRead(python, `file:${store}`);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('lists what mlflow.search_runs lists, and histories equal get_metric_history', async () => {
    assert.equal(ref.runs.length, 6);
    await assertSameAsMlflow(new MlflowFileStoreSource(store), ref);
  });

  it('turns a corrupt meta.yaml and a non-numeric metric line into warnings naming the file', async () => {
    const victim = ref.runs[0];
    const runDir = path.join(store, victim.experimentId, victim.id);
    writeFileSync(path.join(runDir, 'meta.yaml'), 'run_id: [unclosed\n  : :');
    const other = ref.runs[1];
    const lossFile = path.join(store, other.experimentId, other.id, 'metrics', 'loss');
    appendFileSync(lossFile, '1700000000999 not-a-number 3\n');
    const warned: string[] = [];
    const { runs, warnings } = await new MlflowFileStoreSource(store, { onWarning: (w) => warned.push(w.file) }).list();
    assert.deepEqual(warnings.map((w) => w.file).sort(), [path.join(runDir, 'meta.yaml'), lossFile].sort());
    assert.deepEqual(warned.sort(), warnings.map((w) => w.file).sort());
    assert.equal(runs.length, ref.runs.length - 1, 'every other run still loads');
    assert.equal(runs.find((r) => r.id === other.id)!.metrics.loss.value, other.metrics.loss);
    assert.ok(readdirSync(store).includes(victim.experimentId));
  });

  it('reads meta.yaml as YAML 1.1 (PyYAML): 1e3, 0o17, yes, 0x1F ... stay the names mlflow lists', async () => {
    const edgeStore = path.join(dir, 'yaml11');
    execFileSync(python, [path.join(__dirname, 'peers', 'mlflow_peer.py'), 'yaml11', `file:${edgeStore}`], { stdio: 'pipe' });
    const edgeRef = mlflowRead(python, `file:${edgeStore}`);
    assert.ok(edgeRef.runs.length >= 16);
    await assertSameAsMlflow(new MlflowFileStoreSource(edgeStore), edgeRef);
  });
});
