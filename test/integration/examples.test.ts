import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { readSqliteRegistry } from '../../src/core/models/mlflowSqliteRegistry';
import { repoRoot, requirePeer } from './harness';

// The example project runs for real with the peers' venv, in a throw-away git + DVC
// repo: later issues build their demos and tests on what it writes.
describe('examples/ pipeline with real DVC, MLflow and DVCLive', function () {
  this.timeout(300000);
  let sandbox = '';
  let env: NodeJS.ProcessEnv;
  let python = '';
  const epochs = (parse(readFileSync(path.join(repoRoot, 'examples', 'params.yaml'), 'utf8')) as { train: { epochs: number } }).train.epochs;

  before(function () {
    python = requirePeer(this, 'python');
    const dvcBin = requirePeer(this, 'dvc');
    env = { ...process.env, PATH: `${path.dirname(dvcBin)}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
    const parent = mkdtempSync(path.join(tmpdir(), 'mlops-examples-'));
    sandbox = execFileSync('bash', [path.join(repoRoot, 'scripts/example/make-sandbox.sh'), path.join(parent, 'project')], { env, encoding: 'utf8' }).trim();
    execFileSync('dvc', ['repro'], { cwd: sandbox, env, stdio: 'pipe' });
  });

  after(() => {
    if (sandbox) rmSync(path.dirname(sandbox), { recursive: true, force: true });
  });

  it('leaves the pipeline up to date by `dvc status`', () => {
    const status = JSON.parse(execFileSync('dvc', ['status', '--json'], { cwd: sandbox, env, encoding: 'utf8' }));
    assert.deepEqual(status, {});
  });

  it('writes metrics.json with the evaluation scores', () => {
    const metrics = JSON.parse(readFileSync(path.join(sandbox, 'metrics.json'), 'utf8'));
    for (const k of ['accuracy', 'f1', 'roc_auc']) assert.ok(metrics[k] > 0.5 && metrics[k] <= 1, `${k}=${metrics[k]}`);
  });

  it('logs one finished MLflow run with a per-epoch history in mlflow.db', () => {
    const script = [
      'import json, mlflow',
      'from mlflow.tracking import MlflowClient',
      "mlflow.set_tracking_uri('sqlite:///mlflow.db')",
      "runs = mlflow.search_runs(experiment_names=['examples-classifier'], output_format='list')",
      'c = MlflowClient()',
      "print(json.dumps([{'status': r.info.status, 'params': r.data.params, 'history': [m.step for m in c.get_metric_history(r.info.run_id, 'test_accuracy')]} for r in runs]))",
    ].join('\n');
    const runs = JSON.parse(execFileSync(python, ['-c', script], { cwd: sandbox, env, encoding: 'utf8' }).trim().split('\n').pop()!);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].status, 'FINISHED');
    assert.equal(runs[0].params.epochs, String(epochs));
    assert.equal(runs[0].history.length, epochs);
  });

  it('registers its model (signature + input example) as @champion, as MlflowClient and our reader see it', async () => {
    const script = [
      'import json, mlflow',
      'from mlflow import MlflowClient',
      "c = MlflowClient('sqlite:///mlflow.db')",
      "mv = c.get_model_version_by_alias('examples-classifier', 'champion')",
      "info = mlflow.models.get_model_info(f'models:/examples-classifier@champion')",
      "print(json.dumps({'version': str(mv.version), 'run': mv.run_id, 'inputs': info.signature.inputs.to_dict() if info.signature else None, 'example': info.saved_input_example_info}))",
    ].join('\n');
    const ref = JSON.parse(execFileSync(python, ['-c', script], { cwd: sandbox, env, encoding: 'utf8' }).trim().split('\n').pop()!);
    assert.ok(ref.inputs?.length, 'the logged model has a signature');
    assert.ok(ref.example, 'the logged model has an input example');
    const ours = await readSqliteRegistry(path.join(sandbox, 'mlflow.db'));
    const model = ours.models.find((m) => m.name === 'examples-classifier');
    assert.equal(model?.aliases.champion, ref.version);
    assert.equal(model?.versions.find((v) => v.version === ref.version)?.runId, ref.run);
  });

  it('writes DVCLive metrics and one plot row per epoch', () => {
    assert.ok(existsSync(path.join(sandbox, 'dvclive', 'metrics.json')));
    const plots = path.join(sandbox, 'dvclive', 'plots', 'metrics');
    const tsvs = readdirSync(plots).filter((f) => f.endsWith('.tsv'));
    assert.ok(tsvs.includes('test_accuracy.tsv'), tsvs.join(','));
    const rows = readFileSync(path.join(plots, 'test_accuracy.tsv'), 'utf8').trim().split('\n');
    assert.equal(rows.length, epochs + 1); // header + one row per epoch
  });
});
