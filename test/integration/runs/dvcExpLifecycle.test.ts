import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseYamlData } from '../../../src/core/common/yamlData';
import { runState } from '../../../src/core/runs/dvc/dvcExpActive';
import { followQueueLog, queueLogs, remoteExperiments, runExpCommand } from '../../../src/core/runs/dvc/expCli';
import { changedTrackedFiles, gitRemotes } from '../../../src/core/runs/dvc/expGitQueries';
import {
  applyArgs,
  branchArgs,
  experimentTarget,
  pullArgs,
  pushArgs,
  queueExperimentArgs,
  queueStartArgs,
  queueStopArgs,
  removeArgs,
  renameArgs,
  setParamArg,
  setParamArgs,
  type ParamValue,
} from '../../../src/core/runs/dvc/expLifecycle';
import { parseContainerValue } from '../../../src/core/runs/dvc/paramContainer';
import { DvcExperimentsSource } from '../../../src/core/runs/dvc/dvcExperiments';
import type { RunSummary } from '../../../src/core/runs/types';
import { requirePeer, waitFor } from '../harness';
import { assertSameAsDvcShow, expectedParams, showWhileStarting, type Shown } from './dvcShow';

// The lifecycle commands' argv and runner (expLifecycle.ts, expCli.ts), run against a real
// dvc and its queue worker on a fresh git + dvc project, each result checked with dvc's
// own view (`dvc exp show --json`, `dvc queue status`, git) and with our listing.
//
// The stage fails when `fail` is set (with a message the log must carry), and waits while
// the file named by `hold` exists: the test keeps a run in progress for as long as it
// needs, with no sleeps.
const TRAIN = `import json, os, sys, time, yaml
p = yaml.safe_load(open("params.yaml"))
print("training started", flush=True)
while p["hold"] and os.path.exists(p["hold"]):
    time.sleep(0.05)
if p["fail"]:
    print("training failed: fail is set", file=sys.stderr)
    sys.exit(3)
json.dump({"loss": round(1 - p["train"]["alpha"], 6)}, open("metrics.json", "w"))
print("training done", flush=True)
`;
const DVC_YAML = `stages:
  train:
    cmd: python train.py
    deps: [train.py]
    params: [train, fail, hold]
    metrics:
      - metrics.json:
          cache: false
`;
const PARAMS = `train:
  alpha: 0.1
  name: a
  layers: [64, 32]
  opt: {name: adam, betas: [0.9, 0.99]}
fail: 0
hold: ''
`;

