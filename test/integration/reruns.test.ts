import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { dvcArgs, mlflowArgs, DVC_TASK_TYPE, MLFLOW_TASK_TYPE } from '../../src/core/pipelines/rerunPlans';
import { computePipelineStatus } from '../../src/core/pipelines/status/stageStatus';
import { repoRoot, requirePeer } from './harness';

// The argv our rerun tasks run, run for real by the DVC and MLflow CLIs on a sandbox copy
// of examples/: what the task says it does is what the tool does.
describe('reruns with the real DVC and MLflow CLIs', function () {
  this.timeout(300000);
  let dir = '';
  let env: NodeJS.ProcessEnv;
  let dvc = '';
  let mlflow = '';

  before(function () {
    dvc = requirePeer(this, 'dvc');
    mlflow = requirePeer(this, 'mlflow');
    env = { ...process.env, PATH: `${path.dirname(dvc)}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1', MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db' };
    const parent = mkdtempSync(path.join(tmpdir(), 'mlops-reruns-'));
    dir = execFileSync('bash', [path.join(repoRoot, 'scripts/example/make-sandbox.sh'), path.join(parent, 'p')], { env, encoding: 'utf8' }).trim();
  });

  after(() => dir && rmSync(path.dirname(dir), { recursive: true, force: true }));

  const run = (exe: string, args: string[]) => execFileSync(exe, args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const lockParams = () => (parse(readFileSync(path.join(dir, 'dvc.lock'), 'utf8')) as { stages: Record<string, { params?: Record<string, Record<string, unknown>> }> }).stages;

  it('runs the whole pipeline, after which every stage is up to date', async () => {
    assert.deepEqual(dvcArgs({ type: DVC_TASK_TYPE }), ['repro']);
    run(dvc, dvcArgs({ type: DVC_TASK_TYPE }));
    assert.deepEqual(await computePipelineStatus({ dir }), {});
  });

  it('reruns one changed stage alone with dvc repro -s', async () => {
    appendFileSync(path.join(dir, 'src/evaluate.py'), '\n# edited by the reruns test\n');
    assert.deepEqual(Object.keys(await computePipelineStatus({ dir })), ['evaluate']);
    const out = run(dvc, dvcArgs({ type: DVC_TASK_TYPE, stage: 'evaluate', single: true }));
    assert.match(out, /Running stage 'evaluate'/);
    assert.doesNotMatch(out, /Running stage 'train'/);
    assert.deepEqual(await computePipelineStatus({ dir }), {});
  });

  it('runs an experiment with changed params (dvc exp run -S)', async () => {
    const args = dvcArgs({ type: DVC_TASK_TYPE, action: 'exp-run', set: ['train.epochs=2', 'train.eta0=0.01'] });
    assert.deepEqual(args, ['exp', 'run', '-S', 'train.epochs=2', '-S', 'train.eta0=0.01']);
    run(dvc, args);
    const params = parse(readFileSync(path.join(dir, 'params.yaml'), 'utf8')) as { train: { epochs: number; eta0: number } };
    assert.equal(params.train.epochs, 2);
    assert.equal(params.train.eta0, 0.01);
    assert.equal(lockParams().train.params?.['params.yaml']['train.epochs'], 2, 'train ran with the new epochs');
    const exps = JSON.parse(run(dvc, ['exp', 'show', '--json'])) as { experiments?: unknown[] }[];
    assert.ok(JSON.stringify(exps).includes('"epochs":2'), 'dvc exp show lists the experiment with epochs 2');
  });

  it('runs an MLflow entry point with -P parameters in the local environment', () => {
    const args = mlflowArgs({ type: MLFLOW_TASK_TYPE, entryPoint: 'report', parameters: { indent: '4' }, envManager: 'local' });
    assert.deepEqual(args, ['run', '.', '-e', 'report', '-P', 'indent=4', '--env-manager', 'local']);
    const out = execFileSync(mlflow, args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const metrics = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as Record<string, number>;
    assert.ok(out.includes(JSON.stringify(metrics, null, 4).split('\n')[1]), `indent=4 reached the command:\n${out}`);
  });
});
