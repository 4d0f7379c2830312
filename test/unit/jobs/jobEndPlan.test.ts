import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseRayJobs } from '../../../src/core/jobs/ray/rayJobs';
import { parseSacct } from '../../../src/core/jobs/slurm/sacct';
import { endStep, fetchedMessage, linkedMessage, notBroughtMessage, type ExpectedResult } from '../../../src/core/jobs/sync/jobEndPlan';
import type { JobRecord } from '../../../src/core/jobs/types';
import { l10n } from '../l10nFormat';

// What ResultsHome does when the Jobs view sees a job end, decided from the ends real Slurm
// (sacct of slurmdbd 22.05.8) and real Ray (2.60.0's /api/jobs/) reported (fixtures/README.md).
const fixture = (...p: string[]) => readFileSync(path.join(__dirname, 'fixtures', ...p), 'utf8');
const slurmEnds = new Map(parseSacct(fixture('sacct.txt'), []).map((r) => [r.name, r]));
const slurm = (name: string): JobRecord => {
  const r = slurmEnds.get(name);
  assert.ok(r, name);
  return r;
};
const rayEnds = parseRayJobs(JSON.parse(fixture('ray', 'jobs.json')), Date.parse('2026-12-06T15:00:00Z')).jobs;
const ray = (status: string, exitCode?: number) => {
  const j = rayEnds.find((x) => x.raw === status && (exitCode === undefined || x.exitCode === exitCode));
  assert.ok(j, status);
  return j;
};

const stage: ExpectedResult = { cluster: 'gpu', jobId: '369', remoteDir: '/scratch/p', paths: ['dvclive', 'params.yaml'], localRoot: '/ws', what: 'stage train', array: false, provenance: true };
const rayStage: ExpectedResult = { ...stage, jobId: 'raysubmit_x', remoteDir: 'working_dir', fromLog: true };
const entryPoint: ExpectedResult = { ...stage, paths: [], mlflowRuns: true };

describe('a job ended: what comes home (core/jobs/sync/jobEndPlan)', () => {
  it('COMPLETED: its result paths, and the node\'s measurements file when provenance is on (Slurm: named by the job id; Ray: the one in its log)', () => {
    assert.equal(slurm('ok').state, 'completed');
    assert.deepEqual(endStep(stage, slurm('ok')), { kind: 'fetch', paths: ['dvclive', 'params.yaml', '.mlops/jobs/mlops-env-369.txt'], envFile: '.mlops/jobs/mlops-env-369.txt' });
    assert.deepEqual(endStep({ ...stage, provenance: undefined }, slurm('ok')), { kind: 'fetch', paths: ['dvclive', 'params.yaml'] });
    assert.deepEqual(endStep(rayStage, ray('SUCCEEDED')), { kind: 'fetch', paths: ['dvclive', 'params.yaml', '.mlops/jobs/mlops-env-job.txt'], envFile: '.mlops/jobs/mlops-env-job.txt' });
  });

  it('TIMEOUT: only provenance.json, with Slurm\'s kill as its end reason', () => {
    assert.equal(slurm('limit').raw, 'TIMEOUT');
    assert.deepEqual(endStep(stage, slurm('limit')), { kind: 'provenance', ended: { exitCode: 0, reason: 'killed by Slurm: TIMEOUT', killed: true } });
  });

  it('FAILED with exit code 3: provenance.json with the status, a failure not a kill', () => {
    assert.deepEqual(endStep(stage, slurm('fails')), { kind: 'provenance', ended: { exitCode: 3, reason: 'failed (Slurm: FAILED)' } });
  });

  it('CANCELLED (by uid 0): a kill in Slurm\'s first word', () => {
    assert.equal(slurm('two | words').raw, 'CANCELLED by 0');
    assert.deepEqual(endStep(stage, slurm('two | words')), { kind: 'provenance', ended: { exitCode: 0, reason: 'killed by Slurm: CANCELLED', killed: true } });
  });

  it('Ray FAILED (exit 3) and STOPPED: provenance.json in Ray\'s words', () => {
    assert.deepEqual(endStep(rayStage, ray('FAILED', 3)), { kind: 'provenance', ended: { exitCode: 3, reason: 'failed (Ray: FAILED)' } });
    assert.deepEqual(endStep(rayStage, ray('STOPPED')), { kind: 'provenance', ended: { reason: 'killed by Ray: STOPPED', killed: true } });
  });

  it('a job that did not complete without provenance brings nothing home', () => {
    for (const end of [slurm('limit'), slurm('fails'), slurm('two | words')]) assert.deepEqual(endStep({ ...stage, provenance: undefined }, end), { kind: 'nothing' });
    assert.deepEqual(endStep({ ...rayStage, provenance: undefined }, ray('FAILED', 3)), { kind: 'nothing' });
  });

  it('an MLflow entry point, however it ended: its runs are tagged, with the engine\'s end unless it completed', () => {
    assert.deepEqual(endStep(entryPoint, slurm('ok')), { kind: 'linkRuns', provenance: {} });
    assert.deepEqual(endStep(entryPoint, slurm('limit')), { kind: 'linkRuns', provenance: { ended: { exitCode: 0, reason: 'killed by Slurm: TIMEOUT', killed: true } } });
    assert.deepEqual(endStep({ ...entryPoint, fromLog: true }, ray('FAILED', 3)), { kind: 'linkRuns', provenance: { ended: { exitCode: 3, reason: 'failed (Ray: FAILED)' } } });
    assert.deepEqual(endStep({ ...entryPoint, provenance: undefined }, slurm('fails')), { kind: 'linkRuns' });
  });
});

describe('a job ended: what the user is told', () => {
  it('results home: in the Runs view (refreshed), or none written', () => {
    assert.deepEqual(fetchedMessage(l10n, stage, 3), { message: 'job 369 (stage train) on gpu completed; its results are in the Runs view.', refreshRuns: true });
    assert.deepEqual(fetchedMessage(l10n, stage, 0), { message: 'job 369 (stage train) on gpu completed; it wrote no run files to bring home.', refreshRuns: false });
  });

  it('an entry point\'s runs: tagged in the Runs view, or where to find them', () => {
    assert.equal(linkedMessage(l10n, entryPoint, 'TIMEOUT', { tagged: ['r1'], notListed: ['r2'] }), 'job 369 (stage train) on gpu ended TIMEOUT; its MLflow run is in the Runs view, tagged with the job.');
    assert.equal(
      linkedMessage(l10n, entryPoint, 'COMPLETED', { tagged: [], notListed: ['r1', 'r2'] }),
      "job 369 (stage train) on gpu ended COMPLETED; its MLflow run r1, r2 is not in the Runs view: it is where the job's MLFLOW_TRACKING_URI points (set mlops.mlflow.trackingUri to that server to list it here), or the view's search hides it.",
    );
    assert.equal(notBroughtMessage(l10n, stage, 'No such file'), 'the results of job 369 on gpu could not be copied back: No such file');
  });
});
