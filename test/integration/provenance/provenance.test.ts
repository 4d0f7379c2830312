import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { MlflowHelper } from '../../../src/core/provenance/mlflowHelper';
import { reproduceRun, type ReproduceInput } from '../../../src/core/provenance/reproduceFlow';
import { nodeRunner } from '../../../src/core/provenance/runner';
import { beginLaunch, launchArgv, type LaunchInput } from '../../../src/core/provenance/session';
import { parseNote } from '../../../src/core/provenance/gitNote';
import { applyPatch } from '../../../src/core/provenance/reproduce';
import { UNTRACKED_FILE_CAP } from '../../../src/core/provenance/capture';
import { repoRoot, requirePeer } from '../harness';
import { launchInput, peersEnv, spawnExec } from './launchSetup';

// Provenance of real launches of the example pipeline (real git, DVC and MLflow on a
// sandbox copy of examples/), read back with MLflow's own client and git itself; then
// Reproduce Run on those runs.
describe('provenance and Reproduce Run with real git, DVC and MLflow', function () {
  this.timeout(900000);
  let dir = '';
  let python = '';
  let dvc = '';
  let mlflow = '';
  let helper: MlflowHelper;
  let uri = '';
  let env: NodeJS.ProcessEnv;
  let cache = '';

  before(function () {
    python = requirePeer(this, 'python');
    dvc = requirePeer(this, 'dvc');
    mlflow = requirePeer(this, 'mlflow');
    env = { ...peersEnv(dvc), AWS_SECRET_ACCESS_KEY: 'do-not-store', MLFLOW_TRACKING_TOKEN: 'do-not-store', CUDA_VISIBLE_DEVICES: '0' };
    const parent = mkdtempSync(path.join(tmpdir(), 'mlops-prov-'));
    cache = path.join(parent, 'cache');
    dir = execFileSync('bash', [path.join(repoRoot, 'scripts/example/make-sandbox.sh'), path.join(parent, 'p')], { env, encoding: 'utf8' }).trim();
    execFileSync('git', ['remote', 'add', 'origin', 'https://alice:ghp_secret@example.invalid/team/project.git'], { cwd: dir });
    uri = `sqlite:///${dir}/mlflow.db`;
    helper = new MlflowHelper(python, 60_000, env);
  });

  after(() => {
    helper?.dispose();
    if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const exec = (cwd: string, argv: string[], extra: Record<string, string>) => spawnExec(env)(cwd, argv, extra);
  const launch = async (launcher: LaunchInput['launcher'], command: string[], stages?: string[]) => {
    const session = await beginLaunch(launchInput({ launcher, cwd: dir, command, stages, python, env, mlflow: { writer: helper, uri, experiment: 'examples-classifier', sourceName: command.slice(1).join(' ') } }));
    const code = await exec(dir, command, session.env);
    return { session, code, result: await session.finish(code) };
  };
  /** What MLflow's own client reads back: the run, its artifacts, and how many runs the experiment holds. */
  const readBack = (runId: string) =>
    JSON.parse(
      execFileSync(
        python,
        [
          '-c',
          `import json, sys
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
r = c.get_run(sys.argv[2])
arts = [a.path for a in c.list_artifacts(sys.argv[2], "provenance")]
n = len(c.search_runs([r.info.experiment_id]))
print(json.dumps({"status": r.info.status, "tags": r.data.tags, "metrics": r.data.metrics, "artifacts": arts, "runs": n}))`,
          uri,
          runId,
        ],
        { cwd: dir, env, encoding: 'utf8' },
      ),
    ) as { status: string; tags: Record<string, string>; metrics: Record<string, number>; artifacts: string[]; runs: number };
  const userState = () => ({ status: git('status', '--porcelain'), branches: git('branch', '-a', '-v', '--no-abbrev'), head: git('rev-parse', 'HEAD') });
  const reproduce = (runId: string): Promise<Awaited<ReturnType<typeof reproduceRun>>> => {
    const input: ReproduceInput = {
      runId,
      uri,
      mlflow: helper,
      local: nodeRunner,
      projectDir: dir,
      cacheRoot: cache,
      dvc,
      python,
      host: hostname(),
      env,
      tolerance: { absolute: 1e-9, relative: 1e-6 },
      exec,
      offerFetch: async () => false,
    };
    return reproduceRun(input);
  };

  let seeded = '';
  const untrackedBinary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256));

  it('records a stage rerun from a dirty tree in the MLflow run the training continues', async () => {
    appendFileSync(path.join(dir, 'src/train.py'), '\n# edited by the provenance test\n');
    // Untracked, never `git add`ed: a new source file and a binary one go with the run; an
    // ignored file and one over the untracked-file limit do not (the latter is named).
    writeFileSync(path.join(dir, 'src/helper_new.py'), 'SEED_NOTE = "untracked"\n');
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'assets/table.bin'), untrackedBinary);
    mkdirSync(path.join(dir, 'src/__pycache__'), { recursive: true });
    writeFileSync(path.join(dir, 'src/__pycache__/ignored.pyc'), 'ignored');
    writeFileSync(path.join(dir, 'assets/oversize.bin'), Buffer.alloc(UNTRACKED_FILE_CAP + 1, 1));
    const statusBefore = git('status', '--porcelain', '--untracked-files=all');
    const indexBefore = readFileSync(path.join(dir, '.git/index'));
    const { session, code, result } = await launch('dvc-repro', [dvc, 'repro', 'train']);
    const captured = await session.captured;
    assert.ok(readFileSync(path.join(dir, '.git/index')).equals(indexBefore), 'the user\'s index is byte-identical');
    // What the run wrote itself (dvc.lock, metrics, data/.gitignore) is new; nothing of the user's changed state.
    const statusAfter = git('status', '--porcelain', '--untracked-files=all').split('\n');
    for (const line of statusBefore.split('\n')) assert.ok(statusAfter.includes(line), line);
    assert.deepEqual(captured.provenance.code.skippedUntracked, ['assets/oversize.bin']);
    assert.equal(code, 0);
    assert.deepEqual(result.problems, []);
    seeded = session.mlflowRun!.runId;
    const r = readBack(seeded);
    assert.equal(r.runs, 1, 'the training continued the pre-created run instead of making another');
    assert.equal(r.status, 'FINISHED');
    assert.ok(r.metrics.test_accuracy > 0.5, JSON.stringify(r.metrics));
    assert.equal(r.tags['mlflow.source.git.commit'], git('rev-parse', 'HEAD'));
    assert.equal(r.tags['mlflow.source.git.branch'], 'main');
    assert.equal(r.tags['mlflow.source.git.repoURL'], 'https://example.invalid/team/project.git');
    assert.equal(r.tags['mlflow.source.type'], 'LOCAL');
    assert.equal(r.tags['mlops.exitCode'], '0');
    assert.deepEqual(Object.keys(JSON.parse(r.tags['mlops.code.files']) as object), ['assets/table.bin', 'src/helper_new.py', 'src/train.py']);
    assert.equal(r.tags['mlops.code.skippedUntracked'], '["assets/oversize.bin"]');
    assert.ok((JSON.parse(r.tags['mlops.data']) as Record<string, string>)['data/prepared'], r.tags['mlops.data']);
    assert.equal((JSON.parse(r.tags['mlops.params']) as Record<string, string>)['train.seed'], '7');
    assert.equal((JSON.parse(r.tags['mlops.env']) as Record<string, string>).CUDA_VISIBLE_DEVICES, '0');
    assert.doesNotMatch(JSON.stringify(r.tags), /do-not-store|ghp_secret/);
    assert.equal(r.tags['mlops.gpu'], 'unknown'); // no nvidia-smi here: unknown, not an error
    assert.match(r.tags['mlops.python'], /^3\.\d+/);
    assert.deepEqual(r.artifacts.sort(), ['provenance/changes.patch', 'provenance/pip-freeze.txt', 'provenance/provenance.json']);
  });

  it('reproduces the seeded run within tolerance, leaving the working tree and branches as they were', async () => {
    const before = userState();
    const got = await reproduce(seeded);
    assert.equal(got.verdict, 'reproduced within tolerance', got.report);
    assert.match(got.report, /\| code \| ✓ \| same \|/);
    assert.match(got.report, /\| data \| ✓ \| same \|/);
    // The sandbox's commit predates its first dvc repro: no dvc.lock to check the outputs out from, said as such.
    assert.match(got.report, /the commit holds no dvc\.lock/);
    assert.doesNotMatch(got.report, /not in the DVC cache/);
    assert.match(got.report, /untracked files left out of the recorded changes .*: assets\/oversize\.bin/);
    assert.deepEqual(userState(), before);
    // The untracked files came along into the worktree; the ignored and oversize ones did not.
    assert.equal(readFileSync(path.join(got.worktree, 'src/helper_new.py'), 'utf8'), 'SEED_NOTE = "untracked"\n');
    assert.ok(readFileSync(path.join(got.worktree, 'assets/table.bin')).equals(untrackedBinary));
    assert.ok(!existsSync(path.join(got.worktree, 'src/__pycache__/ignored.pyc')));
    assert.ok(!existsSync(path.join(got.worktree, 'assets/oversize.bin')));
    const again = readBack(got.newRunId!);
    assert.equal(again.tags['mlops.reproducedFrom'], seeded);
    assert.ok(got.worktree.startsWith(cache));
  });

  it('writes a git note on the experiment commit of a dvc exp run', async () => {
    git('add', '-A');
    git('commit', '-q', '-m', 'after the first run');
    const { code, result } = await launch('dvc-exp', [dvc, 'exp', 'run', '-S', 'train.epochs=3']);
    assert.equal(code, 0);
    assert.equal(result.noted.length, 1, JSON.stringify(result));
    const note = parseNote(git('notes', '--ref=mlops', 'show', result.noted[0]));
    assert.equal(note?.launcher, 'dvc-exp');
    assert.equal(note?.params['train.epochs'], '3');
    assert.equal(note?.timing.exitCode, 0);
    // The note is beside the commit, not in it: the experiment's ref still names the same commit.
    assert.match(git('for-each-ref', '--format=%(objectname)', 'refs/exps'), new RegExp(result.noted[0]));
    assert.match(git('notes', '--ref=mlops', 'list'), new RegExp(` ${result.noted[0]}$`, 'm'));
  });

  it('reports a changed data file: the data hash differs and the metrics moved', async () => {
    const csv = path.join(dir, 'data/prepared/train.csv');
    const lines = readFileSync(csv, 'utf8').split('\n');
    writeFileSync(csv, [lines[0], ...lines.slice(1).filter((l, k) => l && k % 3 !== 0)].join('\n') + '\n');
    const { session, code } = await launch('dvc-repro', [dvc, 'repro', '-s', 'train'], ['train']);
    assert.equal(code, 0);
    const before = userState();
    const got = await reproduce(session.mlflowRun!.runId);
    assert.equal(got.verdict, 'not reproduced: metrics moved beyond tolerance', got.report);
    assert.match(got.report, /\| data \| ✗ \| 1 input differs: data\/prepared \|/);
    assert.doesNotMatch(got.report, /no dvc\.lock|not in the DVC cache/, 'dvc.lock is committed now: the data was checked out');
    assert.deepEqual(userState(), before);
  });

  it('mlflow run continues the run made first (--run-id), in the MLproject\'s experiment', async () => {
    const command = [mlflow, 'run', '.', '-e', 'train', '--env-manager', 'local'];
    const session = await beginLaunch(launchInput({ launcher: 'mlflow-run', cwd: dir, command, python, env, mlflow: { writer: helper, uri, experiment: 'examples-classifier', sourceName: 'mlflow run . -e train' } }));
    // Counted with the run made first already there: mlflow run must add none.
    const runsBefore = readBack(session.mlflowRun!.runId).runs;
    const code = await exec(dir, launchArgv(command, session.env), session.env);
    assert.equal(code, 0);
    await session.finish(code);
    const r = readBack(session.mlflowRun!.runId);
    assert.equal(r.runs, runsBefore, 'one run: the one made first');
    assert.equal(r.status, 'FINISHED');
    assert.ok(r.metrics.test_accuracy > 0.5);
    assert.equal(r.tags['mlflow.project.entryPoint'], 'train');
    assert.equal(r.tags['mlops.launcher'], 'mlflow-run');
    assert.equal(r.tags['mlflow.source.git.commit'], git('rev-parse', 'HEAD'));
  });

  it('mlflow run --run-id gets the params mlflow run logs on a run of its own (-P values and defaults)', async () => {
    // The oracle: the same entry point run by mlflow itself, without a run made first. Its
    // metrics file lies outside the project, so the tree stays as the other tests expect.
    const metricsFile = path.join(mkdtempSync(path.join(tmpdir(), 'mlops-prov-metrics-')), 'm.json');
    writeFileSync(metricsFile, '{"acc": 0.5}');
    const plain = [mlflow, 'run', '.', '-e', 'report', '-P', 'indent=4', '-P', `metrics=${metricsFile}`, '--env-manager', 'local', '--run-name', 'plain-report'];
    assert.equal(await exec(dir, plain, { MLFLOW_TRACKING_URI: uri }), 0);
    const command = [mlflow, 'run', '.', '-e', 'report', '-P', 'indent=4', '-P', `metrics=${metricsFile}`, '--env-manager', 'local'];
    const session = await beginLaunch(launchInput({ launcher: 'mlflow-run', cwd: dir, command, python, env, mlflow: { writer: helper, uri, experiment: 'examples-classifier', sourceName: 'mlflow run . -e report' } }));
    assert.deepEqual(session.problems.filter((p) => p.includes('params')), []);
    const code = await exec(dir, launchArgv(command, session.env), session.env);
    assert.equal(code, 0);
    await session.finish(code);
    const params = (runId: string) =>
      JSON.parse(
        execFileSync(python, ['-c', 'import json, sys\nfrom mlflow.tracking import MlflowClient\nprint(json.dumps(MlflowClient(tracking_uri=sys.argv[1]).get_run(sys.argv[2]).data.params))', uri, runId], { encoding: 'utf8' }),
      ) as Record<string, string>;
    const plainId = execFileSync(
      python,
      ['-c', "import sys, mlflow\nmlflow.set_tracking_uri(sys.argv[1])\ndf = mlflow.search_runs(search_all_experiments=True, filter_string=\"tags.mlflow.runName = 'plain-report'\")\nprint(df['run_id'][0])", uri],
      { encoding: 'utf8' },
    ).trim();
    const theirs = params(plainId);
    assert.deepEqual(theirs.indent, '4');
    assert.deepEqual(params(session.mlflowRun!.runId), theirs);
  });

  it('offers to fetch a commit the clone does not have, and says so when it is not fetched', async () => {
    const missing = 'f'.repeat(40);
    const made = await helper.createRun(uri, { experiment: 'examples-classifier', tags: { 'mlops.launcher': 'dvc-repro', 'mlflow.source.git.commit': missing, 'mlops.command': JSON.stringify([dvc, 'repro']) }, cwd: dir });
    const offered: string[] = [];
    const before = userState();
    await assert.rejects(
      reproduceRun({ runId: made.runId, uri, mlflow: helper, local: nodeRunner, projectDir: dir, cacheRoot: cache, dvc, python, host: hostname(), env, tolerance: { absolute: 0, relative: 0 }, exec, offerFetch: async (c) => (offered.push(c), false) }),
      (e: Error & { kind?: string }) => e.kind === 'commit-missing' && /ffffff/.test(e.message),
    );
    assert.deepEqual(offered, [missing]);
    assert.deepEqual(userState(), before);
  });

  it('names the files when the recorded changes no longer apply', async () => {
    const r = readBack(seeded);
    assert.ok(r.tags['mlops.code.files']);
    // The seeded run's patch edits src/train.py; a commit where that file was rewritten does not take it.
    const commit = r.tags['mlflow.source.git.commit'];
    const wt = path.join(path.dirname(dir), 'other');
    git('worktree', 'add', '-q', '--detach', wt, commit);
    await assert.rejects(
      async () => {
        writeFileSync(path.join(wt, 'src/train.py'), 'rewritten\n');
        execFileSync('git', ['commit', '-qam', 'rewrite'], { cwd: wt });
        const patch = await helper.loadArtifactText(uri, seeded, 'provenance/changes.patch');
        writeFileSync(`${wt}.patch`, patch);
        await applyPatch(nodeRunner, wt, `${wt}.patch`);
      },
      (e: Error & { items?: string[] }) => e.message.includes('src/train.py') && e.items?.[0] === 'src/train.py',
    );
    git('worktree', 'remove', '--force', wt);
  });

  it('reproduces a run made on another branch while the user is back on theirs, changing neither', async () => {
    git('checkout', '-q', '-b', 'feature-seed');
    git('add', '-A');
    git('commit', '-q', '-m', 'a feature branch');
    // --force: the earlier tests left outputs DVC would restore from its run cache, training nothing.
    const { session, code } = await launch('dvc-repro', [dvc, 'repro', '--force']);
    assert.equal(code, 0);
    const runId = session.mlflowRun!.runId;
    const commit = git('rev-parse', 'HEAD');
    assert.equal(readBack(runId).tags['mlflow.source.git.branch'], 'feature-seed');
    // The user goes back to main (what the run wrote is committed on the feature branch first).
    git('add', '-A');
    git('commit', '-q', '-m', 'the run\'s outputs');
    git('checkout', '-q', 'main');
    const before = userState();
    const got = await reproduce(runId);
    assert.equal(got.verdict, 'reproduced within tolerance', got.report);
    assert.equal(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: got.worktree, encoding: 'utf8' }).trim(), commit, 'the worktree is at the run\'s commit, not the user\'s');
    assert.deepEqual(userState(), before);
    assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD'), 'main');
  });
});
