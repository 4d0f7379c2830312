// A cluster job's provenance, end to end on the real local Slurm: the example project,
// committed with a dvc.lock made by real DVC here, then changed (a dirty tree), has its
// local half captured at submit (commit, patch, dvc.lock's dep hashes), is synced over SFTP
// and run as a batch job whose script measures the node (host, Python, pip freeze, exit
// status); the results come home with that file, the record is joined into provenance.json
// beside mlops-job.json, and the DVCLive run read from there shows it as a local launch does.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DVC_NO_SCM_SETUP } from '../../../src/core/jobs/runCommands';
import { syncProject } from '../../../src/core/jobs/sync/codeSync';
import { fetchResults } from '../../../src/core/jobs/sync/fetchResults';
import { endStep } from '../../../src/core/jobs/sync/jobEndPlan';
import { JOB_PROVENANCE_FILE, saveSubmitPart, writeJobProvenance } from '../../../src/core/provenance/jobProvenance';
import { JOB_ENV_DIR, jobEnvFile } from '../../../src/core/provenance/jobScript';
import { captureSubmitPart } from '../../../src/core/provenance/jobSubmitCapture';
import { nodeRunner } from '../../../src/core/provenance/runner';
import { untranslated as l10n } from '../../../src/core/common/l10n';
import { runProvenanceLines, viewFromTags } from '../../../src/core/provenance/view';
import { parseDvcLock } from '../../../src/core/pipelines/status/dvcLock';
import { DvcLiveSource } from '../../../src/core/runs/dvc/dvcliveSource';
import { clusterSettings, planFromAnswers } from '../../../src/extension/jobs/clusterSettings';
import { repoRoot, requirePeer, slurmSuite } from '../harness';

