// Issue 13 items 5 and 9: files a cloned repository can hold in a run store, a DVC project
// or beside a pipeline: a FIFO (mkfifo), a link to /dev/urandom, a link out of the store,
// a metrics.json nested 20,000 deep. Stores written by the real tools, then crafted; each
// reader runs in a child process (256 MB heap, 60 s) and must finish, warn for that file
// and list the rest.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { metricCsv } from '../../../src/core/runs/metricsCsv';
import { MlflowFileStoreSource } from '../../../src/core/runs/mlflow/fileStoreSource';
import { requirePeer } from '../harness';
import { mlflowRead, mlflowWrite } from '../runs/mlflowReference';
import { lastJson, runBounded } from './boundedChild';

const child = path.join(__dirname, 'listRepoSource.ts');
const mkfifo = (file: string) => execFileSync('mkfifo', [file]);
const deepJson = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

interface Listed {
  error?: string;
  experiments: string[];
  runs: { id: string; name: string; params: Record<string, string>; metrics: Record<string, number> }[];
  warnings: { file: string; message: string }[];
}

async function list<T = Listed>(kind: string, location: string): Promise<T> {
  const r = await runBounded(child, [kind, location], { heapMb: 256, timeoutMs: 60000 });
  assert.ok(!r.timedOut, `${kind} at ${location} did not finish in 60 s`);
  assert.equal(r.code, 0, r.stderr);
  return lastJson<T>(r);
}

