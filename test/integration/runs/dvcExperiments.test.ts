import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DvcExperimentsSource } from '../../../src/core/runs/dvc/dvcExperiments';
import type { RunListing } from '../../../src/core/runs/types';
import { repoRoot, requirePeer, waitFor } from '../harness';
import { assertSameAsDvcShow, expectedMetrics, type Shown } from './dvcShow';

describe('DVC experiments made by the real dvc exp run', function () {
  let dir = '';
  let dvc = '';
  let env: NodeJS.ProcessEnv = {};
  // Every listing below goes through the on-disk cache, in a folder of the test's own.
  const sharedCache = mkdtempSync(path.join(tmpdir(), 'mlops-dvcexp-cache-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env }).trim();

  before(function () {
    this.timeout(15 * 60_000);
    dvc = requirePeer(this, 'dvc');
    env = { ...process.env, PATH: `${path.dirname(dvc)}${path.delimiter}${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'mlops-dvcexp-')), 'project');
    execFileSync('bash', [path.join(repoRoot, 'scripts', 'example', 'make-sandbox.sh'), dir], { env, stdio: 'pipe' });
    // Three experiments, two with changed params, and one queued run that never starts.
    for (const args of [[], ['-S', 'train.alpha=0.001'], ['-S', 'train.eta0=0.002', '-S', 'train.epochs=5']]) {
      execFileSync(dvc, ['exp', 'run', ...args], { cwd: dir, env, stdio: 'pipe' });
    }
    execFileSync(dvc, ['exp', 'run', '--queue', '-S', 'train.seed=3', '-n', 'waiting'], { cwd: dir, env, stdio: 'pipe' });
  });
  after(() => {
    if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
    rmSync(sharedCache, { recursive: true, force: true });
  });

  it('lists what dvc exp show --json shows: names, baseline, params, metrics, times and state', async () => {
    const shown = JSON.parse(execFileSync(dvc, ['exp', 'show', '--json'], { cwd: dir, env, encoding: 'utf8' })) as Shown[];
    const src = new DvcExperimentsSource(dir, { cacheDir: sharedCache });
    const listing: RunListing = await src.list();
    assert.deepEqual(listing.warnings, []);
    const states = assertSameAsDvcShow(shown, listing);
    const [, baseline] = shown;
    assert.equal(shown.length, 2);
    const exps = baseline.experiments ?? [];
    assert.equal(exps.length, 4);
    assert.deepEqual(new Set(states.values()), new Set(['success', 'queued']));
    // The queued run shows no metrics, as dvc does, though its stash commit holds the workspace's.
    const waiting = listing.runs.find((r) => r.name === 'waiting')!;
    assert.equal(waiting.status, 'SCHEDULED');
    assert.deepEqual(waiting.metrics, {});
    assert.equal(waiting.params['train.seed'], '3');
    // The -S changes really are in the experiments' params.
    assert.deepEqual(new Set(listing.runs.filter((r) => r.tags['dvc.kind'] === 'experiment').map((r) => r.params['train.epochs'])), new Set(['10', '5']));

    // Histories come from the DVCLive plots committed with each experiment; the last point is the metric dvc shows.
    const finished = exps.find((e) => !e.executor)!.revs[0];
    const history = await src.metricHistory(finished.rev, 'test_loss');
    assert.ok(history.length >= 5);
    assert.equal(history[history.length - 1].value, expectedMetrics(finished).test_loss);
  });

  it('shows the workspace as running while dvc exp run trains, then the new experiment', async function () {
    this.timeout(10 * 60_000);
    const src = new DvcExperimentsSource(dir, { cacheDir: sharedCache });
    const child = spawn(dvc, ['exp', 'run', '-S', 'train.epochs=4', '-n', 'live-one'], { cwd: dir, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let sawRunning = false;
    await waitFor(
      async () => {
        const ws = (await src.list()).runs.find((r) => r.id === 'workspace')!;
        sawRunning ||= ws.status === 'RUNNING' && ws.name === 'workspace (live-one)';
        return sawRunning || child.exitCode !== null;
      },
      5 * 60_000,
      'the workspace run to show as running',
    );
    assert.ok(sawRunning, 'the workspace was listed as running live-one while it trained');
    assert.equal(await exited, 0);
    const after = await src.list();
    assert.equal(after.runs.find((r) => r.id === 'workspace')!.status, 'UNKNOWN');
    const live = after.runs.find((r) => r.name === 'live-one');
    assert.ok(live && live.status === 'FINISHED' && live.params['train.epochs'] === '4', JSON.stringify(live));
  });

  it('warns about an experiment without its metrics file, and lists one whose pipeline dvc cannot load without params or metrics, as dvc does', async () => {
    const src = new DvcExperimentsSource(dir, { cacheDir: sharedCache });
    const before = await src.list();
    const good = before.runs.filter((r) => r.tags['dvc.kind'] === 'experiment');
    const model = good[0];
    const baseline = model.experimentId;
    const refDir = `refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}`;
    const index = path.join(path.dirname(dir), 'index.tmp');
    const commitWith = (edit: (genv: NodeJS.ProcessEnv) => void, name: string) => {
      const genv = { ...env, GIT_INDEX_FILE: index };
      rmSync(index, { force: true });
      execFileSync('git', ['read-tree', model.id], { cwd: dir, env: genv });
      edit(genv);
      const tree = execFileSync('git', ['write-tree'], { cwd: dir, env: genv, encoding: 'utf8' }).trim();
      const commit = git('commit-tree', tree, '-p', baseline, '-m', `dvc: commit experiment ${name}`);
      git('update-ref', `${refDir}/${name}`, commit);
      return commit;
    };
    const withFile = (file: string, content: string) => (genv: NodeJS.ProcessEnv) => {
      const tmp = path.join(path.dirname(dir), 'crafted.txt');
      writeFileSync(tmp, content);
      const blob = execFileSync('git', ['hash-object', '-w', tmp], { cwd: dir, env: genv, encoding: 'utf8' }).trim();
      execFileSync('git', ['update-index', '--cacheinfo', `100644,${blob},${file}`], { cwd: dir, env: genv });
    };
    const noMetrics = commitWith((genv) => execFileSync('git', ['update-index', '--force-remove', 'metrics.json'], { cwd: dir, env: genv }), 'lost-metrics');
    // dvc reads params.yaml as the pipeline's vars: a corrupt one, or a list, fails the whole
    // revision in dvc exp show (YAMLFileCorruptedError, ResolveError); so does a corrupt dvc.yaml.
    const refused = {
      'bad-params': commitWith(withFile('params.yaml', 'train:\n  alpha: [0.1\n  eta0: }\n'), 'bad-params'),
      'list-params': commitWith(withFile('params.yaml', '- 0.1\n- 0.2\n'), 'list-params'),
      'bad-pipeline': commitWith(withFile('dvc.yaml', 'stages:\n  train: [\n'), 'bad-pipeline'),
    };
    // And a corrupt metrics file costs only its own metrics.
    const badMetrics = commitWith(withFile('metrics.json', '{"accuracy": '), 'bad-metrics');

    const listing = await src.list();
    const { runs, warnings } = listing;
    const names = warnings.map((w) => `${w.file} ${w.message}`);
    assert.equal(warnings.length, 5, names.join('\n'));
    assert.ok(names.some((w) => w.includes(`${refDir}/lost-metrics:metrics.json`) && w.includes('lost-metrics')), names.join('\n'));
    assert.ok(names.some((w) => w.includes(`${refDir}/bad-metrics:metrics.json`) && w.includes('bad-metrics')), names.join('\n'));
    assert.ok(names.some((w) => w.includes(`${refDir}/bad-params:params.yaml`) && w.includes('bad-params')), names.join('\n'));
    assert.ok(names.some((w) => w.includes(`${refDir}/list-params:params.yaml`) && w.includes('not a mapping')), names.join('\n'));
    assert.ok(names.some((w) => w.includes(`${refDir}/bad-pipeline:dvc.yaml`) && w.includes('bad-pipeline')), names.join('\n'));

    const lost = runs.find((r) => r.id === noMetrics)!;
    assert.deepEqual(lost.params, model.params);
    assert.ok(!('accuracy' in lost.metrics) && 'test_loss' in lost.metrics, 'the DVCLive metrics still load');
    const broken = runs.find((r) => r.id === badMetrics)!;
    assert.ok(!('accuracy' in broken.metrics) && 'test_loss' in broken.metrics, 'the DVCLive metrics still load');
    for (const [name, id] of Object.entries(refused)) {
      const r = runs.find((x) => x.id === id)!;
      assert.equal(r.name, name);
      assert.equal(r.status, 'FINISHED');
      assert.deepEqual([r.params, r.metrics], [{}, {}], name);
    }
    for (const g of good) assert.deepEqual(runs.find((r) => r.id === g.id), g, `${g.name} unchanged`);
    // Field by field against dvc itself, the crafted revisions included.
    const shown = JSON.parse(execFileSync(dvc, ['exp', 'show', '--json'], { cwd: dir, env, encoding: 'utf8' })) as Shown[];
    const states = assertSameAsDvcShow(shown, listing);
    for (const name of [...Object.keys(refused), 'lost-metrics', 'bad-metrics']) assert.ok(states.has(name), `dvc lists ${name}`);
  });
  it('keeps what each commit holds in its cache folder: a new process lists the same without reading those commits again', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'mlops-dvcexp-cache-'));
    try {
      const fresh = await new DvcExperimentsSource(dir, { cacheDir: false }).list();
      const first = await new DvcExperimentsSource(dir, { cacheDir }).list();
      assert.deepEqual(first, fresh);
      const [file] = readdirSync(path.join(cacheDir, 'dvc-experiments'));
      const kept = JSON.parse(readFileSync(path.join(cacheDir, 'dvc-experiments', file), 'utf8')) as { commits: Record<string, unknown> };
      const commits = fresh.runs.flatMap((r) => (r.tags['git.commit'] ? [r.tags['git.commit']] : []));
      assert.deepEqual(new Set(Object.keys(kept.commits)), new Set(commits));

      // Proof that the second listing takes commits from the cache: a value changed in the
      // file shows up (never done to a real cache; it only tells where the data came from).
      // The whole listing kept beside it goes first, or it would answer without the commits.
      rmSync(path.join(cacheDir, 'dvc-experiments-listing'), { recursive: true, force: true });
      const exp = fresh.runs.find((r) => r.tags['dvc.kind'] === 'experiment' && 'train.epochs' in r.params)!;
      const stored = kept.commits[exp.id] as { params: [string, Record<string, string>][] };
      stored.params.find(([, values]) => 'train.epochs' in values)![1]['train.epochs'] = 'from-the-cache';
      writeFileSync(path.join(cacheDir, 'dvc-experiments', file), JSON.stringify(kept));
      const second = await new DvcExperimentsSource(dir, { cacheDir }).list();
      assert.equal(second.runs.find((r) => r.id === exp.id)!.params['train.epochs'], 'from-the-cache');

      // A broken cache file is ignored and replaced; the listing is what git says.
      writeFileSync(path.join(cacheDir, 'dvc-experiments', file), '{"version": 1, "commits": ');
      assert.deepEqual(await new DvcExperimentsSource(dir, { cacheDir }).list(), fresh);
      assert.doesNotThrow(() => JSON.parse(readFileSync(path.join(cacheDir, 'dvc-experiments', file), 'utf8')));

      // A removed experiment leaves the cache with its ref.
      // One dvc made (the crafted ones above stay, for the next test to compare with dvc).
      const gone = fresh.runs.find((r) => r.tags['dvc.kind'] === 'experiment' && r.tags['dvc.ref'] && r.name === 'live-one')!;
      execFileSync(dvc, ['exp', 'remove', gone.name], { cwd: dir, env, stdio: 'pipe' });
      const after = await new DvcExperimentsSource(dir, { cacheDir }).list();
      assert.ok(!after.runs.some((r) => r.id === gone.id));
      const keptAfter = JSON.parse(readFileSync(path.join(cacheDir, 'dvc-experiments', file), 'utf8')) as { commits: Record<string, unknown> };
      assert.ok(!(gone.id in keptAfter.commits));
      assert.equal(Object.keys(keptAfter.commits).length, Object.keys(kept.commits).length - 1);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('lists from the kept listing in a new process what dvc exp show --json shows, until dvc changes something', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'mlops-dvcexp-cache-'));
    // Stamps of files changed in the last 3 s are not trusted (inputStamps.ts): this clock
    // is ahead so that the listing is kept now, not after a wait.
    const later = () => Date.now() + 10_000;
    const show = () => JSON.parse(execFileSync(dvc, ['exp', 'show', '--json'], { cwd: dir, env, encoding: 'utf8' })) as Shown[];
    try {
      const first = await new DvcExperimentsSource(dir, { cacheDir, now: later }).list();
      const [file] = readdirSync(path.join(cacheDir, 'dvc-experiments-listing'));
      const keptFile = path.join(cacheDir, 'dvc-experiments-listing', file);
      const kept = await new DvcExperimentsSource(dir, { cacheDir, now: later }).list();
      assert.deepEqual(kept, first);
      assertSameAsDvcShow(show(), kept);
      // Where it came from: a name planted in the kept file shows (never done to a real one).
      const exp = first.runs.find((r) => r.tags['dvc.kind'] === 'experiment')!;
      writeFileSync(keptFile, readFileSync(keptFile, 'utf8').replace(`"name":"${exp.name}"`, '"name":"planted"'));
      assert.ok((await new DvcExperimentsSource(dir, { cacheDir, now: later }).list()).runs.some((r) => r.name === 'planted'));
      // dvc renames the experiment: its ref moves, and the listing is made again.
      execFileSync(dvc, ['exp', 'rename', exp.name, 'renamed'], { cwd: dir, env, stdio: 'pipe' });
      const after = await new DvcExperimentsSource(dir, { cacheDir, now: later }).list();
      assert.ok(!after.runs.some((r) => r.name === 'planted'));
      assert.equal(after.runs.find((r) => r.id === exp.id)?.name, 'renamed');
      assertSameAsDvcShow(show(), after);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
