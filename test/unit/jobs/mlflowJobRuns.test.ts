// The MLflow run ids `mlflow run` names in a job's log (its lines as MLflow 3 writes them; the
// real tool's log is checked in test/integration/jobs/rayMlflowRuns.test.ts).
import { strict as assert } from 'node:assert';
import { jobTags, mlflowRunIdsInLog } from '../../../src/core/jobs/mlflowJobRuns';

describe('MLflow runs in a job log', () => {
  const a = '6a5109febe5e4a549461e149590d0a7c';
  const b = '0123456789abcdef0123456789abcdef';

  it('names each run once, first seen first, from the start and the end lines', () => {
    const log = [
      `2026/12/06 18:00:00 INFO mlflow.projects.backend.local: === Running command 'python src/prepare.py' in run with ID '${a}' === `,
      'prepare: 480 train rows, 120 test rows',
      `2026/12/06 18:00:05 INFO mlflow.projects: === Run (ID '${a}') succeeded ===`,
      `2026/12/06 18:00:06 ERROR mlflow.cli: === Run (ID '${b}') failed ===`,
    ].join('\n');
    assert.deepEqual(mlflowRunIdsInLog(log), [a, b]);
  });

  it('ignores what is not a run id; stops at the limit', () => {
    assert.deepEqual(mlflowRunIdsInLog(`in run with ID '${a.slice(1)}' and in run with ID 'XYZ'`), []);
    assert.deepEqual(mlflowRunIdsInLog(''), []);
    const many = Array.from({ length: 300 }, (_, i) => `=== Run (ID '${i.toString(16).padStart(32, '0')}') succeeded ===`).join('\n');
    assert.equal(mlflowRunIdsInLog(many).length, 100);
    assert.equal(mlflowRunIdsInLog(many, 3).length, 3);
  });

  it('the tags that link a run to its job', () => {
    assert.deepEqual(jobTags({ cluster: 'lab', jobId: 'raysubmit_1' }), [
      { key: 'mlops.job.id', value: 'raysubmit_1' },
      { key: 'mlops.job.cluster', value: 'lab' },
    ]);
  });
});
