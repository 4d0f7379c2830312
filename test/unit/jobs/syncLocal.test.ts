// The local half of code sync: which files the walk sends (ignore files as git reads them,
// caps, no symlinks) and how a manifest read from the cluster is checked. The remote half
// runs against a real sshd in test/integration/jobs/codeSync.test.ts.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { walkProject } from '../../../src/core/jobs/sync/localTree';
import { parseManifest, safeRel, serializeManifest } from '../../../src/core/jobs/sync/manifest';
import { parseFollow } from '../../../src/extension/jobs/jobOutput';

function tree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}

describe('code sync: the local walk', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'mlops-walk-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('honours .gitignore and .dvcignore at every level, negations, and those above the root up to the git root', async () => {
    execFileSync('git', ['init', '-q', dir]);
    tree(dir, {
      '.gitignore': '*.log\n/proj/secret.txt\n',
      'proj/.gitignore': 'data/\n!keep.log\n',
      'proj/.dvcignore': 'scratch\n',
      'proj/train.py': 'x',
      'proj/run.log': 'ignored above the root',
      'proj/keep.log': 'unignored by a deeper file',
      'proj/secret.txt': 'ignored by an anchored pattern above',
      'proj/data/big.csv': 'ignored folder',
      'proj/scratch/a.txt': 'dvcignored',
      'proj/src/.gitignore': '*.tmp\n',
      'proj/src/model.py': 'x',
      'proj/src/w.tmp': 'x',
      'proj/.git/HEAD': 'never',
      'proj/.dvc/config': 'kept',
      'proj/.dvc/cache/ab/cdef': 'never',
      'proj/.mlops/jobs/x/y.json': 'never',
    });
    const t = await walkProject(path.join(dir, 'proj'));
    assert.deepEqual(t.files.map((f) => f.rel).sort(), ['.dvc/config', '.dvcignore', '.gitignore', 'keep.log', 'src/.gitignore', 'src/model.py', 'train.py']);
    assert.deepEqual([t.skipped, t.truncated], [[], false]);
  });

  it('sends included paths although ignored (a reproduction\'s DVC data), and nothing else they would let through', async () => {
    execFileSync('git', ['init', '-q', dir]);
    tree(dir, {
      'proj/data/.gitignore': '/input.csv\n/other.csv\n',
      'proj/data/input.csv': 'tracked by DVC',
      'proj/data/other.csv': 'ignored, not asked for',
      'proj/models/.gitignore': '*\n',
      'proj/models/deep/m.pkl': 'asked for as a folder',
      'proj/.dvc/cache/ab/cd': 'never, even when asked',
    });
    const t = await walkProject(path.join(dir, 'proj'), undefined, ['data/input.csv', './models/', '../outside', '.dvc/cache']);
    assert.deepEqual(t.files.map((f) => f.rel).sort(), ['data/.gitignore', 'data/input.csv', 'models/.gitignore', 'models/deep/m.pkl']);
  });

  it('lists symlinks as skipped without following them, and stops at the caps', async () => {
    tree(dir, { 'a.txt': '12345', 'b.txt': '1', 'big.bin': '0123456789', 'sub/c.txt': '1' });
    symlinkSync('/etc', path.join(dir, 'etc-link'));
    symlinkSync('a.txt', path.join(dir, 'a-link'));
    const t = await walkProject(dir, { maxFiles: 100, maxFileBytes: 8, maxTotalBytes: 1000, maxDepth: 0 });
    assert.deepEqual(t.files.map((f) => f.rel), ['a.txt', 'b.txt']);
    assert.deepEqual(t.skipped, [
      { rel: 'a-link', why: 'symlink' },
      { rel: 'big.bin', why: 'too-large' },
      { rel: 'etc-link', why: 'symlink' },
      { rel: 'sub', why: 'too-deep' },
    ]);
    const capped = await walkProject(dir, { maxFiles: 1, maxFileBytes: 100, maxTotalBytes: 1000, maxDepth: 5 });
    assert.deepEqual([capped.files.map((f) => f.rel), capped.truncated], [['a.txt'], true]);
  });
});

describe('code sync: the manifest from the cluster', () => {
  const entry = { size: 3, mtimeMs: 1700000000000, sha256: 'a'.repeat(64) };

  it('reads what it writes', () => {
    const warnings: string[] = [];
    const m = parseManifest(serializeManifest({ version: 1, files: { 'src/a.py': entry, 'b.txt': entry } }), (w) => warnings.push(w));
    assert.deepEqual([{ ...m.files }, warnings], [{ 'b.txt': entry, 'src/a.py': entry }, []]);
  });

  it('drops entries that could name a path outside the root or are malformed, and says so', () => {
    const warnings: string[] = [];
    const files = { '../../etc/passwd': entry, '/abs': entry, 'a/./b': entry, 'a\\b': entry, 'ok.txt': entry, 'neg.txt': { ...entry, size: -1 }, 'hash.txt': { ...entry, sha256: 'zz' }, __proto__: entry };
    const m = parseManifest(JSON.stringify({ version: 1, files }), (w) => warnings.push(w));
    assert.deepEqual(Object.keys(m.files), ['ok.txt']);
    assert.match(warnings[0], /6 entries .* malformed/);
    for (const bad of ['not json', '[]', '{"version":2,"files":{}}', '{"version":1,"files":[]}']) {
      const w: string[] = [];
      assert.deepEqual(Object.keys(parseManifest(bad, (x) => w.push(x)).files), [], bad);
      assert.equal(w.length, 1, bad);
    }
    assert.equal(safeRel('a/b.txt'), true);
    assert.equal(safeRel('a//b'), false);
  });
});

describe('Follow Job Output: one poll', () => {
  it('splits the state and each stream at the nonce, keeping the byte counts', () => {
    const p = parseFollow('RUNNING\n120 100 20\nline 1\nline 2 is long\nN0NCE\n-1 0 0\n\nN0NCE\n', 'N0NCE');
    assert.deepEqual(p, { state: 'RUNNING', out: { size: 120, offset: 100, length: 20, text: 'line 1\nline 2 is long' }, err: { size: -1, offset: 0, length: 0, text: '' } });
    // A job printing something that looks like a header cannot shift the frame: the nonce ends each part.
    assert.deepEqual(parseFollow('\n5 0 5\n1 2 3\nN\n', 'N').out, { size: 5, offset: 0, length: 5, text: '1 2 3' });
    assert.deepEqual(parseFollow('', 'N'), { state: '', out: undefined, err: undefined });
  });
});
