import { strict as assert } from 'node:assert';
import { entryPointOf } from '../../../src/core/provenance/session';

describe('entryPointOf (the params a run made first for mlflow run --run-id logs)', () => {
  it('reads -e and every -P k=v, a value keeping its own = signs', () => {
    assert.deepEqual(entryPointOf(['mlflow', 'run', '.', '-e', 'report', '-P', 'indent=4', '--param-list', 'q=a=b', '--env-manager', 'local']), {
      entryPoint: 'report',
      parameters: { indent: '4', q: 'a=b' },
    });
  });
  it("defaults to MLflow's main entry point and skips a -P without a key", () => {
    assert.deepEqual(entryPointOf(['mlflow', 'run', '.', '-P', '=x', '-P']), { entryPoint: 'main', parameters: {} });
  });
  it('is nothing for other mlflow commands', () => {
    assert.equal(entryPointOf(['mlflow', 'models', 'serve']), undefined);
  });
});
