// A stage run on the real local Slurm the way the views do it: the example project synced
// over SFTP to a remote root, `dvc repro -s` submitted as a batch job (with the setup line a
// synced copy needs), its outputs checked where the job wrote them; the train stage's
// DVCLive output brought home over SFTP and read by the Runs view's DVCLive source, field
// by field against what DVCLive wrote on the cluster; and a job's output followed while it
// runs. Real sshd, real slurmctld/slurmd, real dvc/dvclive/mlflow from the peers' venv.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DVC_NO_SCM_SETUP, gridOf, parseParams, stageArgv } from '../../../src/core/jobs/runCommands';
import { syncProject } from '../../../src/core/jobs/sync/codeSync';
import { fetchResults } from '../../../src/core/jobs/sync/fetchResults';
import { DvcLiveSource } from '../../../src/core/runs/dvc/dvcliveSource';
import { clusterSettings, planFromAnswers } from '../../../src/extension/jobs/clusterSettings';
import { followArgv, parseFollow, stillRunning } from '../../../src/extension/jobs/jobOutput';
import { repoRoot, requirePeer, slurmSuite, waitFor } from '../harness';

describe('Run a stage on the cluster: sync, submit, outputs, results home, follow (real Slurm over SSH)', function () {
  this.timeout(300000);
  const slurm = slurmSuite('cluster-run');
  let local = '';
  let home = '';
  let venvBin = '';

  const sh = async (command: string, ...args: string[]) => slurm.conn.exec(['sh', '-c', command, 'sh', ...args]);
  const runStage = async (stage: string) => {
    const [cluster] = clusterSettings([{ name: 'test', host: 'login', setup: [`export PATH=${venvBin}:$PATH`] }]);
    const plan = planFromAnswers(cluster, { command: '', cwd: slurm.remote, cpus: '1', timeLimit: '10' }, { name: stage, argv: stageArgv(stage), setup: [DVC_NO_SCM_SETUP] });
    const jobId = await slurm.submit(plan);
    const done = await slurm.jobEnded(jobId);
    if (done.state !== 'completed') {
      const err = await sh('cat "$1"', done.stderrPath ?? '');
      assert.fail(`stage ${stage}: job ${jobId} ended ${done.raw} (exit ${done.exitCode}):\n${err.stdout.slice(-3000)}`);
    }
    return done;
  };

  before(function () {
    venvBin = path.dirname(realpathSync(requirePeer(this, 'dvc')));
    local = mkdtempSync(path.join(tmpdir(), 'mlops-cluster-run-'));
    home = mkdtempSync(path.join(tmpdir(), 'mlops-results-'));
    cpSync(path.join(repoRoot, 'examples'), local, { recursive: true, filter: (src) => !/(^|\/)(mlflow\.db|mlruns|data|models|dvclive|metrics\.json|dvc\.lock|__pycache__|\.dvc\/(cache|tmp|config\.local))(\/|$)/.test(path.relative(repoRoot, src)) });
    execFileSync('git', ['init', '-q', local]);
  });

  after(() => {
    for (const d of [local, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('the synced example stage `prepare` runs as a job and its outputs are in the remote root', async () => {
    const report = await syncProject({ localRoot: local, remoteRoot: slurm.remote, fs: slurm.fs, createRoot: true });
    assert.ok(report.uploaded.includes('dvc.yaml') && report.uploaded.includes('src/prepare.py'));
    await runStage('prepare');
    const check = await sh('cd "$1" && wc -l < data/prepared/train.csv && wc -l < data/prepared/test.csv && grep -c "^  prepare:" dvc.lock', slurm.remote);
    assert.equal(check.code, 0, check.stderr);
    const [train, test, locked] = check.stdout.trim().split('\n').map(Number);
    // params.yaml: 600 samples, test_size 0.25 → 450 + 150 rows, each with a header.
    assert.deepEqual([train, test, locked], [451, 151, 1]);
  });

  it('the `train` stage job completes; its DVCLive output comes home and reads as a run linked to the job, field by field', async () => {
    const job = await runStage('train');
    const report = await fetchResults({ fs: slurm.fs, remoteDir: slurm.remote, paths: ['dvclive', 'params.yaml', 'metrics.json'], localDir: home, record: { cluster: 'test', jobId: job.id, remoteDir: slurm.remote, what: 'Stage train', fetchedAt: new Date().toISOString() } });
    assert.deepEqual(report.missing, ['metrics.json'], 'evaluate did not run, so only its metrics.json is absent');
    assert.ok(report.files.includes('dvclive/metrics.json') && report.files.includes('params.yaml'), report.files.join(', '));
    const listing = await new DvcLiveSource(path.join(home, 'dvclive')).list();
    assert.deepEqual(listing.warnings, []);
    const [run] = listing.runs;
    assert.equal(run.tags['mlops.job.id'], job.id);
    assert.equal(run.tags['mlops.job.cluster'], 'test');
    assert.equal(run.name, `job ${job.id} (test)`);
    // What DVCLive wrote on the cluster, read there by Python.
    const py = await sh(`cd "$1" && ${venvBin}/python -c 'import json,csv,sys,glob,os; m=json.load(open("dvclive/metrics.json")); h={os.path.relpath(f,"dvclive/plots/metrics")[:-4]: [r for r in csv.DictReader(open(f), delimiter="\\t")] for f in glob.glob("dvclive/plots/metrics/**/*.tsv", recursive=True)}; json.dump({"m": m, "h": h}, sys.stdout)'`, slurm.remote);
    assert.equal(py.code, 0, py.stderr);
    const ref = JSON.parse(py.stdout) as { m: Record<string, unknown>; h: Record<string, Array<Record<string, string>>> };
    const latest = Object.fromEntries(Object.entries(ref.m).filter(([k, v]) => k !== 'step' && typeof v === 'number'));
    assert.ok(Object.keys(latest).length >= 4, JSON.stringify(ref.m));
    for (const [k, v] of Object.entries(latest)) assert.equal(run.metrics[k]?.value, v, k);
    // DVCLive's own params.yaml (live.log_params of the train section) wins over the project's.
    assert.deepEqual(run.params, { seed: '7', epochs: '10', batch_size: '32', alpha: '0.0001', eta0: '0.001' });
    for (const [key, rows] of Object.entries(ref.h)) {
      const hist = await new DvcLiveSource(path.join(home, 'dvclive')).metricHistory('workspace', key);
      assert.deepEqual(hist.map((p) => [p.step, p.value]), rows.map((r) => [Number(r.step), Number(r[key.split('/').pop()!])]), key);
    }
  });

  it('a typed grid of 2 values runs as a job array of 2, each task with its own combination', async () => {
    const parsed = parseParams('greeting=hello,world extra=1');
    const [cluster] = clusterSettings([{ name: 'test', host: 'login' }]);
    const plan = planFromAnswers(cluster, { command: '', cwd: slurm.remote, cpus: '1' }, { name: 'grid', argv: ['sh', '-c', 'echo "$@" > "grid-$SLURM_ARRAY_TASK_ID.txt"', 'sh', `extra=${parsed.fixed.extra}`], array: gridOf(parsed, '') });
    assert.match(slurm.backend.render(plan), /^#SBATCH --array=0-1$/m);
    const jobId = await slurm.submit(plan);
    for (const task of ['0', '1']) await slurm.jobUntil(`${jobId}_${task}`, (j) => j.state === 'completed', `task ${task} completed`);
    const out = await sh('cd "$1" && cat grid-0.txt grid-1.txt', slurm.remote);
    assert.equal(out.stdout, 'extra=1 greeting=hello\nextra=1 greeting=world\n');
  });

  it('following a running job brings its output as it grows, then says how it ended', async () => {
    const script = 'for i in 1 2 3; do echo "line $i"; sleep 1; done; echo "to stderr" >&2';
    const jobId = await slurm.submit({ name: 'follow', command: ['sh', '-c', script], cwd: slurm.remote, resources: { cpus: 1 } });
    const running = await slurm.jobUntil(jobId, (j) => j.state !== 'pending', 'started');
    let out = '';
    let err = '';
    let offsets: [number, number] = [0, 0];
    const states = new Set<string>();
    const partial: string[] = [];
    const nonce = randomBytes(8).toString('hex');
    let state = 'RUNNING';
    await waitFor(
      async () => {
        const poll = parseFollow((await slurm.conn.exec(followArgv(jobId, [[running.stdoutPath!, offsets[0]], [running.stderrPath!, offsets[1]]], nonce))).stdout, nonce);
        state = poll.state;
        states.add(state);
        if (poll.out && poll.out.size >= 0) {
          out += poll.out.text;
          offsets = [poll.out.offset + poll.out.length, offsets[1]];
        }
        if (poll.err && poll.err.size >= 0) {
          err += poll.err.text;
          offsets = [offsets[0], poll.err.offset + poll.err.length];
        }
        if (stillRunning(state)) partial.push(out);
        return !stillRunning(state) && (poll.out?.size ?? 0) <= offsets[0];
      },
      60000,
      `job ${jobId} to end`,
    );
    assert.equal(out, 'line 1\nline 2\nline 3\n');
    assert.equal(err, 'to stderr\n');
    assert.equal(state, 'COMPLETED');
    assert.ok(states.has('RUNNING'), [...states].join(', '));
    assert.ok(partial.some((p) => p !== '' && p !== out), `no poll saw part of the output while it ran: ${JSON.stringify(partial)}`);
  });
});
