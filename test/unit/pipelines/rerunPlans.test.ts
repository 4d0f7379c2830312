import { strict as assert } from 'node:assert';
import { dvcArgs, dvcTaskLabel, isDvcTaskDefinition, isMlflowTaskDefinition, mlflowArgs, mlflowTaskLabel } from '../../../src/core/pipelines/rerunPlans';

describe('rerun plans', () => {
  it('turns dvc task definitions into argv', () => {
    assert.deepEqual(dvcArgs({ type: 'mlops-dvc' }), ['repro']);
    assert.deepEqual(dvcArgs({ type: 'mlops-dvc', stage: 'train@a', single: true }), ['repro', '-s', 'train@a']);
    assert.deepEqual(dvcArgs({ type: 'mlops-dvc', stage: 'train' }), ['repro', 'train']);
    assert.deepEqual(dvcArgs({ type: 'mlops-dvc', action: 'exp-run', set: ['a.b=1', 'c=x y'], stage: 'eval' }), ['exp', 'run', '-S', 'a.b=1', '-S', 'c=x y', 'eval']);
    assert.equal(dvcTaskLabel({ type: 'mlops-dvc', stage: 'train', single: true }), 'Run stage train');
    assert.equal(dvcTaskLabel({ type: 'mlops-dvc', action: 'exp-run', set: ['a=1'] }), 'Run experiment with a=1');
  });

  it('turns mlflow task definitions into argv', () => {
    assert.deepEqual(mlflowArgs({ type: 'mlops-mlflow', entryPoint: 'main', parameters: { alpha: '0.5' }, envManager: 'local' }), ['run', '.', '-e', 'main', '-P', 'alpha=0.5', '--env-manager', 'local']);
    assert.deepEqual(mlflowArgs({ type: 'mlops-mlflow', entryPoint: 'main' }), ['run', '.', '-e', 'main']);
    assert.equal(mlflowTaskLabel({ type: 'mlops-mlflow', entryPoint: 'main', parameters: { a: '1' } }), 'Run MLflow entry point main with a=1');
  });

  it('rejects malformed definitions from tasks.json', () => {
    assert.ok(isDvcTaskDefinition({ type: 'mlops-dvc', stage: 's' } as never));
    assert.ok(!isDvcTaskDefinition({ type: 'mlops-dvc', action: 'push' } as never));
    assert.ok(!isDvcTaskDefinition({ type: 'mlops-dvc', set: ['no-equals'] } as never));
    assert.ok(isMlflowTaskDefinition({ type: 'mlops-mlflow', entryPoint: 'main' } as never));
    assert.ok(!isMlflowTaskDefinition({ type: 'mlops-mlflow' } as never));
    assert.ok(!isMlflowTaskDefinition({ type: 'mlops-mlflow', entryPoint: 'm', parameters: { a: 1 } } as never));
  });
});
