// The pure parts of a reproduction on an SSH host and of cleaning reproductions up: what
// is sent, how the command and its MLflow environment change there, and what marks a
// worktree or a remote folder as ours. The host side runs against the real sshd and
// engine in test/integration/provenance/reproduceRemote.test.ts.
import { strict as assert } from 'node:assert';
import { repoOfGitFile, worktreePaths } from '../../../src/core/provenance/reproduceCleanup';
import { dataPaths } from '../../../src/core/provenance/reproduceFlow';
import { homePaths, hostArtifactPath, parseMarker, remoteArgv, remoteRunEnv } from '../../../src/core/provenance/reproduceRemote';

describe('Reproduce Run on an SSH host: the pure parts', () => {
  it('sends the recorded deps and the data of .dvc files, under the project\'s folder in the repository', () => {
    assert.deepEqual(dataPaths('', { 'data/prepared': 'a', 'data/raw.csv.dvc': 'b', 'src/train.py': 'c' }), ['data/prepared', 'data/raw.csv', 'src/train.py']);
    assert.deepEqual(dataPaths('examples', { 'data/raw.csv.dvc': 'b', 'data/raw.csv': 'b' }), ['examples/data/raw.csv']);
    assert.deepEqual(dataPaths('', undefined), []);
  });

  it('points a local MLflow store at an SQLite store in the host\'s folder, without the run id it does not hold', () => {
    const env = { MLFLOW_RUN_ID: 'r1', MLFLOW_EXPERIMENT_ID: '3', MLFLOW_TRACKING_URI: 'sqlite:////home/me/p/mlflow.db', SEED: '7' };
    assert.deepEqual(remoteRunEnv(env, '/srv/r/x', 'sqlite:////home/me/p/mlflow.db'), { SEED: '7', MLFLOW_TRACKING_URI: 'sqlite:////srv/r/x/.mlops-reproduce/mlflow.db' });
    assert.deepEqual(remoteRunEnv(env, '/srv/r/x', 'file:///home/me/p/mlruns').MLFLOW_RUN_ID, undefined);
    // A tracking server: the run continues there (the host must reach it).
    const server = { ...env, MLFLOW_TRACKING_URI: 'https://mlflow.example' };
    assert.deepEqual(remoteRunEnv(server, '/srv/r/x', 'https://mlflow.example'), server);
  });

  it('runs DVC with core.no_scm in the copy (it has no .git), passing the argv through as positional words', () => {
    const argv = remoteArgv(['dvc', 'repro', '--force', 'train; rm -rf /']);
    assert.equal(argv[0], 'sh');
    assert.match(argv[2], /core\.no_scm true && exec "\$@"$/);
    assert.deepEqual(argv.slice(3), ['sh', 'dvc', 'repro', '--force', 'train; rm -rf /']);
    assert.deepEqual(remoteArgv(['python', 'train.py']), ['python', 'train.py']);
  });

  it('brings home DVCLive, dvc.lock, the host\'s MLflow store and the metrics files, once each', () => {
    assert.deepEqual(homePaths(['metrics.json', 'dvclive']), ['dvclive', 'dvc.lock', '.mlops-reproduce/mlflow.db', 'metrics.json']);
  });

  it('reads a run\'s artifact location on the host as a folder path only when it is a local one', () => {
    assert.equal(hostArtifactPath('file:///srv/r/x/mlruns/0/abc/artifacts'), '/srv/r/x/mlruns/0/abc/artifacts');
    assert.equal(hostArtifactPath('file:///srv/r/x/a%20b/artifacts/'), '/srv/r/x/a b/artifacts');
    // Normalised, so a `..` cannot climb out of the folder the caller checks it against.
    assert.equal(hostArtifactPath('/srv/r/x/../../etc'), '/srv/etc');
    for (const other of ['s3://bucket/a', 'mlflow-artifacts:/0/abc', 'https://x/y', 'mlruns/0', 'file://%zz']) assert.equal(hostArtifactPath(other), undefined, other);
  });

  it('reads a marker from the host only when it has every field', () => {
    assert.deepEqual(parseMarker('{"version":1,"runId":"r","worktree":"/c/reproduce/r-1","created":5}'), { version: 1, runId: 'r', worktree: '/c/reproduce/r-1', created: 5 });
    for (const bad of ['', 'null', '[]', '{"version":2,"runId":"r","worktree":"/w","created":5}', '{"version":1,"runId":"r","created":5}']) assert.equal(parseMarker(bad), undefined, bad);
  });
});

describe('Clean Up Reproductions: what is ours', () => {
  it('finds the repository of a worktree from the .git file git worktree add wrote', () => {
    assert.equal(repoOfGitFile('gitdir: /home/me/project/.git/worktrees/r-1\n'), '/home/me/project');
    assert.equal(repoOfGitFile('gitdir: /home/me/project/.git\n'), undefined);
    assert.equal(repoOfGitFile('gitdir: /x/modules/worktrees/a\n'), undefined);
    assert.equal(repoOfGitFile('not a git file'), undefined);
  });

  it('reads the paths of git worktree list --porcelain', () => {
    const out = 'worktree /home/me/project\nHEAD abc\nbranch refs/heads/main\n\nworktree /cache/reproduce/r-1\nHEAD def\ndetached\n\n';
    assert.deepEqual(worktreePaths(out), ['/home/me/project', '/cache/reproduce/r-1']);
  });
});
