import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { UNTRACKED_FILE_CAP, capturePatch, listUntracked, projectReader } from '../../../src/core/provenance/capture';
import { TAG_MAX, provenanceTags } from '../../../src/core/provenance/mlflowTags';
import { addWorktree, applyPatch } from '../../../src/core/provenance/reproduce';
import { nodeRunner, type Runner } from '../../../src/core/provenance/runner';
import { beginLaunch } from '../../../src/core/provenance/session';
import type { Captured } from '../../../src/core/provenance/types';
import { provenanceSummaryLines, viewFromTags } from '../../../src/core/provenance/view';
import { l10n } from '../l10nFormat';

// The recorded patch carries untracked files, built through a temporary index: real git,
// the patch applied in a fresh worktree the way Reproduce Run does it.
describe('provenance patch: untracked files, with real git', function () {
  this.timeout(60000);
  let root = '';
  let repo = '';
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
  const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'mlops-untracked-'));
    repo = path.join(root, 'repo');
    mkdirSync(path.join(repo, 'src'), { recursive: true });
    git(repo, '-c', 'init.defaultBranch=main', 'init', '-q');
    git(repo, 'config', 'user.email', 't@example.invalid');
    git(repo, 'config', 'user.name', 't');
    writeFileSync(path.join(repo, '.gitignore'), '*.log\n/data/big\n');
    writeFileSync(path.join(repo, 'src/train.py'), 'print(1)\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'first');
    // The user's state: a tracked edit, one staged new file, and untracked ones of each kind.
    writeFileSync(path.join(repo, 'src/train.py'), 'print(2)\n');
    writeFileSync(path.join(repo, 'src/staged.py'), 'staged\n');
    git(repo, 'add', 'src/staged.py');
    writeFileSync(path.join(repo, 'src/new helper.py'), 'def f():\n    return 1\n');
    chmodSync(path.join(repo, 'src/new helper.py'), 0o755);
    writeFileSync(path.join(repo, 'weights.bin'), binary);
    writeFileSync(path.join(repo, 'dvc.lock'), 'schema: "2.0"\n');
    writeFileSync(path.join(repo, 'run.log'), 'ignored\n');
    mkdirSync(path.join(repo, 'data'));
    writeFileSync(path.join(repo, 'data/big'), Buffer.alloc(UNTRACKED_FILE_CAP + 10));
    writeFileSync(path.join(repo, 'huge.bin'), Buffer.alloc(UNTRACKED_FILE_CAP + 1));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const userState = (cwd: string, index: string) => ({ status: git(cwd, 'status', '--porcelain', '--untracked-files=all'), index: readFileSync(index).toString('base64') });

  it('carries new text and binary files into the reproduction worktree; ignored and oversize files stay out and are named', async () => {
    const index = path.join(repo, '.git/index');
    const before = userState(repo, index);
    const temps = () => readdirSync(tmpdir()).filter((n) => n.startsWith('mlops-index-'));
    const tempsBefore = temps();
    // From a subfolder, as a project inside a repository launches.
    const p = await capturePatch(nodeRunner, path.join(repo, 'src'));
    assert.deepEqual(userState(repo, index), before, 'the user\'s status and index are byte-identical');
    assert.equal(p.patchCapped, false);
    assert.deepEqual(Object.keys(p.fileHashes).sort(), ['dvc.lock', 'src/new helper.py', 'src/staged.py', 'src/train.py', 'weights.bin']);
    assert.deepEqual([...p.changedFiles].sort(), Object.keys(p.fileHashes).sort());
    assert.deepEqual(p.skippedUntracked, ['huge.bin']);
    assert.equal(p.skippedUntrackedCount, 1);
    assert.deepEqual(temps().filter((n) => !tempsBefore.includes(n)), [], 'the temporary index is removed');

    const wt = path.join(root, 'wt');
    await addWorktree(nodeRunner, repo, wt, git(repo, 'rev-parse', 'HEAD').trim());
    writeFileSync(`${wt}.patch`, p.patch);
    await applyPatch(nodeRunner, wt, `${wt}.patch`);
    assert.equal(readFileSync(path.join(wt, 'src/new helper.py'), 'utf8'), 'def f():\n    return 1\n');
    assert.ok(statSync(path.join(wt, 'src/new helper.py')).mode & 0o100, 'the executable bit came along');
    assert.ok(readFileSync(path.join(wt, 'weights.bin')).equals(binary), 'the binary file is byte-identical');
    assert.equal(readFileSync(path.join(wt, 'dvc.lock'), 'utf8'), 'schema: "2.0"\n');
    assert.equal(readFileSync(path.join(wt, 'src/train.py'), 'utf8'), 'print(2)\n');
    assert.equal(readFileSync(path.join(wt, 'src/staged.py'), 'utf8'), 'staged\n');
    for (const absent of ['run.log', 'data/big', 'huge.bin']) assert.ok(!existsSync(path.join(wt, absent)), absent);
  });

  it('uses a linked worktree\'s own index and leaves it as it was', async () => {
    const linked = path.join(root, 'linked');
    git(repo, 'worktree', 'add', '-q', '--detach', linked, 'HEAD');
    writeFileSync(path.join(linked, 'only-here.py'), 'x = 1\n');
    const index = git(linked, 'rev-parse', '--path-format=absolute', '--git-path', 'index').trim();
    assert.match(index, /worktrees/);
    const mainBefore = userState(repo, path.join(repo, '.git/index'));
    const before = userState(linked, index);
    const p = await capturePatch(nodeRunner, linked);
    assert.deepEqual(Object.keys(p.fileHashes), ['only-here.py']);
    assert.deepEqual(userState(linked, index), before);
    assert.deepEqual(userState(repo, path.join(repo, '.git/index')), mainBefore);
  });

  it('keeps the untracked files within 4 MiB altogether, naming the rest', async () => {
    rmSync(path.join(repo, 'huge.bin'));
    for (const n of ['a', 'b', 'c', 'd', 'e']) writeFileSync(path.join(repo, `${n}.dat`), Buffer.alloc(UNTRACKED_FILE_CAP - 100 * 1024, n));
    const u = await listUntracked(nodeRunner, repo);
    assert.deepEqual(u.kept, ['a.dat', 'b.dat', 'c.dat', 'd.dat', 'dvc.lock', 'src/new helper.py', 'weights.bin']);
    assert.deepEqual(u.skipped, ['e.dat']);
    assert.equal(u.skippedCount, 1);
  });

  it('still carries the others when a listed file is gone before the add (the run deleted it)', async () => {
    const listed = await listUntracked(nodeRunner, repo);
    assert.ok(listed.kept.includes('dvc.lock'));
    const deleting: Runner = (argv, o) => {
      if (argv[1] === 'add') rmSync(path.join(repo, 'dvc.lock'), { force: true });
      return nodeRunner(argv, o);
    };
    const p = await capturePatch(deleting, repo, undefined, Promise.resolve(listed));
    assert.deepEqual(Object.keys(p.fileHashes).sort(), ['src/new helper.py', 'src/staged.py', 'src/train.py', 'weights.bin']);
    assert.deepEqual(p.skippedUntracked, ['huge.bin']);
  });

  it('leaves DVC\'s data out where no .gitignore names it (outs of dvc.lock, paths a .dvc file tracks)', async () => {
    rmSync(path.join(repo, 'huge.bin'));
    writeFileSync(path.join(repo, 'dvc.lock'), 'schema: "2.0"\nstages:\n  train:\n    cmd: python t.py\n    outs:\n    - path: models/m.pkl\n      md5: abc\n');
    mkdirSync(path.join(repo, 'models'));
    writeFileSync(path.join(repo, 'models/m.pkl'), 'model');
    mkdirSync(path.join(repo, 'data/raw'), { recursive: true });
    writeFileSync(path.join(repo, 'data/raw/a.csv'), 'x,y\n');
    writeFileSync(path.join(repo, 'data/raw.dvc'), 'outs:\n- md5: 1.dir\n  path: raw\n');
    const u = await listUntracked(nodeRunner, repo);
    assert.deepEqual(u.kept, ['data/raw.dvc', 'dvc.lock', 'src/new helper.py', 'weights.bin']);
    assert.deepEqual(u.skipped, []);
  });

  it('a launch reads dvc.lock once, for both the DVC-output filter and the data part (finish reads it again, as the run left it)', async () => {
    rmSync(path.join(repo, 'huge.bin'));
    mkdirSync(path.join(repo, 'models'));
    writeFileSync(path.join(repo, 'models/m.pkl'), 'model');
    // The launch's reader answers a dvc.lock the disk does not hold: the filter must use that one read.
    let lock = 'schema: "2.0"\nstages:\n  train:\n    cmd: python t.py\n    deps:\n    - path: src/train.py\n      md5: 0123abcd\n    outs:\n    - path: models/m.pkl\n      md5: abc\n';
    let lockReads = 0;
    const read = projectReader(repo);
    const session = await beginLaunch({
      launcher: 'dvc-repro',
      cwd: repo,
      command: ['dvc', 'repro', 'train'],
      local: nodeRunner,
      remote: () => Promise.resolve({ code: 127, stdout: '', stderr: 'not here' }),
      python: 'python',
      host: 'h',
      env: {},
      readText: (rel) => (rel === 'dvc.lock' ? (lockReads++, Promise.resolve(lock)) : read(rel)),
    });
    const { provenance } = await session.captured;
    assert.equal(lockReads, 1, 'one read of dvc.lock before the run');
    assert.deepEqual(provenance.data.deps, { 'src/train.py': '0123abcd' }, 'the data part from that read');
    assert.ok(!provenance.code.changedFiles.includes('models/m.pkl'), `the out that read names stays out of the patch: ${provenance.code.changedFiles.join(', ')}`);
    assert.ok(provenance.code.changedFiles.includes('weights.bin'), 'the other untracked files are carried');
    lock = lock.replace('0123abcd', '4567ef00');
    await session.finish(0);
    assert.equal(lockReads, 2);
    assert.deepEqual((await session.captured).provenance.data.deps, { 'src/train.py': '4567ef00' }, 'after a good run: the hashes it used');
  });

  it('says outside git that nothing is known, without failing', async () => {
    const plain = mkdtempSync(path.join(root, 'plain-'));
    writeFileSync(path.join(plain, 'x.py'), '1\n');
    const p = await capturePatch(nodeRunner, plain);
    assert.deepEqual(p, { patch: '', changedFiles: [], patchBytes: 0, patchCapped: false, fileHashes: {} });
  });

  it('keeps the skipped names in a tag and says so in the tooltip', () => {
    const c: Captured = {
      patch: 'x',
      pipFreeze: '',
      provenance: {
        version: 1,
        launcher: 'dvc-repro',
        code: { commit: 'c0ffee1234567', changedFiles: ['a'], patchBytes: 1, patchCapped: false, fileHashes: { a: '1' }, skippedUntracked: ['huge.bin'], skippedUntrackedCount: 3 },
        params: {},
        data: { deps: {}, dvcFiles: {} },
        environment: { host: 'h', gpu: { model: 'unknown', driver: 'unknown', cuda: 'unknown' }, python: '3.11', packages: 0, command: ['dvc', 'repro'], env: {} },
        timing: { start: 1 },
      },
    };
    const tags = provenanceTags(c, 'x');
    for (const v of Object.values(tags)) assert.ok(v.length <= TAG_MAX);
    const v = viewFromTags(tags);
    assert.deepEqual(v.skippedUntracked, { names: ['huge.bin'], count: 3 });
    assert.equal(v.patchBytes, 1);
    assert.match(provenanceSummaryLines(l10n, v).join('\n'), /\+ 1 changed file, 3 untracked files not recorded/);
    delete c.provenance.code.skippedUntracked;
    delete c.provenance.code.skippedUntrackedCount;
    assert.equal(viewFromTags(provenanceTags(c, 'x')).skippedUntracked, undefined);
  });
});
