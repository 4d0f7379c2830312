import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DvcExperimentsSource } from '../../../src/core/runs/dvc/dvcExperiments';
import { requirePeer, waitFor } from '../harness';
import { assertSameAsDvcShow, expectedMetrics, showWhileStarting, type Shown } from './dvcShow';

// A stage that writes its metrics from params.yaml, exits 1 when `fail` is set, and, when
// HOLD_FILE is set (only for the queue's worker, in the test's env), first writes a
// placeholder result and then waits while that file exists: the test sees a queued run in
// progress for as long as it needs, with no sleeps.
const TRAIN = `import json, os, sys, time, yaml
p = yaml.safe_load(open("params.yaml"))
hold = os.environ.get("HOLD_FILE")
if hold:
    json.dump({"loss": 99, "acc": 0}, open("metrics.json", "w"))
    while os.path.exists(hold):
        time.sleep(0.05)
if p["fail"]:
    sys.exit(1)
json.dump({"loss": 1 - p["lr"], "acc": p["lr"] * p["epochs"]}, open("metrics.json", "w"))
`;
const DVC_YAML = `stages:
  train:
    cmd: python train.py
    deps: [train.py]
    params: [lr, fail, epochs]
    metrics:
      - metrics.json:
          cache: false
`;

describe('DVC queued, running and failed experiments, against dvc exp show --json', function () {
  let dir = '';
  let dvc = '';
  let env: NodeJS.ProcessEnv = {};
  let hold = '';
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'mlops-dvcq-cache-'));
  const run = (...args: string[]) => execFileSync(dvc, args, { cwd: dir, env, encoding: 'utf8' });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  const show = () => JSON.parse(run('exp', 'show', '--json')) as Shown[];
  // Each listing is a new source on the same cache folder: what a new window would show.
  const list = () => new DvcExperimentsSource(dir, { cacheDir }).list();
  const queueStatus = () => run('queue', 'status');

  before(function () {
    this.timeout(5 * 60_000);
    dvc = requirePeer(this, 'dvc');
    const base = mkdtempSync(path.join(tmpdir(), 'mlops-dvcq-'));
    dir = path.join(base, 'project');
    hold = path.join(base, 'hold');
    env = { ...process.env, PATH: `${path.dirname(dvc)}${path.delimiter}${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
    execFileSync('mkdir', ['-p', dir]);
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Queue Test');
    git('config', 'user.email', 'queue@test.invalid');
    git('config', 'commit.gpgsign', 'false');
    run('init', '-q');
    writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.1\nfail: 0\nepochs: 3\n');
    writeFileSync(path.join(dir, 'train.py'), TRAIN);
    writeFileSync(path.join(dir, 'dvc.yaml'), DVC_YAML);
    run('repro', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'baseline');
    // A successful experiment in the workspace (which keeps its result: lr 0.2, loss 0.8)...
    run('exp', 'run', '-q', '-S', 'lr=0.2', '-n', 'good');
    // ...then two queued runs; their stash commits hold the workspace as it is, metrics.json included.
    run('exp', 'run', '--queue', '-S', 'lr=0.5', '-n', 'q');
    run('exp', 'run', '--queue', '-S', 'fail=1', '-n', 'bad');
  });
  after(async function () {
    this.timeout(2 * 60_000);
    rmSync(hold, { force: true });
    if (dir) {
      // The queue's worker stays idle for a while after its last task; stop it before the folder goes.
      try {
        run('queue', 'stop', '--kill');
        await waitFor(() => /Worker status: 0 active, 0 idle/.test(queueStatus()), 60_000, 'the queue worker to stop');
      } catch {
        // A worker that never started, or one gone already.
      }
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('queued: the stash commit params and no metrics, as dvc shows them', async () => {
    const listing = await list();
    assert.deepEqual(listing.warnings, []);
    const states = assertSameAsDvcShow(show(), listing);
    assert.deepEqual(Object.fromEntries(states), { good: 'success', q: 'queued', bad: 'queued' });
    const q = listing.runs.find((r) => r.name === 'q')!;
    // What a stale listing showed: the stash commit really holds the workspace's metrics.
    assert.equal(JSON.parse(git('show', `${q.id}:metrics.json`)).loss, 0.8);
    assert.deepEqual(q.metrics, {});
    assert.deepEqual(q.params, { lr: '0.5', fail: '0', epochs: '3' });
    // Listed again from the disk cache alone: still no metrics.
    assert.deepEqual((await list()).runs, listing.runs);
  });

  it('running: the files of the run’s own checkout, as dvc shows them', async function () {
    this.timeout(5 * 60_000);
    writeFileSync(hold, '');
    const worker = spawn(dvc, ['queue', 'start'], { cwd: dir, env: { ...env, HOLD_FILE: hold }, stdio: 'ignore' });
    await new Promise((resolve) => worker.on('exit', resolve));
    // dvc itself says when the run is under way and has written its placeholder result.
    let shown: Shown[] = [];
    await waitFor(
      () => {
        const now = showWhileStarting(show);
        if (!now) return false;
        shown = now;
        return (shown[1].experiments ?? []).some((e) => e.executor?.state === 'running' && expectedMetrics(e.revs[0]).loss === 99);
      },
      3 * 60_000,
      'dvc to show a queued run in progress',
    );
    const listing = await list();
    const states = assertSameAsDvcShow(shown, listing);
    const runningName = [...states].find(([, s]) => s === 'running')![0];
    const running = listing.runs.find((r) => r.name === runningName)!;
    assert.equal(running.status, 'RUNNING');
    assert.equal(running.metrics.loss.value, 99, 'the checkout’s live result, not the stash commit’s');
  });

  it('finished: a successful queued run becomes an experiment, a failed one shows what dvc shows, nothing stale from the cache', async function () {
    this.timeout(5 * 60_000);
    rmSync(hold, { force: true });
    await waitFor(
      () => {
        const status = queueStatus();
        return /\bq\b.*Success/.test(status) && /\bbad\b.*Failed/.test(status);
      },
      3 * 60_000,
      'the queue to run q and bad',
    );
    const listing = await list();
    assert.deepEqual(listing.warnings, []);
    const states = assertSameAsDvcShow(show(), listing);
    assert.deepEqual(Object.fromEntries(states), { good: 'success', q: 'success', bad: 'failed' });
    const q = listing.runs.find((r) => r.name === 'q')!;
    assert.deepEqual(
      Object.fromEntries(Object.entries(q.metrics).map(([k, p]) => [k, p.value])),
      { loss: 0.5, acc: 1.5 },
    );
    // The failed run is its stash commit, listed (and cached) before while it was queued;
    // dvc shows that commit whole, the workspace's old metrics included, with its error.
    const bad = listing.runs.find((r) => r.name === 'bad')!;
    assert.equal(bad.status, 'FAILED');
    assert.equal(bad.params.fail, '1');
  });

  it('a failing dvc exp run in the workspace records nothing: the workspace row shows its params and no metrics', async () => {
    assert.throws(() => execFileSync(dvc, ['exp', 'run', '-S', 'fail=1', '-n', 'direct-bad'], { cwd: dir, env, stdio: 'pipe' }));
    const shown = show();
    const listing = await list();
    assertSameAsDvcShow(shown, listing);
    const ws = listing.runs.find((r) => r.id === 'workspace')!;
    assert.equal(ws.params.fail, '1');
    assert.deepEqual(ws.metrics, {});
    assert.ok(!listing.runs.some((r) => r.name === 'direct-bad'));
    // The stage deleted metrics.json before it failed: a missing metrics file in the workspace is no warning.
    assert.deepEqual(listing.warnings, []);
  });
});
