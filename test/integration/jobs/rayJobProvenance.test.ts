// A Ray job's provenance on a real Ray cluster (scripts/components/ray.sh): the example
// project committed with a dvc.lock made by real DVC, then changed, its local half captured
// at submit, run as a Ray job built as "Run Stage on Cluster" builds it (rayRunPlan); the
// node's measurements come home in the job's log with the results, the record is joined
// into provenance.json and the DVCLive run read from the folder shows it.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { logResultsFs, parseResultsLog } from '../../../src/core/jobs/ray/resultsInLog';
import { fetchResults } from '../../../src/core/jobs/sync/fetchResults';
import { saveSubmitPart, writeJobProvenance } from '../../../src/core/provenance/jobProvenance';
import { JOB_ENV_DIR, jobEnvFile } from '../../../src/core/provenance/jobScript';
import { captureSubmitPart } from '../../../src/core/provenance/jobSubmitCapture';
import { nodeRunner } from '../../../src/core/provenance/runner';
import { viewFromTags } from '../../../src/core/provenance/view';
import { parseDvcLock } from '../../../src/core/pipelines/status/dvcLock';
import { DvcLiveSource } from '../../../src/core/runs/dvc/dvcliveSource';
import { clusterSettings } from '../../../src/extension/jobs/clusterSettings';
import { rayRunPlan } from '../../../src/extension/jobs/rayClusterSettings';
import { examplesGitTree, rayJobEnded, rayScript, repoRoot, requireOrSkip, requireRay, type RayComponent } from '../harness';

describe('Ray job provenance: captured at submit, measured on the node, home through the log (real Ray)', function () {
  this.timeout(400000);
  let ray: RayComponent;
  let backend: RayBackend;
  let project = '';
  const peersBin = path.join(repoRoot, '.venv-peers', 'bin');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: project, encoding: 'utf8' }).trim();

  before(async function () {
    this.timeout(300000);
    requireOrSkip(this, existsSync(path.join(peersBin, 'dvc')) ? undefined : `${peersBin}/dvc is missing (run bash scripts/setup/peers.sh)`);
    ray = await requireRay(this);
    backend = new RayBackend({ address: ray.dashboard, user: `prov-${process.pid}`, name: 'local' });
    project = examplesGitTree(mkdtempSync(path.join(tmpdir(), 'mlops-rayprov-')));
    execFileSync(path.join(peersBin, 'dvc'), ['repro', '-q', 'prepare'], { cwd: project, env: { ...process.env, PATH: `${peersBin}:${process.env.PATH ?? ''}` }, stdio: 'pipe' });
    git('add', '-A');
    git('commit', '-qm', 'example');
  });

  after(async function () {
    this.timeout(120000);
    backend?.dispose();
    if (project) rmSync(project, { recursive: true, force: true });
    if (ray?.startedHere) await rayScript('down');
  });

  it('a stage job from a dirty tree: provenance.json holds commit, changed file, dvc.lock deps, node host/Python, exit 0; the run shows them', async () => {
    appendFileSync(path.join(project, 'src', 'train.py'), '\n# not committed\n');
    const command = ['dvc', 'repro', 'train'];
    const part = await captureSubmitPart({ cwd: project, command, stages: ['prepare'], local: nodeRunner, env: process.env });
    const [cluster] = clusterSettings([{ name: 'local', type: 'ray', address: ray.dashboard, setup: [`export PATH=${peersBin}:$PATH`] }]);
    const results = ['dvclive', 'params.yaml'];
    const plan = rayRunPlan(cluster, { cpus: '1' }, { run: { name: 'train', argv: command, provenanceDir: JOB_ENV_DIR }, localDir: project, cwd: '', results });
    const { jobId } = await backend.submit(plan);
    const job = await rayJobEnded(backend, jobId);
    const log = await backend.logs(jobId);
    assert.equal(job.raw, 'SUCCEEDED', `${job.reason}\n${log.slice(-3000)}`);
    const printed = parseResultsLog(log);
    assert.ok(printed?.complete);
    const localDir = path.join(mkdtempSync(path.join(tmpdir(), 'mlops-rayprov-home-')), jobId);
    try {
      await saveSubmitPart(localDir, part);
      const report = await fetchResults({ fs: logResultsFs(printed), remoteDir: '', paths: [...results, jobEnvFile()], localDir, record: { cluster: 'local', jobId, remoteDir: 'working_dir', what: 'Stage train', fetchedAt: new Date().toISOString() } });
      assert.ok(report.files.includes(jobEnvFile()), report.files.join(', '));
      const p = await writeJobProvenance(localDir, readFileSync(path.join(localDir, ...jobEnvFile().split('/')), 'utf8'), { cluster: 'local', jobId });
      assert.ok(p);
      assert.equal(p.code.commit, git('rev-parse', 'HEAD'));
      assert.deepEqual(p.code.changedFiles, ['src/train.py']);
      const lock = parseDvcLock(readFileSync(path.join(project, 'dvc.lock'), 'utf8'));
      assert.deepEqual(p.data.deps, Object.fromEntries(lock.prepare.deps.map((d) => [d.path, d.md5 ?? ''])));
      // The Ray nodes of the test cluster are processes on this machine; the job's Python is the setup's.
      assert.equal(p.environment.host, hostname());
      assert.equal(p.environment.python, execFileSync(path.join(peersBin, 'python'), ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim());
      assert.equal(p.timing.exitCode, 0);
      const [run] = (await new DvcLiveSource(path.join(localDir, 'dvclive')).list()).runs;
      const v = viewFromTags(run.tags);
      assert.equal(v.commit, p.code.commit);
      assert.equal(v.host, hostname());
      assert.equal(v.python, p.environment.python);
      assert.equal(v.exitCode, '0');
    } finally {
      rmSync(path.dirname(localDir), { recursive: true, force: true });
    }
  });
});
