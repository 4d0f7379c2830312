import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Artifact } from '../../../src/core/data/artifacts';
import { artifactState, notInRemoteFromCli } from '../../../src/core/data/artifactState';
import { cacheWorkspaceCopy } from '../../../src/core/data/cacheCopy';
import { objectPath, presence, readDirManifest } from '../../../src/core/data/cacheLayout';
import { compareVersions, diffMetrics } from '../../../src/core/data/compareVersions';
import { DataError } from '../../../src/core/data/dataErrors';
import { HashCache } from '../../../src/core/pipelines/status/dvcHash';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function put(store: string, hash: string, content: string) {
  const p = objectPath(store, hash);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
}

describe('data: cache layout and artifact state', () => {
  let dir: string;
  let cacheDir: string;
  let remote: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-data-state-'));
    cacheDir = path.join(dir, '.dvc', 'cache');
    remote = path.join(dir, 'remote');
    mkdirSync(cacheDir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fileArtifact = (p: string, content: string): Artifact => ({ path: p, source: { kind: 'dvc-file', file: `${p}.dvc` }, md5: md5(content), size: content.length, legacy: false, isDir: false });
  const config = () => ({ cacheDir, remote: { name: 'r', url: remote, localPath: remote } });

  it('DVC 3 puts objects at files/md5/xx/rest, DVC 2 at xx/rest', () => {
    assert.equal(objectPath('/c', '0cc175b9c0f1b6a831c399e269772661'), path.join('/c', 'files', 'md5', '0c', 'c175b9c0f1b6a831c399e269772661'));
    assert.equal(objectPath('/c', '0cc175b9c0f1b6a831c399e269772661', true), path.join('/c', '0c', 'c175b9c0f1b6a831c399e269772661'));
  });

  it('walks through the states: not pushed → in sync → modified → missing → not cached', async () => {
    writeFileSync(path.join(dir, 'model.bin'), 'weights-v1');
    const a = fileArtifact('model.bin', 'weights-v1');
    put(cacheDir, a.md5, 'weights-v1');
    let s = await artifactState(dir, a, config(), new HashCache());
    assert.equal(s.kind, 'not-pushed');
    assert.equal(s.pushed, false);
    put(remote, a.md5, 'weights-v1');
    s = await artifactState(dir, a, config(), new HashCache());
    assert.equal(s.kind, 'in-sync');
    writeFileSync(path.join(dir, 'model.bin'), 'weights-v2!');
    s = await artifactState(dir, a, config(), new HashCache());
    assert.equal(s.kind, 'modified');
    assert.equal(s.workspaceMd5, md5('weights-v2!'));
    rmSync(path.join(dir, 'model.bin'));
    assert.equal((await artifactState(dir, a, config(), new HashCache())).kind, 'missing');
    writeFileSync(path.join(dir, 'model.bin'), 'weights-v1');
    rmSync(objectPath(cacheDir, a.md5));
    s = await artifactState(dir, a, { cacheDir }, new HashCache());
    assert.equal(s.kind, 'not-cached');
    assert.equal(s.pushed, undefined, 'no remote: not claimed pushed or unpushed');
  });

  it('caches a modified directory natively with the hash DVC computes, so a checkout cannot lose it', async () => {
    mkdirSync(path.join(dir, 'imgs', 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'imgs', 'a.txt'), 'a\n');
    writeFileSync(path.join(dir, 'imgs', 'sub', 'é.txt'), 'b\n');
    const hashes = new HashCache();
    const hash = await cacheWorkspaceCopy(cacheDir, path.join(dir, 'imgs'), hashes);
    assert.equal(hash, (await hashes.dir(path.join(dir, 'imgs'))).md5);
    const manifest = await readDirManifest(cacheDir, hash);
    assert.deepEqual(manifest.map((e) => e.relpath), ['a.txt', 'sub/é.txt']);
    assert.equal(readFileSync(objectPath(cacheDir, md5('b\n')), 'utf8'), 'b\n');
    assert.deepEqual(await presence(cacheDir, hash, false), { complete: true, missing: 0 });
    rmSync(objectPath(cacheDir, md5('a\n')));
    assert.deepEqual(await presence(cacheDir, hash, false), { complete: false, missing: 1 });
  });

  it('a directory whose manifest is not cached: a clear missing-cache error, nothing written', async () => {
    await assert.rejects(readDirManifest(cacheDir, `${md5('x')}.dir`, false, 'data/images'), (err: DataError) => {
      assert.equal(err.code, 'missing-cache');
      assert.match(err.message, /file list of data\/images .* is not in the DVC cache.*dvc pull/);
      return true;
    });
    assert.equal(existsSync(path.join(cacheDir, 'files')), false);
  });

  it('compares two directory versions file by file, and their metrics', async () => {
    const v1 = [{ md5: md5('a'), relpath: 'a.txt' }, { md5: md5('b'), relpath: 'b.txt' }, { md5: md5('c'), relpath: 'c.txt' }];
    const v2 = [{ md5: md5('a'), relpath: 'a.txt' }, { md5: md5('B'), relpath: 'b.txt' }, { md5: md5('d'), relpath: 'd.txt' }];
    put(cacheDir, `${md5('1')}.dir`, JSON.stringify(v1));
    put(cacheDir, `${md5('2')}.dir`, JSON.stringify(v2));
    const c = await compareVersions(
      cacheDir,
      { md5: `${md5('1')}.dir`, size: 3, nfiles: 3, legacy: false, metrics: { 'm.json': { acc: 0.5, loss: 1 } } },
      { md5: `${md5('2')}.dir`, size: 4, nfiles: 3, legacy: false, metrics: { 'm.json': { acc: 0.75, loss: 1, f1: 0.2 } } },
    );
    assert.deepEqual(c.files, { added: ['d.txt'], removed: ['c.txt'], changed: ['b.txt'], unchanged: 1 });
    assert.deepEqual(c.metrics, [
      { file: 'm.json', key: 'acc', before: 0.5, after: 0.75, delta: 0.25 },
      { file: 'm.json', key: 'f1', before: undefined, after: 0.2, delta: undefined },
    ]);
    assert.deepEqual(diffMetrics({}, {}), []);
  });

  it('reads `dvc data status --not-in-remote --json` paths (directories end with /)', () => {
    assert.deepEqual([...notInRemoteFromCli({ not_in_remote: ['data/imgs/', 'model.bin'], committed: {} })], ['data/imgs', 'model.bin']);
    assert.deepEqual([...notInRemoteFromCli({})], []);
  });
});
