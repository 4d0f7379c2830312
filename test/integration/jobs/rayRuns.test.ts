// Runs of the views on a real 2-node Ray cluster (scripts/components/ray.sh), built exactly as
// "Run Stage on Cluster" / "Run Experiment on Cluster…" build them (rayRunPlan): the example's
// prepare stage as a Ray job → SUCCEEDED, its dvc.lock brought home from the job's log; an
// experiment grid of two → two Ray jobs sharing a grid label, each bringing home its own
// params.yaml and DVCLive metrics, read back with the real DVC/YAML tools' output.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { GRID_LABEL } from '../../../src/core/jobs/ray/rayJobs';
import { logResultsFs, parseResultsLog } from '../../../src/core/jobs/ray/resultsInLog';
import { experimentArgv, gridOf, parseParams, stageArgv } from '../../../src/core/jobs/runCommands';
import { fetchResults, JOB_RECORD_FILE } from '../../../src/core/jobs/sync/fetchResults';
import { DvcLiveSource } from '../../../src/core/runs/dvc/dvcliveSource';
import { clusterSettings } from '../../../src/extension/jobs/clusterSettings';
import { rayRunPlan } from '../../../src/extension/jobs/rayClusterSettings';
import { groupGrids } from '../../../src/extension/jobs/rayModel';
import { examplesGitTree, rayJobEnded, repoRoot, requireOrSkip, requireRay, rayScript, type RayComponent } from '../harness';

describe('Runs from the views on a real Ray cluster (stage, experiment grid, results home from the log)', function () {
  this.timeout(400000);
  let ray: RayComponent;
  let backend: RayBackend;
  let project = '';
  let home = '';
  const user = `tester-${process.pid}`;
  const peersBin = path.join(repoRoot, '.venv-peers', 'bin');

  const ended = (id: string) => rayJobEnded(backend, id);
  const bringHome = async (jobId: string, paths: string[]) => {
    const printed = parseResultsLog(await backend.logs(jobId));
    assert.ok(printed, `job ${jobId} printed its results`);
    assert.ok(printed.complete);
    const localDir = path.join(home, jobId);
    const report = await fetchResults({ fs: logResultsFs(printed), remoteDir: '', paths, localDir, record: { cluster: 'local', jobId, remoteDir: 'working_dir', what: 'test', fetchedAt: new Date().toISOString() } });
    return { localDir, report };
  };

  before(async function () {
    this.timeout(300000);
    requireOrSkip(this, existsSync(path.join(peersBin, 'dvc')) ? undefined : `${peersBin}/dvc is missing (run bash scripts/setup/peers.sh)`);
    ray = await requireRay(this);
    backend = new RayBackend({ address: ray.dashboard, user, name: 'local' });
    project = examplesGitTree(mkdtempSync(path.join(tmpdir(), 'mlops-rayruns-')));
    home = mkdtempSync(path.join(tmpdir(), 'mlops-rayhome-'));
  });

  after(async function () {
    this.timeout(120000);
    backend?.dispose();
    for (const d of [project, home]) if (d) rmSync(d, { recursive: true, force: true });
    if (ray?.startedHere) await rayScript('down');
  });

  // The nodes' Python environment is the cluster setting's `setup` (here: the peers venv with DVC).
  const cluster = () => clusterSettings([{ name: 'local', type: 'ray', address: ray.dashboard, setup: [`export PATH=${peersBin}:$PATH`] }])[0];

  it('Run Stage: `dvc repro -s prepare` in the uploaded project → SUCCEEDED; its dvc.lock comes home through the log', async () => {
    const plan = rayRunPlan(cluster(), { cpus: '1' }, { run: { name: 'prepare', argv: stageArgv('prepare') }, localDir: project, cwd: '', results: ['dvc.lock', 'params.yaml', 'dvclive'] });
    const { jobId, jobIds } = await backend.submit(plan);
    assert.equal(jobIds, undefined);
    const job = await ended(jobId);
    const log = await backend.logs(jobId);
    assert.equal(job.raw, 'SUCCEEDED', `${job.reason}\n${log.slice(-3000)}`);
    assert.match(log, /Running stage 'prepare'/);
    const { localDir, report } = await bringHome(jobId, ['dvc.lock', 'params.yaml', 'dvclive']);
    assert.deepEqual(report.files.sort(), ['dvc.lock', 'params.yaml']);
    assert.deepEqual(report.missing, ['dvclive']);
    // The lock DVC wrote on the node: the prepare stage with the params it ran with.
    const lock = readFileSync(path.join(localDir, 'dvc.lock'), 'utf8');
    assert.match(lock, /prepare:\n\s+cmd: python src\/prepare\.py/);
    assert.match(lock, /n_samples: 600/);
    assert.equal(readFileSync(path.join(localDir, 'params.yaml'), 'utf8'), readFileSync(path.join(project, 'params.yaml'), 'utf8'));
    assert.equal(JSON.parse(readFileSync(path.join(localDir, JOB_RECORD_FILE), 'utf8')).jobId, jobId);
    // The upload itself is untouched: the job ran in a private copy of the working_dir.
    assert.equal(existsSync(path.join(project, 'dvc.lock')), false);
  });

  it('Run Experiment with a grid of 2 → two Ray jobs sharing a grid label, each with its own params and DVCLive run', async () => {
    const parsed = parseParams('train.epochs=1,2 prepare.n_samples=200');
    const run = { name: 'exp', argv: experimentArgv(parsed.fixed), array: gridOf(parsed, '-S')! };
    const results = ['dvclive', 'metrics.json', 'params.yaml'];
    const plan = rayRunPlan(cluster(), {}, { run, localDir: project, cwd: '', results });
    const { jobIds, grid } = await backend.submit(plan);
    assert.equal(jobIds?.length, 2);
    assert.match(grid ?? '', /^grid-[0-9a-f]{12}$/);
    const listed = groupGrids((await backend.listJobs()).filter((j) => j.arrayJobId === grid));
    assert.deepEqual(listed.map((j) => j.arrayTaskId), ['1/2', '2/2']);
    assert.deepEqual(listed.map((j) => j.id), jobIds);
    assert.deepEqual(listed.map((j) => j.name), ['exp train.epochs=1', 'exp train.epochs=2']);
    for (const [i, id] of jobIds!.entries()) {
      const job = await ended(id);
      assert.equal(job.raw, 'SUCCEEDED', `${job.reason}\n${(await backend.logs(id)).slice(-3000)}`);
      const meta = (await backend.http.json<{ metadata: Record<string, string> }>('GET', `/api/jobs/${id}`)).metadata;
      assert.equal(meta[GRID_LABEL], grid);
      const { localDir, report } = await bringHome(id, results);
      assert.ok(report.files.includes('params.yaml') && report.files.includes('dvclive/metrics.json'), report.files.join(', '));
      const params = readFileSync(path.join(localDir, 'params.yaml'), 'utf8');
      assert.match(params, new RegExp(`epochs: ${i + 1}\\b`));
      assert.match(params, /n_samples: 200\b/);
      // The Runs view's DVCLive source reads the folder as a run named after the job.
      const { runs } = await new DvcLiveSource(path.join(localDir, 'dvclive')).list();
      assert.equal(runs.length, 1);
      assert.equal(runs[0].tags['mlops.job.id'], id);
      assert.equal(runs[0].params.epochs, String(i + 1)); // what live.log_params wrote: the train section
    }
  });
});
