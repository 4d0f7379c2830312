import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { sftpRemoteFs, type RemoteFs } from '../../../src/core/jobs/sync/remoteFs';
import { containerImage } from '../../../src/core/provenance/containerRunner';
import { MlflowHelper } from '../../../src/core/provenance/mlflowHelper';
import { findRecordedImage, startReproContainer } from '../../../src/core/provenance/reproduceContainer';
import { reproduceRun, type ImageRun } from '../../../src/core/provenance/reproduceFlow';
import { listReproductions, removeLocal, removeRemoteCopy, worktreePaths } from '../../../src/core/provenance/reproduceCleanup';
import { REMOTE_MARKER, artifactsHome, dvcliveSummary, startRemoteRepro } from '../../../src/core/provenance/reproduceRemote';
import { fetchResults, type FetchLimits } from '../../../src/core/jobs/sync/fetchResults';
import { nodeRunner } from '../../../src/core/provenance/runner';
import { beginLaunch } from '../../../src/core/provenance/session';
import { requireComponent, requireOrSkip, requirePeer, sshTestHost, testLabels } from '../harness';
import { launchInput, peersEnv } from './launchSetup';

// Reproduce Run on an SSH host's engine (the loopback sshd, whose DOCKER_HOST is the test
// engine): the worktree is made here, sent with the jobs' SFTP code sync (the DVC-tracked
// data too) into a folder of its own there, the recorded command runs in the recorded image
// by digest with that folder mounted, and the MLflow store it logged into there comes home
// and onto the new run, which the report compares, with the artifacts it logged there. The
// test image has no Python: the command in the container writes the "model", and the
// logging half of the training runs right after it with real MLflow on the host itself (it
// is this machine) in the same folder with the same environment (MLFLOW_TRACKING_URI), as
// a training script in an image with Python would.
describe('Reproduce Run on an SSH host, and cleaning reproductions up (real sshd, Docker engine, git, DVC, MLflow)', function () {
  this.timeout(600000);
  let conn: SshHostConnection;
  let fs: RemoteFs;
  let helper: MlflowHelper;
  let python = '';
  let dvc = '';
  let parent = '';
  let repo = '';
  let remoteBase = '';
  let uri = '';
  let env: NodeJS.ProcessEnv;
  let image: { name: string; digest: string };
  let worktree = '';

  const COMMAND = [
    'sh',
    '-c',
    'set -e; test -s data/input.csv; mkdir -p out; echo "weights from $(pwd)" > out/model.txt; echo "rows $(wc -l < data/input.csv) in $(pwd)"',
  ];
  // The training's MLflow logging, in the run's folder with its env; prints where MLflow put the artifacts.
  const LOG_RESULTS = 'import mlflow\nwith mlflow.start_run() as r:\n    mlflow.log_param("seed", "7")\n    for s, v in enumerate([0.5, 0.8, 0.91]):\n        mlflow.log_metric("acc", v, step=s)\n    mlflow.log_artifact("out/model.txt", "model")\n    print(r.info.artifact_uri)';
  let hostArtifacts = '';

  before(async function () {
    const docker = requireComponent(this, 'docker');
    const ssh = requireComponent(this, 'ssh');
    requireOrSkip(this, ssh.dockerHost ? undefined : 'ssh: the test sshd has no DOCKER_HOST (start the engine with bash scripts/components/up.sh)');
    python = requirePeer(this, 'python');
    dvc = requirePeer(this, 'dvc');
    env = peersEnv(dvc);
    conn = sshTestHost(ssh);
    fs = sftpRemoteFs(await conn.sftp());

    parent = mkdtempSync(path.join(tmpdir(), 'mlops-repro-ssh-'));
    repo = path.join(parent, 'project');
    // The host's side: another folder of the same machine, never the worktree itself.
    remoteBase = path.join(parent, 'on-host', 'reproduce');
    uri = `sqlite:///${parent}/mlflow.db`;
    mkdirSync(path.join(repo, 'data'), { recursive: true });
    const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { cwd: repo, env, encoding: 'utf8' });
    run('git', 'init', '-q', '-b', 'main');
    run('git', 'config', 'user.email', 't@example.invalid');
    run('git', 'config', 'user.name', 't');
    run(dvc, 'init', '-q');
    writeFileSync(path.join(repo, 'data/input.csv'), 'x,y\n1,2\n3,4\n');
    run(dvc, 'add', '-q', 'data/input.csv');
    // A stage reading it, so dvc.lock (as DVC writes it) names the data the run used.
    run(dvc, 'stage', 'add', '-q', '-n', 'train', '-d', 'data/input.csv', 'true');
    run(dvc, 'repro', '-q');
    run('git', 'add', '-A');
    run('git', 'commit', '-q', '-m', 'project');
    helper = new MlflowHelper(python, 60_000, env);

    // The recorded image: the test image as the host's engine names it.
    const probe = await startReproContainer(conn, { ref: docker.image, mounts: [], labels: testLabels });
    image = (await containerImage(conn, probe.id))!;
    await probe.remove();
    assert.match(image.digest, /^sha256:/);
  });

  after(async () => {
    helper?.dispose();
    fs?.close();
    conn?.dispose();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('sends the worktree and its data to the host, runs there in the recorded image, and brings the MLflow results home onto the new run', async () => {
    // The original run, as the launcher records one that ran in that image on that host.
    const session = await beginLaunch(launchInput({ launcher: 'workspace', cwd: repo, command: COMMAND, stages: ['train'], python, host: 'test-ssh', image, env, mlflow: { writer: helper, uri, experiment: 'remote-repro', sourceName: 'train' } }));
    const original = session.mlflowRun!.runId;
    execFileSync(python, ['-c', 'import sys\nfrom mlflow import MlflowClient\nc = MlflowClient(sys.argv[1])\nfor s, v in enumerate([0.5, 0.8, 0.91]):\n    c.log_metric(sys.argv[2], "acc", v, step=s)', uri, original], { env });
    await session.finish(0);
    // The data the run read, recorded from its .dvc file.
    assert.deepEqual(Object.keys(JSON.parse((await helper.getRun(uri, original)).tags['mlops.data']) as object).sort(), ['data/input.csv', 'data/input.csv.dvc']);

    const userHead = execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' });
    let made: ImageRun | undefined;
    let output = '';
    const got = await reproduceRun({
      runId: original,
      uri,
      mlflow: helper,
      local: nodeRunner,
      projectDir: repo,
      cacheRoot: path.join(parent, 'cache'),
      dvc,
      python,
      host: 'this machine',
      env,
      tolerance: { absolute: 1e-9, relative: 1e-6 },
      exec: () => Promise.reject(new Error('ran here, not on the host')),
      offerFetch: async () => false,
      onOutput: (s) => (output += s),
      inImage: async (img, _mounts, _gpu, worktree) => {
        const ref = await findRecordedImage(conn, img);
        assert.equal(ref, img.digest, 'the host has the recorded digest');
        made = await startRemoteRepro({ conn, fs, host: 'test-ssh', remoteBase, worktree: worktree.dir, include: worktree.include, ref: ref!, runId: original, labels: testLabels });
        const inContainer = made.container.exec;
        return {
          ...made,
          container: {
            ...made.container,
            exec: async (cwd, argv, runEnv, onOut) => {
              const code = await inContainer(cwd, argv, runEnv, onOut);
              if (code === 0) hostArtifacts = execFileSync(python, ['-c', LOG_RESULTS], { cwd, env: { ...env, ...runEnv }, encoding: 'utf8' }).trim().split('\n').pop()!;
              return code;
            },
          },
        };
      },
    });
    const remoteDir = `${remoteBase}/${path.basename(got.worktree)}`;
    assert.equal(got.exitCode, 0, output);
    assert.match(output, new RegExp(`rows 3 in ${remoteDir}`), 'the command ran in the folder on the host, with the DVC-tracked data there');
    assert.equal(got.verdict, 'reproduced within tolerance', got.report);
    assert.match(got.report, /\| acc \| 0\.91 \| 0\.91 \| 0 \|/);
    assert.match(got.report, /\| image \| ✓ \| same \|/);
    assert.match(got.report, /\| data \| ✓ \| same \|/);
    assert.ok(got.report.includes(`It ran on test-ssh, in a copy of the worktree at \`${remoteDir}\``), got.report);

    // The new run, as MLflow reads it: the host's metric history and params, linked to the original.
    const again = await helper.getRun(uri, got.newRunId!);
    assert.equal(again.metrics.acc, 0.91);
    assert.equal(again.params.seed, '7');
    assert.equal(again.tags['mlops.reproducedFrom'], original);
    assert.equal(again.tags['mlops.host'], 'test-ssh');
    assert.equal(again.tags['mlops.image.digest'], image.digest);
    const history = JSON.parse(
      execFileSync(python, ['-c', 'import json, sys\nfrom mlflow import MlflowClient\nprint(json.dumps([[m.step, m.value] for m in MlflowClient(sys.argv[1]).get_metric_history(sys.argv[2], "acc")]))', uri, got.newRunId!], { env, encoding: 'utf8' }),
    ) as number[][];
    assert.deepEqual(history.sort((a, b) => a[0] - b[0]), [[0, 0.5], [1, 0.8], [2, 0.91]]);
    // The artifact the run logged on the host (inside its folder there, MLflow's ./mlruns), on the new run here.
    assert.ok(hostArtifacts.startsWith(`${remoteDir}/mlruns/`), hostArtifacts);
    assert.equal(await helper.loadArtifactText(uri, got.newRunId!, 'model/model.txt'), `weights from ${remoteDir}\n`);
    assert.doesNotMatch(got.report, /artifacts (left|on test-ssh)/, got.report);

    // On the host: our folder, marked, with the data; the container is gone.
    assert.ok(await fs.stat(`${remoteDir}/${REMOTE_MARKER}`));
    assert.equal((await fs.readFile(`${remoteDir}/data/input.csv`, 1000))?.toString(), 'x,y\n1,2\n3,4\n');
    await assert.rejects(conn.docker().getContainer(made!.container.id).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    assert.equal(execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }), userHead, 'the user\'s tree is as it was');
    worktree = got.worktree;
  });

  it('brings artifacts home within the cap only, and never from outside the reproduction\'s folder on the host', async () => {
    assert.ok(worktree && hostArtifacts, 'the reproduction above ran');
    const remoteDir = `${remoteBase}/${path.basename(worktree)}`;
    const site = { host: 'test-ssh', remoteDir, fetchTo: (rel: string, localDir: string, limits: FetchLimits) => fetchResults({ fs, remoteDir, paths: [rel], localDir, limits, record: { cluster: 'test-ssh', jobId: 'cap', remoteDir, fetchedAt: new Date().toISOString() } }) };
    const run = await helper.createRun(uri, { experiment: 'remote-repro', tags: {} });
    const capped = await artifactsHome(site, helper, uri, run.runId, `file://${hostArtifacts}`, path.join(parent, 'capped'), { maxFiles: 5000, maxBytes: 4, maxDepth: 16 });
    assert.deepEqual({ logged: capped.logged, skipped: capped.skipped }, { logged: 0, skipped: [`${hostArtifacts.slice(remoteDir.length + 1)}/model/model.txt`] });
    const outside = await artifactsHome(site, helper, uri, run.runId, `file://${parent}`, path.join(parent, 'outside'));
    assert.match(outside.leftThere ?? '', /outside the reproduction's folder/);
    assert.equal(existsSync(path.join(parent, 'outside')), false, 'nothing was read from outside');
    const listed = execFileSync(python, ['-c', 'import sys\nfrom mlflow import MlflowClient\nprint(len(MlflowClient(sys.argv[1]).list_artifacts(sys.argv[2])))', uri, run.runId], { env, encoding: 'utf8' }).trim();
    assert.equal(listed, '0');
  });

  it('reads DVCLive\'s summary as DVCLive writes it (the fallback when no MLflow run came home)', async () => {
    // Run outside any git repository: in one, DVCLive initialises DVC there and writes its dvc.yaml.
    const live = path.join(parent, 'live');
    execFileSync(python, ['-c', 'import sys\nfrom dvclive import Live\nwith Live(sys.argv[1], save_dvc_exp=False) as live:\n    for s in range(3):\n        live.log_metric("acc", 0.5 + s / 10)\n        live.log_metric("train/loss", 1.0 / (s + 1))\n        live.next_step()', live], { cwd: parent, env: { ...env, DVCLIVE_LOGLEVEL: 'ERROR' } });
    const raw = JSON.parse(readFileSync(path.join(live, 'metrics.json'), 'utf8')) as { step: number; acc: number; train: { loss: number } };
    const got = await dvcliveSummary(path.join(live, 'metrics.json'));
    assert.deepEqual(got, { metrics: { acc: raw.acc, 'train/loss': raw.train.loss }, step: raw.step });
  });

  it('cleans up: our worktree through git and its marked copy on the host; never a worktree or folder that is not ours', async () => {
    assert.ok(worktree, 'the reproduction above ran');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    // The user's own worktree, and a folder on the host a record points at without our marker.
    const own = path.join(parent, 'users-own');
    git('worktree', 'add', '-q', '--detach', own);
    const decoy = `${remoteBase}/someone-elses`;
    mkdirSync(decoy, { recursive: true });
    writeFileSync(path.join(decoy, 'keep.txt'), 'not ours');
    writeFileSync(path.join(parent, 'cache', 'reproduce', 'decoy.remote.json'), JSON.stringify({ host: 'test-ssh', remoteDir: decoy }));

    const listed = await listReproductions(path.join(parent, 'cache'));
    assert.deepEqual(listed.map((e) => e.name).sort(), [path.basename(worktree), 'decoy'].sort());
    const ours = listed.find((e) => e.dir === worktree)!;
    assert.equal(ours.repo, repo);
    assert.deepEqual(ours.remote, { host: 'test-ssh', remoteDir: `${remoteBase}/${path.basename(worktree)}` });

    assert.deepEqual(await removeLocal(nodeRunner, ours), { viaGit: true });
    const left = worktreePaths(git('worktree', 'list', '--porcelain'));
    assert.ok(!left.includes(worktree), left.join(', '));
    assert.ok(left.includes(own), 'the user\'s worktree is kept');
    assert.equal(existsSync(worktree), false);
    assert.equal(await removeRemoteCopy({ ...ours, remote: ours.remote! }, fs, (argv) => conn.exec(argv)), 'removed');
    assert.equal(await fs.stat(ours.remote!.remoteDir), undefined);

    const decoyEntry = (await listReproductions(path.join(parent, 'cache'))).find((e) => e.name === 'decoy')!;
    await assert.rejects(removeRemoteCopy({ ...decoyEntry, remote: decoyEntry.remote! }, fs, (argv) => conn.exec(argv)), /no marker of this reproduction/);
    assert.equal(readFileSync(path.join(decoy, 'keep.txt'), 'utf8'), 'not ours');
    assert.deepEqual((await listReproductions(path.join(parent, 'cache'))).map((e) => e.name), ['decoy']);
  });
});