describe('DVC experiment lifecycle commands, against a real dvc and queue worker', function () {
  let base = '';
  let dir = '';
  let dvc = '';
  let python = '';
  let env: NodeJS.ProcessEnv = {};
  let hold = '';
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'mlops-dvclife-cache-'));
  const raw = (...args: string[]) => execFileSync(dvc, args, { cwd: dir, env, encoding: 'utf8' });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  const show = () => JSON.parse(raw('exp', 'show', '--json')) as Shown[];
  const queueStatus = () => raw('queue', 'status');
  const ours = (args: string[]) => runExpCommand(dvc, dir, args);
  const list = () => new DvcExperimentsSource(dir, { cacheDir }).list();
  const byName = (runs: RunSummary[], name: string) => runs.find((r) => r.name === name);
  const shownNames = (shown: Shown[]) => shown.flatMap((b) => (b.experiments ?? []).map((e) => e.name));
  const v = (text: string, asString?: boolean): ParamValue => (asString ? { text, asString } : { text });
  /** A list or map typed as YAML, as the Queue Experiment form reads it. */
  const whole = (text: string): ParamValue => {
    const r = parseContainerValue(text);
    assert.ok(r.ok, JSON.stringify(r));
    return r.value;
  };
  const expOf = (s: Shown[], name: string) => s.flatMap((b) => b.experiments ?? []).find((e) => e.name === name);

  before(function () {
    this.timeout(5 * 60_000);
    dvc = requirePeer(this, 'dvc');
    python = requirePeer(this, 'python');
    base = mkdtempSync(path.join(tmpdir(), 'mlops-dvclife-'));
    dir = path.join(base, 'project');
    hold = path.join(base, 'hold');
    mkdirSync(dir);
    env = { ...process.env, PATH: `${path.dirname(dvc)}${path.delimiter}${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Lifecycle Test');
    git('config', 'user.email', 'lifecycle@test.invalid');
    git('config', 'commit.gpgsign', 'false');
    raw('init', '-q');
    writeFileSync(path.join(dir, 'params.yaml'), PARAMS);
    writeFileSync(path.join(dir, 'train.py'), TRAIN);
    writeFileSync(path.join(dir, 'dvc.yaml'), DVC_YAML);
    raw('repro', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'baseline');
    // A local bare repository as the git remote experiments are pushed to and pulled from.
    execFileSync('git', ['init', '-q', '--bare', path.join(base, 'remote.git')]);
    git('remote', 'add', 'origin', path.join(base, 'remote.git'));
    git('push', '-q', 'origin', 'main');
  });
  after(async function () {
    this.timeout(2 * 60_000);
    rmSync(hold, { force: true });
    if (dir && existsSync(dir)) {
      try {
        raw('queue', 'stop', '--kill');
        await waitFor(() => /Worker status: 0 active, 0 idle/.test(queueStatus()), 60_000, 'the queue workers to stop');
      } catch {
        // No worker left (the last test kills it).
      }
    }
    if (base) rmSync(base, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('-S values reach params.yaml as the values meant: Hydra (through DVC) reads back what we quote', function () {
    this.timeout(60_000);
    // Each value alone, applied to a params file by DVC's own code (dvc.utils.hydra.apply_overrides).
    const cases: [ParamValue, unknown][] = [
      [v('0.1'), 0.1],
      [v('-3'), -3],
      [v('true'), true],
      [v('adam'), 'adam'],
      [v('0.1', true), '0.1'],
      [v('a,b'), 'a,b'],
      [v('hello world'), 'hello world'],
      [v("it's"), "it's"],
      [v('say "hi"'), 'say "hi"'],
      [v('back\\slash'), 'back\\slash'],
      [v('end\\'), 'end\\'],
      [v("x\\'y"), "x\\'y"],
      [v('[1, 2]'), '[1, 2]'],
      [v('{a: 1}'), '{a: 1}'],
      [v('a=b:c'), 'a=b:c'],
      [v('range(1,3)'), 'range(1,3)'],
      [v('null', true), 'null'],
      [v('/data/x.csv'), '/data/x.csv'],
    ];
    const script = `import json, sys, tempfile, os, yaml
from dvc.utils.hydra import apply_overrides
out = []
for arg in json.load(sys.stdin):
    fd, p = tempfile.mkstemp(suffix=".yaml"); os.close(fd)
    open(p, "w").write("k: 0\\n")
    apply_overrides(p, [arg])
    out.append(yaml.safe_load(open(p))["k"]); os.remove(p)
print(json.dumps(out))`;
    const args = cases.map(([value]) => setParamArg({ key: 'k', values: [value] }));
    const read = JSON.parse(execFileSync(python, ['-c', script], { input: JSON.stringify(args), encoding: 'utf8' })) as unknown[];
    cases.forEach(([value, want], i) => assert.deepEqual(read[i], want, `${JSON.stringify(value)} passed as ${args[i]}`));
    // And a grid of literal values is split only where we meant: DVC's sweep expansion.
    const sweep = `import json, sys
from dvc.utils.hydra import get_hydra_sweeps
print(json.dumps(get_hydra_sweeps({"params.yaml": json.load(sys.stdin)})))`;
    const grid = [setParamArg({ key: 'k', values: [v('a,b'), v('c'), v("it's, ok")] }), setParamArg({ key: 'n', values: [v('1'), v('2')] })];
    const sweeps = JSON.parse(execFileSync(python, ['-c', sweep], { input: JSON.stringify(grid), encoding: 'utf8' })) as { 'params.yaml': string[] }[];
    assert.equal(sweeps.length, 6, JSON.stringify(sweeps));
  });

  it('lists and maps typed as YAML reach params.yaml as typed, replacing the whole param, as DVC reads the file back', function () {
    this.timeout(60_000);
    // [the param, what the user typed]; the file has a list `l` and a map `m` to replace.
    const cases: [string, string][] = [
      ['l', '[128, 64, 32]'],
      ['l', "['x,y', 'z w', it's, 'a=b:c', '[1]', '{a: 1}', 'true', '1.5', null, true, -2, 0.25]"],
      ['l', '[]'],
      ['l', '[[1, 2], {k: v}]'],
      ['m', '{name: sgd, lr: 0.01, betas: [0.5, 0.6]}'],
      ['m', '{}'],
      ['m', '{a b: 1, "c:d,e=f": [x], "(p)": {q: [r]}, $s: "t u"}'],
      ['m', '[1, 2]'],
      ['l', '{replaced: by a map}'],
      ['m', '{"name": "json", "n": [1, 2.5], "o": {"p": null}}'],
      ['m', 'x'],
    ];
    const script = `import json, sys, tempfile, os
from dvc.utils.hydra import apply_overrides
from dvc.utils.serialize import load_yaml
out = []
for args in json.load(sys.stdin):
    fd, p = tempfile.mkstemp(suffix=".yaml"); os.close(fd)
    open(p, "w").write("l: [1, 2]\\nm: {a: 1, b: [1]}\\nkeep: 0\\n")
    apply_overrides(p, args)
    d = load_yaml(p); os.remove(p)
    out.append([d, [type(x).__name__ for x in d["l"]] if isinstance(d["l"], list) else None])
print(json.dumps(out))`;
    const args = cases.map(([key, text]) => setParamArgs({ key, values: [whole(text)] }));
    const read = JSON.parse(execFileSync(python, ['-c', script], { input: JSON.stringify(args), encoding: 'utf8' })) as [Record<string, unknown>, string[] | null][];
    cases.forEach(([key, text], i) => {
      const other = key === 'l' ? { m: { a: 1, b: [1] } } : { l: [1, 2] };
      assert.deepEqual(read[i][0], { ...other, [key]: parseYamlData(text), keep: 0 }, `${text} passed as ${args[i].join(' ')}`);
    });
    // A float written with its point stays a float (YAML's 1.0 is the number 1 in JavaScript).
    const floats = setParamArgs({ key: 'l', values: [whole('[1.0, 2, 1e-3]')] });
    const [[, types]] = JSON.parse(execFileSync(python, ['-c', script], { input: JSON.stringify([floats]), encoding: 'utf8' })) as [unknown, string[]][];
    assert.deepEqual(types, ['float', 'int', 'float']);
  });

  it('queues a grid of 2 (and a failing one): dvc queue status shows them queued, our listing shows their params', async function () {
    this.timeout(3 * 60_000);
    await ours(queueExperimentArgs({ name: 'grid', overrides: [{ key: 'train.alpha', values: [v('0.2'), v('0.3')] }] }));
    await ours(queueExperimentArgs({ name: 'bad', overrides: [{ key: 'fail', values: [v('1')] }] }));
    const status = queueStatus();
    assert.equal(status.split('\n').filter((l) => /\bQueued\b/.test(l)).length, 3, status);
    for (const n of ['grid-1', 'grid-2', 'bad']) assert.match(status, new RegExp(`\\b${n}\\s+.*Queued`), status);
    const listing = await list();
    const states = assertSameAsDvcShow(show(), listing);
    assert.deepEqual(Object.fromEntries(states), { 'grid-1': 'queued', 'grid-2': 'queued', bad: 'queued' });
    assert.deepEqual(
      ['grid-1', 'grid-2'].map((n) => [byName(listing.runs, n)?.status, byName(listing.runs, n)?.params['train.alpha']]),
      [['SCHEDULED', '0.2'], ['SCHEDULED', '0.3']],
    );
  });

  it('a started worker runs them: the grid succeeds with its params, the failing one shows failed and its log holds the error', async function () {
    this.timeout(6 * 60_000);
    await ours(queueStartArgs(1));
    await waitFor(
      () => {
        const s = queueStatus();
        return /\bgrid-1\b.*Success/.test(s) && /\bgrid-2\b.*Success/.test(s) && /\bbad\b.*Failed/.test(s);
      },
      5 * 60_000,
      'the worker to run grid-1, grid-2 and bad',
    );
    const listing = await list();
    const states = assertSameAsDvcShow(show(), listing);
    assert.deepEqual(Object.fromEntries(states), { 'grid-1': 'success', 'grid-2': 'success', bad: 'failed' });
    for (const [n, alpha, loss] of [['grid-1', '0.2', 0.8], ['grid-2', '0.3', 0.7]] as const) {
      const run = byName(listing.runs, n)!;
      assert.equal(run.status, 'FINISHED');
      assert.equal(run.params['train.alpha'], alpha);
      assert.equal(run.metrics.loss.value, loss);
    }
    const bad = byName(listing.runs, 'bad')!;
    assert.equal(bad.status, 'FAILED');
    // What Show Experiment Log opens for the failed row.
    const logText = await queueLogs(dvc, dir, experimentTarget(bad));
    assert.match(logText, /training failed: fail is set/);
    assert.equal(logText, raw('queue', 'logs', 'bad'));
  });

  it('follows a running experiment’s log as it is written until the run ends; its list and map params are as typed', async function () {
    this.timeout(6 * 60_000);
    writeFileSync(hold, '');
    const layers = '[128, 64, 32]';
    // `lr` is new to the map and `betas` is left out: the map is replaced, not merged.
    const opt = "{name: 'sgd, nesterov', lr: 1.0e-2}";
    await ours(queueExperimentArgs({ name: 'followed', overrides: [{ key: 'hold', values: [v(hold, true)] }, { key: 'train.layers', values: [whole(layers)] }, { key: 'train.opt', values: [whole(opt)] }] }));
    await ours(queueStartArgs(1));
    const id = () => byName(listed, 'followed')?.id ?? '';
    let listed: RunSummary[] = [];
    await waitFor(async () => ((listed = (await list()).runs), !!id() && (await runState(dir, { id: id(), name: 'followed' })) === 'running'), 3 * 60_000, 'followed to run');
    const chunks: string[] = [];
    let settled = false;
    const following = followQueueLog(dvc, dir, 'followed', { onOutput: (c) => chunks.push(c), died: async () => (await runState(dir, { id: id(), name: 'followed' })) === 'died', pollMs: 200, graceMs: 1000 });
    void following.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The run prints this, then waits for the hold file: it arrives while the run goes on.
    await waitFor(() => chunks.join('').includes('training started'), 2 * 60_000, 'the running experiment’s first line');
    assert.equal(settled, false, 'following stopped while the run still runs');
    assert.ok(!chunks.join('').includes('training done'));
    assert.ok(!chunks.join('').startsWith('Following logs'), 'dvc’s own header line is left out');
    rmSync(hold, { force: true });
    const { text, end } = await following;
    assert.equal(end, 'ended');
    assert.match(text, /training started[\s\S]*training done/);
    assert.equal(text, chunks.join(''));
    // The log file as `dvc queue logs` prints it (with a line break of its own at the end).
    assert.equal(`${text}\n`, raw('queue', 'logs', 'followed'));

    await waitFor(() => /\bfollowed\b.*Success/.test(queueStatus()), 2 * 60_000, 'followed to succeed');
    const shown = show();
    const listing = await list();
    assertSameAsDvcShow(shown, listing);
    const train = (expOf(shown, 'followed')?.revs[0].data?.params['params.yaml'].data as { train: Record<string, unknown> }).train;
    assert.deepEqual(train.layers, parseYamlData(layers));
    assert.deepEqual(train.opt, parseYamlData(opt));
    assert.equal(byName(listing.runs, 'followed')?.params['train.opt.name'], 'sgd, nesterov');
    await ours(removeArgs({ names: ['followed'] }));
  });

  it('rename: dvc shows the new name, and so do we', async function () {
    this.timeout(60_000);
    await ours(renameArgs('grid-1', 'best'));
    const shown = show();
    assert.ok(shownNames(shown).includes('best') && !shownNames(shown).includes('grid-1'), shownNames(shown).join(', '));
    const listing = await list();
    assertSameAsDvcShow(shown, listing);
    assert.equal(byName(listing.runs, 'best')?.params['train.alpha'], '0.2');
  });

  it('branch: the git branch exists and points at the experiment commit', async function () {
    this.timeout(60_000);
    const best = byName((await list()).runs, 'best')!;
    await ours(branchArgs('best', 'best-branch'));
    assert.equal(git('rev-parse', 'refs/heads/best-branch'), best.id);
  });

  it('apply: params.yaml becomes the experiment’s, as dvc exp show says; our check sees the changed files', async function () {
    this.timeout(60_000);
    assert.deepEqual(await changedTrackedFiles(dir), []);
    const listing = await list();
    const grid2 = byName(listing.runs, 'grid-2')!;
    await ours(applyArgs('grid-2'));
    const [workspace] = show();
    assert.deepEqual(expectedParams(workspace), grid2.params);
    assert.match(readFileSync(path.join(dir, 'params.yaml'), 'utf8'), /alpha: 0\.3/);
    assert.ok((await changedTrackedFiles(dir)).includes('params.yaml'));
    assert.deepEqual((await list()).runs.find((r) => r.id === 'workspace')?.params, grid2.params);
    git('reset', '-q', '--hard');
  });

  it('push to a git remote (git ls-remote shows refs/exps), remove (gone from dvc exp show), pull back', async function () {
    this.timeout(3 * 60_000);
    const best = byName((await list()).runs, 'best')!;
    assert.deepEqual(await gitRemotes(dir), [{ name: 'origin', url: path.join(base, 'remote.git') }]);
    await ours(pushArgs('origin', ['best']));
    const refs = execFileSync('git', ['ls-remote', path.join(base, 'remote.git')], { encoding: 'utf8' });
    assert.match(refs, new RegExp(`^${best.id}\\s+refs/exps/[0-9a-f]{2}/[0-9a-f]{38}/best$`, 'm'), refs);

    await ours(removeArgs({ names: ['best'] }));
    assert.ok(!shownNames(show()).includes('best'));
    assert.equal(byName((await list()).runs, 'best'), undefined);

    assert.deepEqual(await remoteExperiments(dvc, dir, 'origin'), ['best']);
    await ours(pullArgs('origin', ['best']));
    const listing = await list();
    assertSameAsDvcShow(show(), listing);
    assert.equal(byName(listing.runs, 'best')?.id, best.id);
  });

  it('remove a failed experiment: gone from dvc exp show and from our listing', async function () {
    this.timeout(60_000);
    await ours(removeArgs({ names: ['bad'] }));
    const shown = show();
    assert.ok(!shownNames(shown).includes('bad'), shownNames(shown).join(', '));
    const listing = await list();
    assertSameAsDvcShow(shown, listing);
    assert.equal(byName(listing.runs, 'bad'), undefined);
  });

  it('a worker that dies with its run: dvc keeps calling it running, we show it failed, its log is reachable', async function () {
    this.timeout(6 * 60_000);
    writeFileSync(hold, '');
    await ours(queueExperimentArgs({ name: 'victim', overrides: [{ key: 'hold', values: [v(hold, true)] }] }));
    // An idle worker from before picks it up, or a new one starts.
    await ours(queueStartArgs(1));
    let shown: Shown[] = [];
    const victimOf = (s: Shown[]) => s.flatMap((b) => b.experiments ?? []).find((e) => e.name === 'victim');
    await waitFor(
      () => {
        const now = showWhileStarting(show);
        if (!now) return false;
        shown = now;
        return victimOf(shown)?.executor?.state === 'running';
      },
      3 * 60_000,
      'dvc to show victim running',
    );
    assert.equal(byName((await list()).runs, 'victim')?.status, 'RUNNING');

    // Following its log: the run's first line arrives; once the worker dies with the run, following stops.
    const victimId = byName((await list()).runs, 'victim')!.id;
    const chunks: string[] = [];
    const following = followQueueLog(dvc, dir, 'victim', { onOutput: (c) => chunks.push(c), died: async () => (await runState(dir, { id: victimId, name: 'victim' })) === 'died', pollMs: 200, graceMs: 1000 });
    await waitFor(() => chunks.join('').includes('training started'), 2 * 60_000, 'the victim’s first line');

    // The worker (its pid file) and the process running the experiment (its executor file): nothing else.
    const celery = path.join(dir, '.dvc', 'tmp', 'exps', 'celery');
    const workers = readdirSync(celery).filter((f) => f.endsWith('.pid')).map((f) => Number(readFileSync(path.join(celery, f), 'utf8').trim()));
    const stash = byName((await list()).runs, 'victim')!.id;
    const exec = (JSON.parse(readFileSync(path.join(dir, '.dvc', 'tmp', 'exps', 'run', stash, `${stash}.json`), 'utf8')) as { pid: number }).pid;
    const pids = [...workers, exec].filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(() => !pids.some(alive), 60_000, 'the killed worker and run to be gone');
    const followed = await following;
    assert.equal(followed.end, 'gone');
    assert.match(followed.text, /training started/);
    rmSync(hold, { force: true });

    shown = show();
    // dvc's view: still running, with the dead process's pid.
    assert.equal(victimOf(shown)?.executor?.state, 'running');
    const listing = await list();
    const victim = byName(listing.runs, 'victim')!;
    assert.equal(victim.status, 'FAILED');
    assert.equal(victim.tags['dvc.kind'], 'failed');
    assert.equal(victim.params.hold, hold);
    // Its log is still reachable (Show Experiment Log).
    assert.match(await queueLogs(dvc, dir, 'victim'), /Reproducing experiment 'victim'/);
    // And it can be removed like any failed one.
    await ours(queueStopArgs({ kill: true })).catch(() => undefined);
    await ours(removeArgs({ names: ['victim'] }));
    assert.equal(byName((await list()).runs, 'victim'), undefined);
  });
});
