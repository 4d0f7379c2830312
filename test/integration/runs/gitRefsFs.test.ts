import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { commonGitDir, readReflog, readRefsFromFiles, type LooseRefFolders } from '../../../src/core/runs/dvc/gitRefsFs';
import { requireOrSkip } from '../harness';

// Our reading of refs and reflogs from git's files against what the real git answers.
describe('refs and reflogs read from the files, against git', function () {
  let top = '';
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' },
    }).trim();
  const forEachRef = (cwd: string) =>
    new Map(
      git(cwd, 'for-each-ref', '--format=%(objectname) %(refname)', 'refs/exps', 'refs/heads', 'refs/tags')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ').reverse() as [string, string]),
    );

  before(function () {
    let why: string | undefined;
    try {
      execFileSync('git', ['--version']);
    } catch {
      why = 'git is not installed';
    }
    requireOrSkip(this, why);
    top = mkdtempSync(path.join(tmpdir(), 'mlops-refs-'));
    const repo = path.join(top, 'repo');
    git(top, '-c', 'init.defaultBranch=main', 'init', '-q', repo);
    for (let i = 0; i < 3; i++) {
      writeFileSync(path.join(repo, 'f.txt'), String(i));
      git(repo, 'add', 'f.txt');
      git(repo, 'commit', '-q', '-m', `c${i}`);
    }
    const [c0, c1, c2] = git(repo, 'rev-list', '--reverse', 'HEAD').split('\n');
    git(repo, 'branch', 'feature', c1);
    git(repo, 'tag', 'v1', c0);
    git(repo, 'tag', '-a', '-m', 'annotated', 'v2', c2);
    git(repo, 'update-ref', `refs/exps/${c2.slice(0, 2)}/${c2.slice(2)}/packed-exp`, c1);
    git(repo, 'pack-refs', '--all');
    // After packing: loose refs that override packed ones, new loose ones, a symbolic one.
    git(repo, 'update-ref', `refs/exps/${c2.slice(0, 2)}/${c2.slice(2)}/packed-exp`, c0);
    git(repo, 'update-ref', `refs/exps/${c2.slice(0, 2)}/${c2.slice(2)}/loose-exp`, c2);
    git(repo, 'update-ref', '--create-reflog', 'refs/exps/celery/stash', c0, '-m', `dvc-exp:${c0}:${c2}:first`);
    git(repo, 'update-ref', '--create-reflog', 'refs/exps/celery/stash', c1, '-m', `dvc-exp:${c1}:${c2}:second`);
    git(repo, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
    git(repo, 'worktree', 'add', '-q', path.join(top, 'wt'), 'feature');
  });
  after(() => top && rmSync(top, { recursive: true, force: true }));

  it('reads packed and loose refs as git for-each-ref does, loose winning and symbolic refs left out', async () => {
    const repo = path.join(top, 'repo');
    const ours = await readRefsFromFiles(path.join(repo, '.git'), ['refs/exps', 'refs/heads', 'refs/tags']);
    assert.ok(ours, 'the files layout is read');
    const theirs = forEachRef(repo);
    // git lists a symbolic ref under its own name with the target's id; we leave it out on purpose.
    theirs.delete('refs/heads/alias');
    assert.deepEqual(new Map([...ours].sort()), new Map([...theirs].sort()));
  });

  it('finds the refs of a worktree in the common folder', async () => {
    const wt = path.join(top, 'wt');
    const gitDir = git(wt, 'rev-parse', '--absolute-git-dir');
    const common = await commonGitDir(gitDir);
    assert.equal(path.resolve(common), path.resolve(git(wt, 'rev-parse', '--path-format=absolute', '--git-common-dir')));
    const ours = await readRefsFromFiles(common, ['refs/exps', 'refs/heads', 'refs/tags']);
    const theirs = forEachRef(wt);
    theirs.delete('refs/heads/alias');
    assert.deepEqual(new Map([...ours!].sort()), new Map([...theirs].sort()));
  });

  it('reads a reflog newest first as git log -g does', async () => {
    const repo = path.join(top, 'repo');
    const ours = await readReflog(path.join(repo, '.git'), 'refs/exps/celery/stash');
    // The reflog entry's own time (%gd with --date=unix), not the commit's (%ct): the two
    // differ when the ref moved a second after the commit was made.
    const theirs = git(repo, 'log', '-g', '--date=unix', '--format=%H %gd %gs', 'refs/exps/celery/stash')
      .split('\n')
      .map((l) => {
        const [commit, selector, ...rest] = l.split(' ');
        return { commit, time: Number(/@\{(\d+)\}$/.exec(selector)?.[1]), subject: rest.join(' ') };
      });
    assert.equal(theirs.length, 2);
    assert.deepEqual(ours, theirs);
  });

  it('reads again only the folders of loose refs that changed, and never trusts one changed in the last seconds', async () => {
    const repo = path.join(top, 'repo');
    const common = path.join(repo, '.git');
    const prefixes = ['refs/exps', 'refs/heads', 'refs/tags'];
    const known: LooseRefFolders = {};
    // Just written: nothing is kept, as a write in the same clock tick would not move the mtime.
    await readRefsFromFiles(common, prefixes, known);
    assert.deepEqual(Object.keys(known).filter((k) => k.startsWith('refs/exps/')), []);

    // Folders last changed a minute ago are kept, with what they held.
    const old = new Date(Date.now() - 60_000);
    const folders = (dir: string): string[] => [dir, ...readdirSync(path.join(common, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? folders(`${dir}/${e.name}`) : []))];
    const all = prefixes.flatMap(folders);
    for (const f of all) utimesSync(path.join(common, f), old, old);
    const first = await readRefsFromFiles(common, prefixes, known);
    assert.deepEqual(new Set(Object.keys(known)), new Set(all));

    // An unchanged folder is taken from what was kept (a planted value shows it), ...
    const [expFolder] = all.filter((f) => /^refs\/exps\/[0-9a-f]{2}\/[0-9a-f]{38}$/.test(f));
    const planted = structuredClone(known);
    planted[expFolder].refs = planted[expFolder].refs.map(([ref]) => [ref, '0'.repeat(40)]);
    const fromKept = await readRefsFromFiles(common, prefixes, planted);
    assert.ok([...fromKept!].some(([ref, id]) => ref.startsWith(expFolder) && id === '0'.repeat(40)));

    // ... and a ref git changes since is seen, since git renames it into its folder.
    const head = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'update-ref', `${expFolder}/another`, head);
    const after = await readRefsFromFiles(common, prefixes, known);
    const theirs = forEachRef(repo);
    theirs.delete('refs/heads/alias');
    assert.deepEqual(new Map([...after!].sort()), new Map([...theirs].sort()));
    assert.equal(after!.get(`${expFolder}/another`), head);
    assert.equal(after!.size, first!.size + 1);
  });

  it('gives up (so that git is asked) on a repository using the reftable backend', async () => {
    const version = /(\d+)\.(\d+)/.exec(git(top, '--version'))!;
    if (Number(version[1]) * 100 + Number(version[2]) < 245) {
      // git before 2.45 cannot make one; the check is on the config line alone.
      const fake = path.join(top, 'fake.git');
      git(top, 'init', '-q', '--bare', fake);
      writeFileSync(path.join(fake, 'config'), '[core]\n\trepositoryformatversion = 1\n[extensions]\n\trefStorage = reftable\n');
      assert.equal(await readRefsFromFiles(fake, ['refs/heads']), undefined);
      return;
    }
    const rt = path.join(top, 'rt');
    git(top, 'init', '-q', '--ref-format=reftable', rt);
    assert.equal(await readRefsFromFiles(path.join(rt, '.git'), ['refs/heads']), undefined);
  });
});