describe('run stores, pipelines and DVC files with crafted files (child process, 256 MB, 60 s)', function () {
  this.timeout(240000);
  let dir = '';
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'mlops-crafted-files-'))));
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('mlruns/ (real MLflow): a FIFO meta.yaml and a meta.yaml linked to /dev/urandom are one warning each', async function () {
    const python = requirePeer(this, 'python');
    const store = path.join(dir, 'mlruns');
    mlflowWrite(python, `file:${store}`, 3);
    const ref = mlflowRead(python, `file:${store}`);
    const victim = ref.runs[0];
    const fifoExp = path.join(store, '424242');
    mkdirSync(fifoExp);
    mkfifo(path.join(fifoExp, 'meta.yaml'));
    const linked = path.join(store, victim.experimentId, victim.id, 'meta.yaml');
    unlinkSync(linked);
    symlinkSync('/dev/urandom', linked);
    const got = await list('mlflow-file', store);
    assert.equal(got.error, undefined);
    assert.deepEqual(got.warnings.map((w) => w.file).sort(), [path.join(fifoExp, 'meta.yaml'), linked].sort());
    assert.match(got.warnings.find((w) => w.file === linked)!.message, /leads outside the workspace/);
    assert.match(got.warnings.find((w) => w.file !== linked)!.message, /is a FIFO, not a regular file/);
    assert.deepEqual(got.runs.map((r) => r.id).sort(), ref.runs.slice(1).map((r) => r.id).sort());

    // A timestamp the reader takes (an integer) but Date cannot hold: the CSV export writes
    // an empty cell for it instead of throwing.
    const other = ref.runs[1];
    writeFileSync(path.join(store, other.experimentId, other.id, 'metrics', 'huge'), '100000000000000000000 0.5 0\n1700000000000 0.25 1\n');
    const points = await new MlflowFileStoreSource(store).metricHistory(other.id, 'huge');
    assert.equal(points.length, 2);
    assert.equal(metricCsv('huge', [{ name: 'r', id: other.id, points }]), `run,run_id,metric,step,timestamp,value\nr,${other.id},huge,0,,0.5\nr,${other.id},huge,1,2023-11-14T22:13:20.000Z,0.25\n`);
  });

  it('DVCLive (real DVCLive): a 20,000-deep metrics.json and a FIFO params.yaml cost only themselves', async function () {
    const python = requirePeer(this, 'python');
    const project = path.join(dir, 'live');
    mkdirSync(project);
    const script = 'import sys\nfrom dvclive import Live\nwith Live(sys.argv[1], save_dvc_exp=False, dvcyaml=None) as live:\n  live.log_params({"lr": 0.1})\n  for i in range(3):\n    live.log_metric("acc", i / 4)\n    live.next_step()\n';
    execFileSync(python, ['-c', script, path.join(project, 'dvclive')], { cwd: project, stdio: 'pipe' });
    const live = path.join(project, 'dvclive');
    writeFileSync(path.join(live, 'metrics.json'), deepJson(20_000));
    unlinkSync(path.join(live, 'params.yaml'));
    mkfifo(path.join(live, 'params.yaml'));
    writeFileSync(path.join(project, 'params.yaml'), 'lr: 0.2\n');
    const got = await list('dvclive', live);
    assert.equal(got.error, undefined);
    assert.deepEqual(got.warnings.map((w) => path.basename(w.file)).sort(), ['metrics.json', 'params.yaml']);
    assert.match(got.warnings.find((w) => w.file.endsWith('metrics.json'))!.message, /nested deeper than 100 levels; its metrics are left out/);
    assert.match(got.warnings.find((w) => w.file.endsWith('params.yaml'))!.message, /is a FIFO/);
    // The history still gives acc; params fall back to the project's params.yaml.
    assert.deepEqual(got.runs[0].metrics, { acc: 0.5 });
    assert.deepEqual(got.runs[0].params, { lr: '0.2' });
  });

  it('DVC experiments: a 20,000-deep metrics.json in the workspace and in a commit is a warning for that file', async () => {
    const repo = path.join(dir, 'exp');
    mkdirSync(path.join(repo, '.dvc'), { recursive: true });
    writeFileSync(path.join(repo, 'dvc.yaml'), 'stages:\n  train:\n    cmd: python train.py\n    params: [lr]\n    metrics:\n      - metrics.json:\n          cache: false\n      - scores.json:\n          cache: false\n');
    writeFileSync(path.join(repo, 'params.yaml'), 'lr: 0.1\n');
    writeFileSync(path.join(repo, 'scores.json'), '{"auc": 0.9}');
    writeFileSync(path.join(repo, 'metrics.json'), deepJson(20_000));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'deep metrics');
    const got = await list('dvc-experiments', repo);
    assert.equal(got.error, undefined);
    assert.ok(got.runs.length >= 2, JSON.stringify(got.runs.map((r) => r.name)));
    for (const r of got.runs) {
      assert.deepEqual(r.metrics, { auc: 0.9 }, r.name);
      assert.deepEqual(r.params, { lr: '0.1' }, r.name);
    }
    assert.ok(got.warnings.length >= 1 && got.warnings.every((w) => w.file.endsWith('metrics.json') && /nested deeper than 100 levels/.test(w.message)), JSON.stringify(got.warnings));
  });

  it('TensorBoard (real writer): a FIFO event file and one linked to /dev/urandom are warnings, the real run lists', async function () {
    const python = requirePeer(this, 'python');
    const logdir = path.join(dir, 'tb');
    execFileSync(python, [path.join(__dirname, '..', 'runs', 'peers', 'tensorboard_peer.py'), 'write', path.join(logdir, 'good'), '5'], { stdio: 'pipe' });
    mkdirSync(path.join(logdir, 'fifo'));
    mkfifo(path.join(logdir, 'fifo', 'events.out.tfevents.1.fifo'));
    mkdirSync(path.join(logdir, 'random'));
    symlinkSync('/dev/urandom', path.join(logdir, 'random', 'events.out.tfevents.1.random'));
    const got = await list('tensorboard', logdir);
    assert.equal(got.error, undefined);
    assert.deepEqual(got.runs.map((r) => r.name), ['good']);
    assert.deepEqual(got.warnings.map((w) => path.basename(path.dirname(w.file))).sort(), ['fifo', 'random']);
  });

  it('mlflow.db as a FIFO: refused at once with the reason', async () => {
    const db = path.join(dir, 'fifo-mlflow.db');
    mkfifo(db);
    const got = await list('mlflow-sqlite', db);
    assert.match(got.error ?? '', /is a FIFO, not a regular file/);
  });

  it('Pipelines view: params.yaml linked to /dev/urandom, a FIFO dvc.lock and a FIFO dep', async () => {
    const p = path.join(dir, 'pipeline');
    mkdirSync(p);
    writeFileSync(path.join(p, 'dvc.yaml'), 'stages:\n  train:\n    cmd: python train.py ${lr}\n    deps: [data.csv]\n  other:\n    foreach: [a, b]\n    do:\n      cmd: echo ${item}\n');
    symlinkSync('/dev/urandom', path.join(p, 'params.yaml'));
    mkfifo(path.join(p, 'dvc.lock'));
    mkfifo(path.join(p, 'data.csv'));
    const got = await list<{ stages: string[]; refused: string[]; statusError?: string }>('pipeline', p);
    assert.deepEqual(got.stages, ['train', 'other@a', 'other@b']);
    assert.equal(got.refused.length, 1);
    assert.match(got.refused[0], /^params\.yaml leads outside the workspace/);
    assert.match(got.statusError ?? '', /dvc\.lock is a FIFO/);
    // Without the lock, the FIFO dep is what stops the status: refused, not read forever.
    unlinkSync(path.join(p, 'dvc.lock'));
    const again = await list<{ statusError?: string }>('pipeline', p);
    assert.match(again.statusError ?? '', /data\.csv is a FIFO/);
  });

  it('Data view: a FIFO .dvc file is a problem of its own, the other artifacts list', async () => {
    const p = path.join(dir, 'data');
    mkdirSync(path.join(p, '.dvc'), { recursive: true });
    writeFileSync(path.join(p, 'model.pkl.dvc'), 'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n  hash: md5\n  path: model.pkl\n');
    mkfifo(path.join(p, 'data.csv.dvc'));
    const got = await list<{ artifacts: string[]; problems: { file: string; message: string }[] }>('data', p);
    assert.deepEqual(got.artifacts, ['model.pkl']);
    assert.deepEqual(got.problems.map((x) => x.file), ['data.csv.dvc']);
    assert.match(got.problems[0].message, /is a FIFO/);
  });
});
