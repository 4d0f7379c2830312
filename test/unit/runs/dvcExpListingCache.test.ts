import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DvcExperimentsSource } from '../../../src/core/runs/dvc/dvcExperiments';
import { InputStamps, RACY_MS, unchanged } from '../../../src/core/runs/dvc/inputStamps';
import type { RunListing } from '../../../src/core/runs/types';

// The kept listing (expListingCache in expDiskCache.ts, inputStamps.ts): a new source lists
// from it while every stamped input is unchanged, and anything that changes the listing
// makes it list the long way. Experiments are made with the real git the way `dvc exp run`
// leaves them (a commit whose parent is the baseline, under refs/exps/<sha>); the run
// folder's files are the ones dvcExpActive.test.ts writes. Each check first proves the
// listing came from the kept file (a value planted there shows), then changes one input.
describe('dvc experiments: the kept listing and what invalidates it', function () {
  let top = '';
  let dir = '';
  let cacheDir = '';
  let baseline = '';
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env }).trim();
  // Stamps taken just now are "racy" (inputStamps.ts); this clock is 10 s ahead, so the
  // listing is kept at once. The changes below then move the mtime away by hand, since two
  // writes in one tick of the file system's clock would leave the same stamp.
  const later = () => Date.now() + 10_000;
  const source = () => new DvcExperimentsSource(dir, { cacheDir, now: later });
  const listingFile = () => {
    const folder = path.join(cacheDir, 'dvc-experiments-listing');
    return path.join(folder, readdirSync(folder)[0]);
  };
  /** Plants a value in the kept listing: the next listing shows it only if it came from there. */
  const plant = () => {
    const text = readFileSync(listingFile(), 'utf8');
    assert.ok(text.includes('"lr":"0.1"'));
    writeFileSync(listingFile(), text.replace('"lr":"0.1"', '"lr":"planted"'));
  };
  const planted = (l: RunListing) => l.runs.some((r) => r.params.lr === 'planted');
  const touchBack = (file: string) => {
    const t = new Date(Date.now() - 60_000 - Math.floor(Math.random() * 60_000));
    utimesSync(file, t, t);
  };
  const experiment = (name: string, lr: string) => {
    const index = path.join(top, 'index.tmp');
    const genv = { ...env, GIT_INDEX_FILE: index };
    rmSync(index, { force: true });
    execFileSync('git', ['read-tree', baseline], { cwd: dir, env: genv });
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, env: genv, input: `lr: ${lr}\n` }).toString().trim();
    execFileSync('git', ['update-index', '--cacheinfo', `100644,${blob},params.yaml`], { cwd: dir, env: genv });
    const tree = execFileSync('git', ['write-tree'], { cwd: dir, env: genv, encoding: 'utf8' }).trim();
    const commit = git('commit-tree', tree, '-p', baseline, '-m', `dvc: commit experiment ${name}`);
    git('update-ref', `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/${name}`, commit);
    // Its folder's mtime moved; moved further here so that the change shows whatever the clock's tick.
    touchBack(path.join(dir, '.git', 'refs', 'exps', baseline.slice(0, 2), baseline.slice(2)));
    return commit;
  };
  const runFolder = (status: number) => {
    const run = path.join(dir, '.dvc', 'tmp', 'exps', 'run', 'workspace');
    mkdirSync(run, { recursive: true });
    writeFileSync(path.join(run, 'workspace.run'), JSON.stringify({ name: 'live', baseline_rev: baseline, status, dvc_dir: '.dvc' }));
    writeFileSync(path.join(run, 'workspace.json'), JSON.stringify({ pid: process.pid, returncode: null }));
  };

  beforeEach(() => {
    top = mkdtempSync(path.join(tmpdir(), 'mlops-explisting-'));
    dir = path.join(top, 'project');
    cacheDir = path.join(top, 'cache');
    mkdirSync(path.join(dir, '.dvc'), { recursive: true });
    writeFileSync(path.join(dir, '.dvc', 'config'), '');
    writeFileSync(path.join(dir, 'dvc.yaml'), 'stages:\n  train:\n    cmd: python train.py\n    params: [lr]\n    metrics:\n      - metrics.json:\n          cache: false\n');
    writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.1\n');
    writeFileSync(path.join(dir, 'metrics.json'), '{"loss": 0.5}');
    mkdirSync(path.join(dir, 'plots', 'metrics'), { recursive: true });
    writeFileSync(path.join(dir, 'plots', 'metrics', 'loss.tsv'), 'step\tloss\n0\t0.9\n1\t0.5\n');
    git('-c', 'init.defaultBranch=main', 'init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'pipeline');
    baseline = git('rev-parse', 'HEAD');
    experiment('exp-a', '0.2');
  });
  afterEach(() => top && rmSync(top, { recursive: true, force: true }));

  it('lists from the kept listing in a new source, the same as the long way, histories included', async () => {
    const fresh = await new DvcExperimentsSource(dir, { cacheDir: false }).list();
    const first = await source().list();
    assert.deepEqual(first, fresh);
    const again = source();
    assert.deepEqual(await again.list(), fresh);
    // A metric history after a kept listing: the workspace's from its folder.
    assert.deepEqual(
      (await again.metricHistory('workspace', 'loss')).map((p) => p.value),
      [0.9, 0.5],
    );
    // And a commit's, from git.
    assert.deepEqual(
      (await again.metricHistory(baseline, 'loss')).map((p) => p.value),
      [0.9, 0.5],
    );
    plant();
    const hit = source();
    assert.ok(planted(await hit.list()), 'a new source lists from the kept file');
    // And a second listing of the same source, from what it holds: fresh objects each time.
    const a = await hit.list();
    const b = await hit.list();
    assert.ok(planted(a) && planted(b) && a.runs[0] !== b.runs[0]);
  });

  it('lists the long way after a new experiment ref, and again after the refs are packed', async () => {
    await source().list();
    plant();
    assert.ok(planted(await source().list()));
    const added = experiment('exp-b', '0.3');
    const after = await source().list();
    assert.ok(!planted(after));
    assert.ok(after.runs.some((r) => r.id === added && r.params.lr === '0.3'));
    plant();
    git('pack-refs', '--all');
    assert.ok(!planted(await source().list()), 'refs moved into packed-refs');
    // A ref dropped from packed-refs alone, as a tool other than git may write it (git
    // itself also locks the loose ref, which moves its folder's stamp).
    plant();
    const packed = path.join(dir, '.git', 'packed-refs');
    writeFileSync(`${packed}.lock`, readFileSync(packed, 'utf8').replace(/^.*\/exp-b\n/m, ''));
    renameSync(`${packed}.lock`, packed);
    const deleted = await source().list();
    assert.ok(!planted(deleted));
    assert.ok(!deleted.runs.some((r) => r.id === added));
  });

  it("lists the long way after a queued run leaves the queue's reflog and the ref stays", async () => {
    const stash = 'refs/exps/celery/stash';
    // Stash commits: made as experiments are, their refs then dropped.
    const stashCommit = (lr: string) => {
      const commit = experiment(`stash-${lr}`, lr);
      git('update-ref', '-d', `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/stash-${lr}`);
      return commit;
    };
    const first = stashCommit('0.4');
    const second = stashCommit('0.5');
    git('update-ref', '--create-reflog', stash, first, '-m', `dvc-exp:${first}:${baseline}:first`);
    git('update-ref', '--create-reflog', stash, second, '-m', `dvc-exp:${second}:${baseline}:second`);
    const queued = (l: RunListing) => l.runs.filter((r) => r.tags['dvc.kind'] === 'queued').map((r) => r.name);
    assert.deepEqual(queued(await source().list()), ['second', 'first']);
    plant();
    // DVC's queue takes the oldest entry: its reflog is rewritten (through a lock file, as
    // dulwich does; git's own `reflog delete` would also lock the ref), the ref (the newest) stays.
    const log = path.join(dir, '.git', 'logs', stash);
    writeFileSync(`${log}.lock`, readFileSync(log, 'utf8').split('\n').slice(1).join('\n'));
    renameSync(`${log}.lock`, log);
    const after = await source().list();
    assert.ok(!planted(after));
    assert.deepEqual(queued(after), ['second']);
  });

  it('lists the long way while a run is in progress (its run folder is read each time) and after its info file says it ended', async () => {
    await source().list();
    plant();
    runFolder(2);
    const running = await source().list();
    assert.equal(running.runs.find((r) => r.id === 'workspace')?.status, 'RUNNING');
    assert.ok(!planted(running));
    // Rewritten in place, as DVC does when the run ends: the workspace is no longer running.
    writeFileSync(path.join(dir, '.dvc', 'tmp', 'exps', 'run', 'workspace', 'workspace.run'), JSON.stringify({ name: 'live', baseline_rev: baseline, status: 3, dvc_dir: '.dvc' }));
    const ended = await source().list();
    assert.equal(ended.runs.find((r) => r.id === 'workspace')?.status, 'UNKNOWN');
  });

  it('lists the long way after a workspace file is edited in place (the same size), HEAD moves, or the index tracks another dvc.yaml', async () => {
    git('branch', 'other');
    await source().list();
    plant();
    writeFileSync(path.join(dir, 'metrics.json'), '{"loss": 0.4}');
    touchBack(path.join(dir, 'metrics.json'));
    const edited = await source().list();
    assert.ok(!planted(edited));
    assert.equal(edited.runs.find((r) => r.id === 'workspace')?.metrics.loss.value, 0.4);
    plant();
    // Only HEAD changes: the branch was there before.
    git('symbolic-ref', 'HEAD', 'refs/heads/other');
    const moved = await source().list();
    assert.ok(!planted(moved));
    assert.equal(moved.experiments.find((e) => e.id === baseline)?.name, `other (${baseline.slice(0, 7)})`);
    plant();
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'dvc.yaml'), 'metrics:\n  - m.json\n');
    writeFileSync(path.join(dir, 'sub', 'm.json'), '{"f1": 0.7}');
    assert.ok(planted(await source().list()), 'an untracked dvc.yaml is not read');
    git('add', 'sub');
    const tracked = await source().list();
    assert.ok(!planted(tracked));
    assert.equal(tracked.runs.find((r) => r.id === 'workspace')?.metrics.f1.value, 0.7);
  });

  it('keeps no listing made from a file changed within the racy window', async () => {
    await new DvcExperimentsSource(dir, { cacheDir }).list();
    assert.throws(() => readdirSync(path.join(cacheDir, 'dvc-experiments-listing')), /ENOENT/);
  });

  describe('stamps', () => {
    it('sees a file rewritten in place, renamed over, created or removed; not one left alone', () => {
      const file = path.join(top, 'f');
      const missing = path.join(top, 'later');
      writeFileSync(file, 'abc');
      touchBack(file);
      const stamps = new InputStamps(later);
      stamps.add(file);
      stamps.add(missing);
      assert.equal(stamps.notKept, undefined);
      assert.ok(unchanged(stamps.stamps));
      writeFileSync(file, 'xyz');
      touchBack(file);
      assert.ok(!unchanged(stamps.stamps), 'same size, rewritten in place');
      const again = new InputStamps(later);
      again.add(file);
      writeFileSync(`${file}.lock`, 'xyz');
      renameSync(`${file}.lock`, file);
      assert.ok(!unchanged(again.stamps), 'renamed over, as git writes');
      const created = new InputStamps(later);
      created.add(missing);
      writeFileSync(missing, '');
      assert.ok(!unchanged(created.stamps));
    });

    it(`does not trust a stamp taken within ${RACY_MS} ms of its change`, () => {
      const file = path.join(top, 'f');
      writeFileSync(file, 'abc');
      const stamps = new InputStamps();
      stamps.add(file);
      assert.match(stamps.notKept ?? '', /changed within/);
    });
  });
});