describe('Cluster job provenance: captured at submit, measured on the node, shown on the run (real Slurm over SSH)', function () {
  this.timeout(420000);
  const slurm = slurmSuite('job-prov');
  let local = '';
  let venvBin = '';
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: local, encoding: 'utf8' }).trim();

  before(function () {
    venvBin = path.dirname(realpathSync(requirePeer(this, 'dvc')));
    local = mkdtempSync(path.join(tmpdir(), 'mlops-job-prov-'));
    cpSync(path.join(repoRoot, 'examples'), local, { recursive: true, filter: (src) => !/(^|\/)(mlflow\.db|mlruns|data|models|dvclive|metrics\.json|dvc\.lock|__pycache__|\.dvc\/(cache|tmp|config\.local))(\/|$)/.test(path.relative(repoRoot, src)) });
    git('init', '-q');
    // A dvc.lock made by real DVC here: its prepare deps are what the record must hold.
    execFileSync(path.join(venvBin, 'dvc'), ['repro', '-q', 'prepare'], { cwd: local, env: { ...process.env, PATH: `${venvBin}:${process.env.PATH ?? ''}` }, stdio: 'pipe' });
    git('add', '-A');
    git('commit', '-qm', 'example');
  });

  after(() => {
    if (local) rmSync(local, { recursive: true, force: true });
  });

  it('a stage job from a dirty tree: provenance.json holds commit, changed file, dvc.lock deps, node host/Python, exit status; the run shows them', async () => {
    const { conn, fs, remote } = slurm;
    appendFileSync(path.join(local, 'src', 'train.py'), '\n# a change not committed\n');
    const command = ['dvc', 'repro', 'train'];
    const part = await captureSubmitPart({ cwd: local, command, stages: ['prepare'], local: nodeRunner, env: process.env });
    const home = path.join(local, '.mlops', 'jobs', 'test', 'pending');
    const sync = await syncProject({ localRoot: local, remoteRoot: remote, fs, createRoot: true });
    assert.ok(sync.uploaded.includes('src/train.py'));
    const [cluster] = clusterSettings([{ name: 'test', host: 'login', setup: [`export PATH=${venvBin}:$PATH`] }]);
    const plan = planFromAnswers(cluster, { command: '', cwd: remote, cpus: '1', timeLimit: '10' }, { name: 'train', argv: command, setup: [DVC_NO_SCM_SETUP], provenanceDir: `${remote}/${JOB_ENV_DIR}` });
    assert.match(slurm.backend.render(plan), /^dvc repro train\n__mlops_rc=\$\?$/m, 'no exec: the shell stays to record the exit status');
    const jobId = await slurm.submit(plan);
    const last = await slurm.jobEnded(jobId, 300000);
    assert.equal(last.state, 'completed', `job ${jobId} ended ${last.raw}`);

    const localDir = path.join(path.dirname(home), jobId);
    await saveSubmitPart(localDir, part);
    // What ResultsHome fetches for a completed stage job with provenance on.
    const step = endStep({ cluster: 'test', jobId, remoteDir: remote, paths: ['dvclive', 'params.yaml'], localRoot: local, what: 'Stage train', array: false, provenance: true }, last);
    assert.deepEqual(step, { kind: 'fetch', paths: ['dvclive', 'params.yaml', jobEnvFile(jobId)], envFile: jobEnvFile(jobId) });
    const report = await fetchResults({ fs, remoteDir: remote, paths: step.paths, localDir, record: { cluster: 'test', jobId, remoteDir: remote, what: 'Stage train', fetchedAt: new Date().toISOString() } });
    assert.ok(report.files.includes(jobEnvFile(jobId)), report.files.join(', '));
    const envText = readFileSync(path.join(localDir, ...jobEnvFile(jobId).split('/')), 'utf8');
    const p = await writeJobProvenance(localDir, envText, { cluster: 'test', jobId });
    assert.ok(p && existsSync(path.join(localDir, JOB_PROVENANCE_FILE)));

    // Against the real tools: git here, dvc.lock as DVC wrote it, hostname / python on the node.
    assert.equal(p.code.commit, git('rev-parse', 'HEAD'));
    assert.deepEqual(p.code.changedFiles, ['src/train.py']);
    const lock = parseDvcLock(readFileSync(path.join(local, 'dvc.lock'), 'utf8'));
    const deps = Object.fromEntries(lock.prepare.deps.map((d) => [d.path, d.md5 ?? '']));
    assert.ok(Object.keys(deps).length >= 2, JSON.stringify(deps));
    assert.deepEqual(p.data.deps, deps);
    const node = await conn.exec(['sh', '-c', 'hostname; "$1"/python -c "import sys; print(sys.version.split()[0])"', 'sh', venvBin]);
    const [host, python] = node.stdout.trim().split('\n');
    assert.equal(p.environment.host, host);
    assert.equal(p.environment.python, python);
    assert.ok(p.environment.packages > 10, `pip freeze lines: ${p.environment.packages}`);
    assert.match(readFileSync(path.join(localDir, 'pip-freeze.txt'), 'utf8'), /^dvc==/m);
    assert.equal(p.timing.exitCode, 0);
    assert.ok(p.timing.end !== undefined && p.timing.end >= p.timing.start);
    assert.deepEqual(p.job, { cluster: 'test', jobId });

    // The run read from that folder carries it: the tooltip's and Compare Runs' view.
    const listing = await new DvcLiveSource(path.join(localDir, 'dvclive')).list();
    assert.deepEqual(listing.warnings, []);
    const [run] = listing.runs;
    assert.equal(run.tags['mlops.job.id'], jobId);
    const view = viewFromTags(run.tags);
    assert.equal(view.recorded, true);
    assert.equal(view.commit, p.code.commit);
    assert.deepEqual(Object.keys(view.changes ?? {}), ['src/train.py']);
    assert.deepEqual(view.data, deps);
    assert.equal(view.host, host);
    assert.equal(view.python, python);
    assert.equal(view.exitCode, '0');
    const tooltip = runProvenanceLines(l10n, run.tags).join('\n');
    assert.match(tooltip, new RegExp(`code \`${p.code.commit!.slice(0, 7)}\`.*\\+ 1 changed file`));
    assert.match(tooltip, new RegExp(`host ${host.replace(/[.-]/g, '\\$&')}`));
    assert.match(tooltip, new RegExp(`Python ${python.replace(/\./g, '\\.')}`));
  });
});
