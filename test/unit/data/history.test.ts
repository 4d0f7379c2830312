// Versions over git history, on repositories made here with plain git and hand-written
// .dvc files and dvc.lock (DVC itself is exercised in test/integration/data/).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listArtifacts } from '../../../src/core/data/artifacts';
import { DataError } from '../../../src/core/data/dataErrors';
import { openRepo } from '../../../src/core/data/gitRepo';
import { metricsAcrossRevisions } from '../../../src/core/data/metricsTable';
import { listVersions } from '../../../src/core/data/versionHistory';

const h = (n: number) => n.toString(16).padStart(32, 'f');
const dvcFile = (md5: string, size: number) => `outs:\n- md5: ${md5}\n  size: ${size}\n  hash: md5\n  path: model.bin\n`;

describe('data: versions in git history', function () {
  this.timeout(20000);
  let dir: string;
  // Commits a minute apart: git orders history by date, and ties would make the order arbitrary.
  let clock = 1767225600;
  const git = (...args: string[]) => {
    const date = `${(clock += 60)} +0000`;
    return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } }).trim();
  };
  const commit = (msg: string, files: Record<string, string>) => {
    for (const [f, t] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), t);
    }
    git('add', '-A');
    git('commit', '-q', '-m', msg);
    return git('rev-parse', 'HEAD');
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-history-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Ada');
    git('config', 'user.email', 'ada@example.invalid');
    git('config', 'commit.gpgsign', 'false');
    commit('init dvc', { '.dvc/config': '', 'dvc.yaml': 'metrics:\n  - metrics.json\n', 'metrics.json': '{"acc": 0.5}' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the commits that changed the hash, newest first, with refs, sizes and metrics', async () => {
    const v1 = commit('model v1', { 'model.bin.dvc': dvcFile(h(1), 10), 'metrics.json': '{"acc": 0.6}' });
    commit('docs only', { 'README.md': 'hi\n' });
    // Same hash, keys reordered and no trailing newline: not a new version.
    commit('reformat', { 'model.bin.dvc': `outs:\n- path: model.bin\n  hash: md5\n  size: 10\n  md5: ${h(1)}` });
    const v2 = commit('model v2', { 'model.bin.dvc': dvcFile(h(2), 20), 'metrics.json': '{"acc": 0.8, "loss": 0.2}' });
    commit('more docs', { 'README.md': 'hello\n' });
    git('tag', '-a', 'release/0.1', '-m', 'first release');
    git('switch', '-q', '-c', 'exp');
    const v3 = commit('model v3 (experiment)', { 'model.bin.dvc': dvcFile(h(3), 30), 'metrics.json': '{"acc": 0.7}' });
    git('switch', '-q', 'main');

    const [artifact] = (await listArtifacts(dir)).artifacts;
    const { versions, problems } = await listVersions(dir, artifact);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      versions.map((v) => [v.commit, v.subject, v.md5, v.size, v.branches, v.tags, v.head]),
      [
        [v3, 'model v3 (experiment)', h(3), 30, ['exp'], [], false],
        [v2, 'model v2', h(2), 20, ['main'], ['release/0.1'], true],
        [v1, 'model v1', h(1), 10, [], [], false],
      ],
    );
    assert.deepEqual(versions[1].metrics, { 'metrics.json': { acc: 0.8, loss: 0.2 } });
    assert.equal(versions[0].author, 'Ada');
    assert.match(versions[0].date, /^\d{4}-\d\d-\d\dT/);
  });

  it('skips a commit whose .dvc lost its hash instead of failing', async () => {
    commit('broken by hand', { 'model.bin.dvc': 'outs:\n- size: 1\n  path: model.bin\n' });
    const fixed = commit('fixed', { 'model.bin.dvc': dvcFile(h(4), 40) });
    const [artifact] = (await listArtifacts(dir)).artifacts;
    const { versions } = await listVersions(dir, artifact);
    assert.equal(versions[0].commit, fixed);
    assert.ok(!versions.some((v) => v.subject === 'broken by hand'));
  });

  it('follows a dvc.lock out through its stage and ignores other stages', async () => {
    const lock = (a: string, b: string) => `schema: '2.0'\nstages:\n  train:\n    cmd: t\n    outs:\n    - path: models/m.pkl\n      hash: md5\n      md5: ${a}\n      size: 5\n  other:\n    cmd: o\n    outs:\n    - path: other.bin\n      hash: md5\n      md5: ${b}\n      size: 1\n`;
    const y = 'metrics:\n  - metrics.json\nstages:\n  train:\n    cmd: t\n    outs: [models/m.pkl]\n  other:\n    cmd: o\n    outs: [other.bin]\n';
    const c1 = commit('train 1', { 'dvc.lock': lock(h(10), h(20)), 'dvc.yaml': y });
    commit('other only', { 'dvc.lock': lock(h(10), h(21)) });
    const c3 = commit('train 2', { 'dvc.lock': lock(h(11), h(21)) });
    const m = (await listArtifacts(dir)).artifacts.find((a) => a.path === 'models/m.pkl')!;
    assert.equal(m.source.kind, 'dvc-lock');
    const { versions } = await listVersions(dir, m);
    assert.deepEqual(versions.map((v) => v.commit), [c3, c1]);
  });

  it('builds the metrics table of the workspace, branches and tags with the best values', async () => {
    writeFileSync(path.join(dir, 'metrics.json'), '{"acc": 0.99}');
    const table = await metricsAcrossRevisions(dir);
    const byRev = Object.fromEntries(table.rows.map((r) => [r.rev, r.metrics['metrics.json']]));
    assert.deepEqual(byRev['release/0.1'], { acc: 0.8, loss: 0.2 });
    assert.deepEqual(byRev.exp, { acc: 0.7 });
    assert.deepEqual(byRev.workspace, { acc: 0.99 });
    const acc = table.columns.find((c) => c.key === 'acc')!;
    assert.deepEqual(acc.bestRevs, ['workspace']);
    git('checkout', '-q', '--', 'metrics.json');
  });

  it('says when HEAD is detached, and still lists versions from every branch and tag', async () => {
    git('checkout', '-q', '--detach', 'release/0.1');
    try {
      const repo = await openRepo(dir);
      assert.equal(repo.problems[0].code, 'detached-head');
      assert.match(repo.problems[0].message, /HEAD is detached at [0-9a-f]{7}.*git switch/);
      const [artifact] = (await listArtifacts(dir)).artifacts;
      const { versions, problems } = await listVersions(dir, artifact, { repo });
      assert.equal(problems[0].code, 'detached-head');
      assert.ok(versions.length >= 4);
      assert.equal(versions.find((v) => v.head)?.subject, 'model v2');
    } finally {
      git('switch', '-q', 'main');
    }
  });

  it('says when the clone is shallow and lists what history it has', async () => {
    const shallow = `${dir}-shallow`;
    execFileSync('git', ['clone', '-q', '--depth', '2', `file://${dir}`, shallow]);
    try {
      const repo = await openRepo(shallow);
      assert.ok(repo.shallow);
      assert.match(repo.problems.map((p) => p.message).join('\n'), /shallow clone.*git fetch --unshallow/);
      const artifact = (await listArtifacts(shallow)).artifacts.find((a) => a.path === 'model.bin')!;
      const { versions } = await listVersions(shallow, artifact, { repo });
      assert.ok(versions.length >= 1 && versions.length < 4, `a shallow clone cannot list all versions: ${versions.length}`);
    } finally {
      rmSync(shallow, { recursive: true, force: true });
    }
  });

  it('says the folder is not in git when it is not', async () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'mlops-nogit-'));
    try {
      await assert.rejects(openRepo(plain), (err: DataError) => err.code === 'not-git' && /git init/.test(err.message));
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
