// The Data view's core against the real DVC CLI: a git + DVC project made here with a
// local remote, a dataset (.dvc file) and a model (dvc.lock out) in three versions
// across commits and a tag (release/0.1). DVC's own answers are the reference.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listArtifacts, type Artifact } from '../../../src/core/data/artifacts';
import { artifactState, notInRemoteFromCli } from '../../../src/core/data/artifactState';
import { cacheWorkspaceCopy } from '../../../src/core/data/cacheCopy';
import { objectPath, readDirManifest, type ManifestEntry } from '../../../src/core/data/cacheLayout';
import { compareVersions } from '../../../src/core/data/compareVersions';
import { DataError } from '../../../src/core/data/dataErrors';
import { dvcDataStatus, runDvc } from '../../../src/core/data/dvcCli';
import { readDvcConfig } from '../../../src/core/data/dvcConfig';
import { openRepo } from '../../../src/core/data/gitRepo';
import { flattenMetrics } from '../../../src/core/data/metricsFiles';
import { metricsAcrossRevisions } from '../../../src/core/data/metricsTable';
import { restoreRecord } from '../../../src/core/data/versionCheckout';
import { listVersions, type ArtifactVersion } from '../../../src/core/data/versionHistory';
import { HashCache } from '../../../src/core/pipelines/status/dvcHash';
import { knownHostsFile, SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { parseSshUrl, pushedOnSsh } from '../../../src/core/data/remotePresence';
import { requireComponent, requirePeer } from '../harness';

const TRAIN = `import json, os, yaml
lr = yaml.safe_load(open("params.yaml"))["train"]["lr"]
data = "".join(open(os.path.join("data/raw", f)).read() for f in sorted(os.listdir("data/raw")))
os.makedirs("models", exist_ok=True)
open("models/model.bin", "w").write(f"model lr={lr} data={data!r}\\n")
json.dump({"acc": round(0.5 + len(data) / 100 + lr, 4), "loss": round(1 / (1 + len(data)), 4)}, open("metrics.json", "w"))
`;

const DVC_YAML = `stages:
  train:
    cmd: python train.py
    deps: [train.py, data/raw]
    params: [train.lr]
    outs: [models/model.bin]
    metrics:
      - metrics.json:
          cache: false
`;

describe('data versions with the real DVC CLI', function () {
  this.timeout(180000);
  let dvc: string;
  let parent: string;
  let dir: string;
  let remote: string;
  const commits: Record<string, string> = {};
  const modelAt: Record<string, string> = {};
  const env = () => ({ ...process.env, PATH: `${path.dirname(dvc)}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' });
  const sh = (cmd: string, args: string[], cwd = dir) => execFileSync(cmd, args, { cwd, env: env(), encoding: 'utf8' }).trim();
  const git = (...args: string[]) => sh('git', args);
  const dvcRun = (...args: string[]) => sh(dvc, args);
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  const artifacts = async () => Object.fromEntries((await listArtifacts(dir)).artifacts.map((a) => [a.path, a])) as Record<string, Artifact>;

  before(function () {
    dvc = requirePeer(this, 'dvc');
    parent = mkdtempSync(path.join(tmpdir(), 'mlops-data-it-'));
    dir = path.join(parent, 'project');
    remote = path.join(parent, 'remote');
    mkdirSync(dir);
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Ada Lovelace');
    git('config', 'user.email', 'ada@example.invalid');
    git('config', 'commit.gpgsign', 'false');
    dvcRun('init', '-q');
    dvcRun('config', 'core.analytics', 'false');
    dvcRun('remote', 'add', '-d', 'local', remote);
    write('train.py', TRAIN);
    write('dvc.yaml', DVC_YAML);
    write('params.yaml', 'train:\n  lr: 0.1\n');
    write('data/raw/a.txt', 'alpha\n');
    write('data/raw/b.txt', 'beta\n');
    dvcRun('add', '-q', 'data/raw');
    dvcRun('repro', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'Dataset v1 and first model');
    commits.v1 = git('rev-parse', 'HEAD');
    modelAt.v1 = readFileSync(path.join(dir, 'models/model.bin'), 'utf8');
    git('tag', 'release/0.1');
    dvcRun('push', '-q');

    write('data/raw/b.txt', 'beta, cleaned\n');
    write('data/raw/c.txt', 'gamma\n');
    dvcRun('add', '-q', 'data/raw');
    dvcRun('repro', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'Dataset v2: cleaned b, added c');
    commits.v2 = git('rev-parse', 'HEAD');
    modelAt.v2 = readFileSync(path.join(dir, 'models/model.bin'), 'utf8');
    dvcRun('push', '-q');

    write('params.yaml', 'train:\n  lr: 0.2\n');
    dvcRun('repro', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'Retrain with lr 0.2');
    commits.v3 = git('rev-parse', 'HEAD');
    modelAt.v3 = readFileSync(path.join(dir, 'models/model.bin'), 'utf8');
    // v3's model is deliberately not pushed.
  });

  after(() => parent && rmSync(parent, { recursive: true, force: true }));

  it('lists the dataset (.dvc) and the model (dvc.lock), not the uncached metrics', async () => {
    const a = await artifacts();
    assert.deepEqual(Object.keys(a), ['data/raw', 'models/model.bin']);
    assert.equal(a['data/raw'].isDir, true);
    assert.equal(a['data/raw'].nfiles, 3);
    assert.deepEqual(a['models/model.bin'].source, { kind: 'dvc-lock', file: 'dvc.lock', stage: 'train' });
  });

  it('lists every version with subject, author, tag and the metrics of its commit', async () => {
    const a = await artifacts();
    const data = (await listVersions(dir, a['data/raw'])).versions;
    assert.deepEqual(data.map((v) => [v.commit, v.nfiles, v.tags]), [[commits.v2, 3, []], [commits.v1, 2, ['release/0.1']]]);
    assert.deepEqual(data[0].branches, ['main']);
    const model = (await listVersions(dir, a['models/model.bin'])).versions;
    assert.deepEqual(model.map((v) => v.commit), [commits.v3, commits.v2, commits.v1]);
    assert.equal(model[2].subject, 'Dataset v1 and first model');
    assert.equal(model[2].author, 'Ada Lovelace');
    for (const v of model) {
      const recorded = JSON.parse(git('show', `${v.commit}:metrics.json`));
      assert.deepEqual(v.metrics, { 'metrics.json': flattenMetrics(recorded) });
    }
  });

  it('agrees with `dvc data status --json --not-in-remote` on modified and unpushed artifacts', async () => {
    const config = await readDvcConfig(dir);
    assert.equal(config.remote?.localPath, remote);
    const check = async () => {
      const ours = new Map<string, Awaited<ReturnType<typeof artifactState>>>();
      for (const a of Object.values(await artifacts())) ours.set(a.path, await artifactState(dir, a, config, new HashCache()));
      const theirs = await dvcDataStatus(dvc, dir, { notInRemote: true });
      const modified = new Set(((theirs.uncommitted as { modified?: string[] } | undefined)?.modified ?? []).map((p) => p.replace(/\/$/, '')));
      const notInRemote = notInRemoteFromCli(theirs);
      for (const [p, s] of ours) {
        assert.equal(s.workspace === 'modified', modified.has(p), `${p}: ours ${s.workspace}, dvc ${JSON.stringify(theirs)}`);
        assert.equal(s.pushed === false, notInRemote.has(p), `${p}: ours pushed=${s.pushed}, dvc ${JSON.stringify(theirs)}`);
      }
      return ours;
    };
    let states = await check();
    assert.equal(states.get('models/model.bin')!.kind, 'not-pushed');
    assert.equal(states.get('data/raw')!.kind, 'in-sync');
    const model = path.join(dir, 'models/model.bin');
    const saved = readFileSync(model, 'utf8');
    writeFileSync(model, 'hand-edited weights\n');
    try {
      states = await check();
      assert.equal(states.get('models/model.bin')!.kind, 'modified');
    } finally {
      writeFileSync(model, saved);
    }
  });

  it('pushes and pulls: the state follows, native and DVC agree', async () => {
    const config = await readDvcConfig(dir);
    const model = (await artifacts())['models/model.bin'];
    const lines: string[] = [];
    await runDvc(dvc, ['push'], { cwd: dir, onLine: (l) => lines.push(l) });
    assert.equal((await artifactState(dir, model, config)).kind, 'in-sync');
    assert.ok(existsSync(objectPath(remote, model.md5)));
    // Lose the local copy and cache: only the remote has it.
    rmSync(path.join(dir, 'models/model.bin'));
    rmSync(objectPath(config.cacheDir, model.md5));
    const gone = await artifactState(dir, model, config);
    assert.equal(gone.kind, 'missing');
    assert.equal(gone.cached, false);
    await runDvc(dvc, ['pull', 'models/model.bin'], { cwd: dir });
    assert.equal(readFileSync(path.join(dir, 'models/model.bin'), 'utf8'), modelAt.v3);
    assert.equal((await artifactState(dir, model, config)).kind, 'in-sync');
  });

  it('checks an SSH remote natively by its layout over a real SSH connection: same answer as DVC', async function () {
    const ssh = requireComponent(this, 'ssh');
    const config = await readDvcConfig(dir);
    const list = Object.values(await artifacts());
    const manifests = new Map<string, ManifestEntry[] | undefined>();
    for (const a of list) manifests.set(a.path, a.isDir ? await readDirManifest(config.cacheDir, a.md5, a.legacy) : undefined);
    // The sshd is on this machine, so the local remote's folder is also an SSH remote's.
    const url = parseSshUrl(`ssh://${ssh.username}@${ssh.host}:${ssh.port}${remote}`)!;
    assert.deepEqual(url, { user: ssh.username, host: ssh.host, port: ssh.port, path: remote });
    const conn = new SshHostConnection({
      host: url.host,
      port: url.port,
      username: url.user!,
      privateKey: readFileSync(ssh.privateKeyPath),
      hostKeys: knownHostsFile(ssh.knownHostsPath, async () => false),
    });
    const model = list.find((a) => a.path === 'models/model.bin')!;
    const dirObject = objectPath(remote, manifests.get('data/raw')![0].md5);
    const modelObject = objectPath(remote, model.md5);
    const saved = [readFileSync(dirObject), readFileSync(modelObject)];
    try {
      const exec = (argv: readonly string[]) => conn.exec(argv);
      let pushed = await pushedOnSsh(exec, url.path, list, manifests);
      assert.deepEqual(Object.fromEntries(pushed), { 'data/raw': true, 'models/model.bin': true });
      rmSync(modelObject);
      pushed = await pushedOnSsh(exec, url.path, list, manifests);
      assert.deepEqual(Object.fromEntries(pushed), { 'data/raw': true, 'models/model.bin': false });
      // The same as the native local check and as DVC's own answer for that folder.
      assert.equal((await artifactState(dir, model, config)).pushed, false);
      assert.deepEqual([...notInRemoteFromCli(await dvcDataStatus(dvc, dir, { notInRemote: true }))], ['models/model.bin']);
      // One file of a directory missing: the directory is not fully pushed.
      rmSync(dirObject);
      assert.equal((await pushedOnSsh(exec, url.path, list, manifests)).get('data/raw'), false);
      await assert.rejects(pushedOnSsh(exec, '/nonexistent/remote', list, manifests), /does not exist on the server/);
    } finally {
      writeFileSync(dirObject, saved[0]);
      writeFileSync(modelObject, saved[1]);
      conn.dispose();
    }
  });

  it('checks out an old dataset version: the .dvc at that commit + dvc checkout', async () => {
    const repo = await openRepo(dir);
    const data = (await artifacts())['data/raw'];
    const [, v1] = (await listVersions(dir, data, { repo })).versions;
    await restoreRecord(repo, data, v1);
    await runDvc(dvc, ['checkout', '--force', data.source.file], { cwd: dir });
    assert.equal(readFileSync(path.join(dir, 'data/raw/b.txt'), 'utf8'), 'beta\n');
    assert.equal(existsSync(path.join(dir, 'data/raw/c.txt')), false);
    assert.equal(readFileSync(path.join(dir, 'data/raw.dvc'), 'utf8'), git('show', `${commits.v1}:data/raw.dvc`) + '\n');
    git('checkout', '-q', '--', 'data/raw.dvc');
    dvcRun('checkout', '-q', '--force', 'data/raw.dvc');
    assert.equal(readFileSync(path.join(dir, 'data/raw/c.txt'), 'utf8'), 'gamma\n');
  });

  it('checks out an old model (dvc.lock out) after caching the modified workspace copy: nothing lost', async () => {
    const repo = await openRepo(dir);
    const config = await readDvcConfig(dir);
    const model = (await artifacts())['models/model.bin'];
    const versions = (await listVersions(dir, model, { repo })).versions;
    const v1 = versions.find((v) => v.commit === commits.v1)!;
    const modelFile = path.join(dir, 'models/model.bin');
    writeFileSync(modelFile, 'unsaved experiment weights\n');
    const state = await artifactState(dir, model, config);
    assert.equal(state.kind, 'modified');
    assert.equal(existsSync(objectPath(config.cacheDir, state.workspaceMd5!)), false, 'the modified copy is not cached yet');
    const cached = await cacheWorkspaceCopy(config.cacheDir, modelFile);
    assert.equal(cached, state.workspaceMd5);
    const lockBefore = readFileSync(path.join(dir, 'dvc.lock'), 'utf8');
    await restoreRecord(repo, model, v1);
    const lockAfter = readFileSync(path.join(dir, 'dvc.lock'), 'utf8');
    assert.notEqual(lockAfter, lockBefore);
    try {
      const changed = lockAfter.split('\n').filter((l, i) => l !== lockBefore.split('\n')[i]);
      assert.ok(changed.length >= 1 && changed.every((l) => /^\s+(md5|size|nfiles): /.test(l)), `only that out's hash and size change: ${JSON.stringify(changed)}`);
      assert.ok(changed.some((l) => l.includes(v1.md5)));
      await runDvc(dvc, ['checkout', '--force', 'models/model.bin'], { cwd: dir });
      assert.equal(readFileSync(modelFile, 'utf8'), modelAt.v1);
      assert.equal(readFileSync(objectPath(config.cacheDir, cached), 'utf8'), 'unsaved experiment weights\n');
    } finally {
      git('checkout', '-q', '--', 'dvc.lock');
      dvcRun('checkout', '-q', '--force', 'models/model.bin');
    }
    assert.equal(readFileSync(modelFile, 'utf8'), modelAt.v3);
  });

  it('gets an old version into a new path with dvc get --rev', async () => {
    const out = path.join(parent, 'model-at-v2.bin');
    await runDvc(dvc, ['get', dir, 'models/model.bin', '--rev', commits.v2, '-o', out], { cwd: dir });
    assert.equal(readFileSync(out, 'utf8'), modelAt.v2);
    const outDir = path.join(dir, 'raw@release');
    await runDvc(dvc, ['get', dir, 'data/raw', '--rev', 'release/0.1', '-o', outDir], { cwd: dir });
    assert.equal(readFileSync(path.join(outDir, 'b.txt'), 'utf8'), 'beta\n');
    rmSync(outDir, { recursive: true });
  });

  it('compares two dataset versions file by file, with the metrics diff', async () => {
    const config = await readDvcConfig(dir);
    const data = (await artifacts())['data/raw'];
    const [v2, v1] = (await listVersions(dir, data)).versions;
    const c = await compareVersions(config.cacheDir, v1, v2);
    assert.deepEqual(c.files, { added: ['c.txt'], removed: [], changed: ['b.txt'], unchanged: 1 });
    assert.equal(c.sizeBefore, 11);
    assert.equal(c.sizeAfter, 6 + 14 + 6);
    assert.ok(c.metrics.some((m) => m.key === 'acc' && m.delta !== undefined && m.delta > 0), JSON.stringify(c.metrics));
  });

  it('metrics per revision equal `dvc metrics show --json -a -T`', async () => {
    writeFileSync(path.join(dir, 'metrics.json'), '{"acc": 0.99, "loss": 0.01}');
    git('branch', 'experiment', commits.v2);
    try {
      const theirs = JSON.parse(dvcRun('metrics', 'show', '--json', '-a', '-T')) as Record<string, { data?: Record<string, { data?: unknown }> }>;
      const ours = await metricsAcrossRevisions(dir);
      const byRev = new Map(ours.rows.map((r) => [r.rev, r]));
      assert.ok(Object.keys(theirs).length >= 4, JSON.stringify(Object.keys(theirs)));
      for (const [rev, entry] of Object.entries(theirs)) {
        const row = byRev.get(rev);
        assert.ok(row, `we have no row for ${rev}; ours: ${[...byRev.keys()]}`);
        const expected = Object.fromEntries(Object.entries(entry.data ?? {}).map(([f, d]) => [f, flattenMetrics(d.data)]));
        assert.deepEqual(row.metrics, expected, rev);
      }
      const acc = ours.columns.find((c) => c.key === 'acc')!;
      assert.deepEqual(acc.bestRevs, ['workspace']);
      assert.equal(ours.columns.find((c) => c.key === 'loss')!.direction, 'min');
    } finally {
      git('checkout', '-q', '--', 'metrics.json');
      git('branch', '-D', 'experiment');
    }
  });

  describe('bad input: a clear message, nothing lost', () => {
    it('a .dvc file with a malformed hash is reported and the others are still listed', async () => {
      write('extra.txt', 'x\n');
      dvcRun('add', '-q', 'extra.txt');
      const good = readFileSync(path.join(dir, 'extra.txt.dvc'), 'utf8');
      try {
        writeFileSync(path.join(dir, 'extra.txt.dvc'), good.replace(/md5: [0-9a-f]+/, 'md5: not-a-hash'));
        let listing = await listArtifacts(dir);
        assert.deepEqual(listing.artifacts.map((a) => a.path), ['data/raw', 'models/model.bin']);
        assert.equal(listing.problems[0].code, 'malformed-hash');
        assert.equal(listing.problems[0].file, 'extra.txt.dvc');
        writeFileSync(path.join(dir, 'extra.txt.dvc'), good.replace(/- md5: [0-9a-f]+\n  /, '- '));
        listing = await listArtifacts(dir);
        assert.equal(listing.problems[0].code, 'missing-hash');
        assert.equal(readFileSync(path.join(dir, 'extra.txt'), 'utf8'), 'x\n', 'the data is untouched');
      } finally {
        rmSync(path.join(dir, 'extra.txt.dvc'));
        rmSync(path.join(dir, 'extra.txt'));
        if (git('ls-files', '.gitignore')) git('checkout', '-q', '--', '.gitignore');
        else rmSync(path.join(dir, '.gitignore'));
      }
    });

    it('a directory version whose manifest is not in the cache: missing-cache, says to pull', async () => {
      const config = await readDvcConfig(dir);
      const data = (await artifacts())['data/raw'];
      const [v2, v1] = (await listVersions(dir, data)).versions;
      const manifest = objectPath(config.cacheDir, v1.md5);
      const saved = readFileSync(manifest);
      rmSync(manifest);
      try {
        await assert.rejects(compareVersions(config.cacheDir, v1, v2, 'data/raw'), (err: DataError) => err.code === 'missing-cache' && /dvc pull/.test(err.message));
        const state = await artifactState(dir, { ...data, md5: v1.md5 }, config);
        assert.equal(state.cached, false);
      } finally {
        writeFileSync(manifest, saved);
      }
    });

    it('a detached HEAD: reported, versions still listed from branches and tags', async () => {
      git('checkout', '-q', '--detach', 'release/0.1');
      try {
        const repo = await openRepo(dir);
        assert.equal(repo.problems[0].code, 'detached-head');
        const model = (await artifacts())['models/model.bin'];
        const { versions, problems } = await listVersions(dir, model, { repo });
        assert.equal(versions.length, 3);
        assert.equal(versions.find((v: ArtifactVersion) => v.head)?.commit, commits.v1);
        assert.equal(problems[0].code, 'detached-head');
      } finally {
        git('switch', '-q', 'main');
      }
    });

    it('a shallow clone: reported, with the versions its history holds', async () => {
      const clone = path.join(parent, 'shallow');
      sh('git', ['clone', '-q', '--depth', '1', `file://${dir}`, clone], parent);
      const repo = await openRepo(clone);
      assert.ok(repo.problems.some((p) => p.code === 'shallow-clone'));
      const model = (await listArtifacts(clone)).artifacts.find((a) => a.path === 'models/model.bin')!;
      const { versions } = await listVersions(clone, model, { repo });
      assert.deepEqual(versions.map((v) => v.commit), [commits.v3]);
    });

    it('a git repository without DVC: no-dvc, says to run dvc init', async () => {
      const plain = path.join(parent, 'plain');
      mkdirSync(plain);
      sh('git', ['init', '-q'], plain);
      await assert.rejects(listArtifacts(plain), (err: DataError) => err.code === 'no-dvc' && /dvc init/.test(err.message));
    });

    it('a cancelled dvc command stops with a clear message', async () => {
      const abort = new AbortController();
      abort.abort();
      await assert.rejects(runDvc(dvc, ['pull'], { cwd: dir, signal: abort.signal }), /cancelled/);
      await assert.rejects(runDvc('/nonexistent/dvc', ['pull'], { cwd: dir }), /pip install dvc/);
    });
  });
});
