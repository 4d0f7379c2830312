// A stage whose training logs to TensorBoard inside its cached output (`outs: [models]`, with
// the weights beside the event file), run on the real local Slurm the way the views do it:
// the project synced over SFTP, `dvc repro -s` as a batch job. When it completes, its results
// come home over SFTP with the stage's paths (stageResultPaths / stageEventPaths): the event
// file byte for byte, the weights not at all. The Runs view's discovery makes the job's
// results folder one TensorBoard store, and its reader lists the run tagged with the job,
// field by field against TensorBoard's own EventAccumulator on the same file.
// Real sshd, real slurmctld/slurmd, real dvc and tensorboard from the peers' venv.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DVC_NO_SCM_SETUP, stageArgv, stageEventPaths, stageResultPaths } from '../../../src/core/jobs/runCommands';
import { syncProject } from '../../../src/core/jobs/sync/codeSync';
import { fetchResults, syncedFiles } from '../../../src/core/jobs/sync/fetchResults';
import { TensorBoardSource } from '../../../src/core/runs/tensorboard/tensorboardSource';
import { clusterSettings, planFromAnswers } from '../../../src/extension/jobs/clusterSettings';
import { storesFromFiles } from '../../../src/extension/runs/runsModel';
import { requirePeer, slurmSuite } from '../harness';

const peer = path.join(__dirname, '..', 'runs', 'peers', 'tensorboard_peer.py');

// The stage: TensorBoard's own writer (no TensorFlow), a loss at 5 steps, and weights beside it.
const TRAIN_PY = `import os
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter
os.makedirs('models/tb', exist_ok=True)
w = EventFileWriter('models/tb')
for s in range(5):
    w.add_event(event_pb2.Event(wall_time=1700000000.0 + s, step=s, summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag='loss', simple_value=1.0 / (s + 1))])))
w.close()
with open('models/weights.bin', 'wb') as f:
    f.write(os.urandom(200000))
`;
const DVC_YAML = 'stages:\n  train:\n    cmd: python train.py\n    deps:\n      - train.py\n    outs:\n      - models\n';

describe('TensorBoard event files in a cached output come home from a Slurm stage job (real Slurm over SSH)', function () {
  this.timeout(300000);
  const slurm = slurmSuite('tb-home');
  let local = '';
  let venvBin = '';
  let python = '';

  before(function () {
    const dvc = requirePeer(this, 'dvc');
    python = requirePeer(this, 'python');
    venvBin = path.dirname(realpathSync(dvc));
    local = mkdtempSync(path.join(tmpdir(), 'mlops-tb-home-'));
    writeFileSync(path.join(local, 'train.py'), TRAIN_PY);
    writeFileSync(path.join(local, 'dvc.yaml'), DVC_YAML);
    writeFileSync(path.join(local, 'params.yaml'), 'lr: 0.1\n');
    execFileSync(dvc, ['init', '--no-scm', '-q'], { cwd: local });
  });

  after(() => {
    if (local) rmSync(local, { recursive: true, force: true });
  });

  it('the event file comes home byte for byte, the weights stay on the cluster, and the Runs view lists the run tagged with the job', async () => {
    const { conn, fs, remote } = slurm;
    await syncProject({ localRoot: local, remoteRoot: remote, fs, createRoot: true });
    const [cluster] = clusterSettings([{ name: 'test', host: 'login', setup: [`export PATH=${venvBin}:$PATH`] }]);
    const plan = planFromAnswers(cluster, { command: '', cwd: remote, cpus: '1', timeLimit: '10' }, { name: 'train', argv: stageArgv('train'), setup: [DVC_NO_SCM_SETUP] });
    const jobId = await slurm.submit(plan);
    const last = await slurm.jobEnded(jobId, 240000);
    if (last.state !== 'completed') assert.fail(`job ${jobId} ended ${last.raw}:\n${(await conn.exec(['cat', last.stderrPath ?? '/dev/null'])).stdout.slice(-3000)}`);
    const onCluster = await conn.exec(['sh', '-c', 'cd "$1" && ls models/tb && sha256sum models/tb/* && test -s models/weights.bin', 'sh', remote]);
    assert.equal(onCluster.code, 0, `the stage wrote its files on the cluster: ${onCluster.stderr}`);
    const [eventName] = onCluster.stdout.trim().split('\n');
    assert.match(eventName, /tfevents/);
    const remoteSha = onCluster.stdout.trim().split('\n')[1].split(/\s+/)[0];

    // What the views pass for `outs: [models]` (cached): the same derivation as Run Stage on Cluster.
    const outs = [{ path: 'models', cache: true }];
    const home = path.join(local, '.mlops', 'jobs', 'test', jobId);
    const report = await fetchResults({
      fs,
      remoteDir: remote,
      paths: stageResultPaths(outs),
      eventPaths: stageEventPaths(outs),
      localDir: home,
      record: { cluster: 'test', jobId, remoteDir: remote, what: 'Stage train', fetchedAt: new Date().toISOString() },
      synced: await syncedFiles(fs, remote, remote),
    });
    assert.deepEqual(report.files.sort(), [`models/tb/${eventName}`], `only the event file of the cached output (params.yaml is the synced copy): ${report.files.join(', ')}`);
    assert.deepEqual(report.skipped, []);
    assert.ok(!existsSync(path.join(home, 'models', 'weights.bin')), 'the weights are not copied home');
    const localFile = path.join(home, 'models', 'tb', eventName);
    assert.equal(createHash('sha256').update(readFileSync(localFile)).digest('hex'), remoteSha);
    assert.deepEqual(readdirSync(path.join(home, 'models', 'tb')), [eventName], 'no temp file left beside it');

    // Discovery (the Runs view's rule for event files) makes the job's folder one log folder.
    const stores = storesFromFiles({ tensorboard: [localFile] }, [local], { mlflow: true, dvcExperiments: true, dvclive: true, tensorboard: true });
    assert.deepEqual(stores, [{ kind: 'tensorboard', location: home }]);
    const src = new TensorBoardSource(home);
    const listing = await src.list();
    assert.deepEqual(listing.warnings, []);
    assert.equal(listing.runs.length, 1);
    const [run] = listing.runs;
    assert.equal(run.id, path.join('models', 'tb'));
    assert.deepEqual(run.tags, { 'mlops.job.id': jobId, 'mlops.job.cluster': 'test' });
    assert.equal(run.name, `job ${jobId} (test) models/tb`);
    // TensorBoard's own reader on the file that came home, point by point.
    const ref = JSON.parse(execFileSync(python, [peer, 'read', path.join(home, 'models', 'tb')], { encoding: 'utf8' })) as Record<string, Array<[number, number, number]>>;
    assert.deepEqual(Object.keys(ref), ['loss']);
    const hist = await src.metricHistory(run.id, 'loss');
    assert.deepEqual(hist.map((p) => [p.step, p.timestamp / 1000, p.value]), ref.loss);
    assert.deepEqual(run.metrics.loss, hist.at(-1));
  });
});
