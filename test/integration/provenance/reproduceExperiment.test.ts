import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { containerImage } from '../../../src/core/provenance/containerRunner';
import { parseNote, writeNote } from '../../../src/core/provenance/gitNote';
import { startReproContainer, type ReproContainer } from '../../../src/core/provenance/reproduceContainer';
import { parseDvcMetrics, reproduceExperiment } from '../../../src/core/provenance/reproduceExperiment';
import { nodeRunner } from '../../../src/core/provenance/runner';
import { beginLaunch } from '../../../src/core/provenance/session';
import { sftpRemoteFs } from '../../../src/core/jobs/sync/remoteFs';
import { startRemoteRepro, type RemoteSite } from '../../../src/core/provenance/reproduceRemote';
import { repoRoot, requireComponent, requireOrSkip, requirePeer, sshTestHost, testLabels } from '../harness';
import { launchInput, peersEnv, spawnExec } from './launchSetup';

// Reproduce Run on a DVC experiment, with real git and DVC on a sandbox copy of examples/:
// the experiment is run through the launcher (which writes its git note), then reproduced
// from that note in a worktree at the experiment's commit. The seeded pipeline must come
// out "reproduced within tolerance", and the user's tree, branches and experiments stay.
describe('Reproduce Run on a DVC experiment from its git note (real git and DVC)', function () {
  this.timeout(600000);
  let dir = '';
  let python = '';
  let dvc = '';
  let env: NodeJS.ProcessEnv;
  let cache = '';

  before(function () {
    python = requirePeer(this, 'python');
    dvc = requirePeer(this, 'dvc');
    env = peersEnv(dvc);
    const parent = mkdtempSync(path.join(tmpdir(), 'mlops-prov-exp-'));
    cache = path.join(parent, 'cache');
    dir = execFileSync('bash', [path.join(repoRoot, 'scripts/example/make-sandbox.sh'), path.join(parent, 'p')], { env, encoding: 'utf8' }).trim();
  });

  after(() => {
    if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const exec = (cwd: string, argv: string[], extra: Record<string, string>) => spawnExec(env)(cwd, argv, extra);
  const userState = () => ({
    status: git('status', '--porcelain'),
    branches: git('branch', '-a', '-v', '--no-abbrev'),
    head: git('rev-parse', 'HEAD'),
    exps: git('for-each-ref', '--format=%(objectname) %(refname)', 'refs/exps'),
    notes: git('notes', '--ref=mlops', 'list'),
  });
  const input = (commit: string, name: string) => ({ commit, name, projectDir: dir, cacheRoot: cache, dvc, python, host: hostname(), local: nodeRunner, env, tolerance: { absolute: 1e-9, relative: 1e-6 }, exec });

  let commit = '';

  it('reproduces an experiment run through the launcher within tolerance, from its note, leaving the user\'s repository as it was', async () => {
    const command = [dvc, 'exp', 'run', '-S', 'train.epochs=3'];
    const session = await beginLaunch(launchInput({ launcher: 'dvc-exp', cwd: dir, command, python, env }));
    const code = await exec(dir, command, session.env);
    assert.equal(code, 0);
    const done = await session.finish(code);
    assert.equal(done.noted.length, 1, JSON.stringify(done));
    commit = done.noted[0];
    const note = parseNote(git('notes', '--ref=mlops', 'show', commit));
    assert.equal(note?.params['train.epochs'], '3');

    // What DVC itself says the experiment scored: the reference for "original".
    const shown = JSON.parse(execFileSync(dvc, ['exp', 'show', '--json'], { cwd: dir, env, encoding: 'utf8' })) as Array<{ rev: string; experiments?: Array<{ revs: Array<{ rev: string; data: { metrics: Record<string, { data: Record<string, number> }> } }> }> }>;
    const expRow = shown.flatMap((b) => b.experiments ?? []).flatMap((e) => e.revs).find((r) => r.rev === commit);
    assert.ok(expRow, 'dvc exp show lists the experiment');
    const accuracy = expRow.data.metrics['metrics.json'].data.accuracy;

    const before = userState();
    const got = await reproduceExperiment(input(commit, 'exp'));
    assert.equal(got.verdict, 'reproduced within tolerance', got.report);
    assert.ok(got.noted);
    assert.equal(got.exitCode, 0);
    assert.match(got.report, new RegExp(`\\| metrics\\.json:accuracy \\| ${accuracy} \\| ${accuracy} \\| 0 \\|`));
    assert.match(got.report, /\| code \| ✓ \| same \|/);
    assert.match(got.report, /\| data \| ✓ \| same \|/);
    assert.match(got.report, /\| params \| ✓ \| same \|/);
    assert.ok(got.worktree.startsWith(cache));
    assert.equal(await readFile(got.reportPath, 'utf8'), got.report);
    assert.deepEqual(userState(), before, 'no tree, branch, experiment or note of the user changed');
  });

  it('reads the experiment\'s committed metrics as dvc metrics show reports them', () => {
    const wt = path.join(path.dirname(dir), 'show');
    git('worktree', 'add', '-q', '--detach', wt, commit);
    try {
      const got = parseDvcMetrics(execFileSync(dvc, ['metrics', 'show', '--json'], { cwd: wt, env, encoding: 'utf8' }));
      const raw = JSON.parse(git('show', `${commit}:metrics.json`)) as Record<string, number>;
      for (const [k, v] of Object.entries(raw)) assert.equal(got[`metrics.json:${k}`], v, k);
      assert.equal(got['dvclive/metrics.json:step'], 3);
    } finally {
      git('worktree', 'remove', '--force', wt);
    }
  });

  it('reruns in the recorded image when the note names one: the worktree mounted, the container removed after', async function () {
    const c = requireComponent(this, 'docker');
    const docker = new Docker({ socketPath: c.socketPath });
    // The experiment as if it had run in the test image: its note names that image's digest.
    const probe = await startReproContainer({ docker: () => docker }, { ref: c.image, mounts: [], labels: testLabels });
    const image = await containerImage({ docker: () => docker }, probe.id);
    await probe.remove();
    assert.ok(image);
    const note = parseNote(git('notes', '--ref=mlops', 'show', commit))!;
    note.environment.image = image;
    await writeNote(nodeRunner, dir, commit, note);

    let made: ReproContainer | undefined;
    let mounted: string[] = [];
    let output = '';
    const got = await reproduceExperiment({
      ...input(commit, 'exp'),
      exec: () => Promise.reject(new Error('ran here, not in the image')),
      inImage: async (img, mounts) => {
        mounted = mounts;
        made = await startReproContainer({ docker: () => docker }, { ref: img.digest, mounts, labels: testLabels });
        return { container: made, host: 'this machine', image: (await containerImage({ docker: () => docker }, made.id))! };
      },
      onOutput: (s) => (output += s),
    });
    // The test image has no dvc: the command ran in it (the shell says so) and failed there.
    assert.equal(got.exitCode, 127, output);
    assert.match(output, /dvc/);
    assert.ok(mounted.includes(got.worktree) && mounted.includes(dir), mounted.join(', '));
    assert.doesNotMatch(got.report, /## Not matched[\s\S]*image/, 'the image matched the recorded digest');
    assert.match(got.report, /\| image \| ✓ \| same \|/);
    assert.match(got.report, /the command exited with 127/);
    await assert.rejects(docker.getContainer(made!.id).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('reruns on an SSH host\'s engine: the worktree and the experiment\'s data copied there, DVC told it has no git', async function () {
    const ssh = requireComponent(this, 'ssh');
    requireOrSkip(this, ssh.dockerHost ? undefined : 'ssh: the test sshd has no DOCKER_HOST');
    const conn = sshTestHost(ssh);
    const fs = sftpRemoteFs(await conn.sftp());
    const remoteBase = path.join(path.dirname(dir), 'on-host');
    let site: RemoteSite | undefined;
    let output = '';
    try {
      const got = await reproduceExperiment({
        ...input(commit, 'exp'),
        exec: () => Promise.reject(new Error('ran here, not on the host')),
        inImage: async (img, _mounts, _gpu, worktree) => {
          const run = await startRemoteRepro({ conn, fs, host: 'test-ssh', remoteBase, worktree: worktree.dir, include: worktree.include, ref: img.digest, runId: commit, labels: testLabels });
          site = run.site;
          return run;
        },
        onOutput: (s) => (output += s),
      });
      const remoteDir = `${remoteBase}/${path.basename(got.worktree)}`;
      assert.equal(site?.remoteDir, remoteDir);
      // The test image has no git nor dvc: the no-SCM setup line ran there and said so.
      assert.equal(got.exitCode, 127, output);
      assert.match(output, /dvc/);
      // The experiment's DVC-tracked input (ignored by git) went with the code.
      assert.ok(site!.sync.uploaded.includes('data/prepared/train.csv'), site!.sync.uploaded.join(', '));
      assert.ok(await fs.stat(`${remoteDir}/data/prepared/train.csv`));
      assert.match(got.report, /\| image \| ✓ \| same \|/);
      assert.match(got.report, /\| host \| ✗ \| .* vs test-ssh \|/);
    } finally {
      fs.close();
      conn.dispose();
    }
  });
});
