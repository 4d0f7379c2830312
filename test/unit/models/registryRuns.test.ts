import { strict as assert } from 'node:assert';
import { runsOfRegistry, storeId } from '../../../src/core/models/registryRuns';
import { sourceId } from '../../../src/extension/runs/runsModel';

const listed = (kind: string, location: string, id: string, startTime?: number) => ({ ref: { sourceId: storeId(kind, location), runId: id }, run: { id, startTime } });

describe('Register Model from Run…: the runs of a registry', () => {
  it('names a store the way the Runs view names its source', () => {
    assert.equal(storeId('mlflow-sqlite', '/w/mlflow.db'), sourceId({ kind: 'mlflow-sqlite', location: '/w/mlflow.db' }));
  });

  it('takes the runs of the same store only, newest first, runs without a start time last', () => {
    const runs = [
      listed('mlflow-sqlite', '/w/mlflow.db', 'old', 1000),
      listed('mlflow-sqlite', '/w/mlflow.db', 'undated'),
      listed('mlflow-sqlite', '/w/mlflow.db', 'new', 3000),
      // A store whose path ends with the registry's, another kind on the same folder, and a DVC project.
      listed('mlflow-sqlite', '/other/w/mlflow.db', 'suffix', 5000),
      listed('mlflow-file', '/w/mlflow.db', 'kind', 5000),
      listed('dvc-experiments', '/w', 'dvc', 5000),
    ];
    assert.deepEqual(
      runsOfRegistry(storeId('mlflow-sqlite', '/w/mlflow.db'), runs).map((r) => r.run.id),
      ['new', 'old', 'undated'],
    );
    assert.deepEqual(runsOfRegistry(storeId('mlflow-rest', 'http://127.0.0.1:5000'), runs), []);
  });
});
