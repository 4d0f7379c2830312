import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listArtifacts, lockArtifacts } from '../../../src/core/data/artifacts';
import { DataError } from '../../../src/core/data/dataErrors';
import { parseDvcIni, readDvcConfig } from '../../../src/core/data/dvcConfig';
import { parseDvcFile } from '../../../src/core/data/dvcFile';
import { parseSshUrl } from '../../../src/core/data/remotePresence';

const fixture = path.join(__dirname, 'fixtures', 'project');
const read = (rel: string) => readFileSync(path.join(fixture, rel), 'utf8');

describe('data: .dvc files', () => {
  it('reads a DVC 3 file out with its hash, size and file count', () => {
    const { outs, problems } = parseDvcFile(read('data/images.dvc'), 'data/images.dvc');
    assert.deepEqual(problems, []);
    assert.deepEqual(outs, [{ path: 'images', md5: '5f4dcc3b5aa765d61d8327deb882cf99.dir', size: 1234, nfiles: 3, legacy: false }]);
  });

  it('marks a file without `hash: md5` as the DVC 2 cache layout', () => {
    assert.equal(parseDvcFile(read('data/legacy.dvc'), 'data/legacy.dvc').outs[0].legacy, true);
  });

  it('reports a missing hash with the file, the out and what to run', () => {
    const { outs, problems } = parseDvcFile(read('data/broken-missing.dvc'), 'data/broken-missing.dvc');
    assert.deepEqual(outs, []);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, 'missing-hash');
    assert.match(problems[0].message, /data\/broken-missing\.dvc: "nohash\.bin" has no md5 hash.*dvc add nohash\.bin/);
  });

  it('reports a malformed hash without listing a wrong version', () => {
    const { outs, problems } = parseDvcFile(read('data/broken-malformed.dvc'), 'data/broken-malformed.dvc');
    assert.deepEqual(outs, []);
    assert.equal(problems[0].code, 'malformed-hash');
    assert.match(problems[0].message, /"12345-not-a-hash".*git checkout -- data\/broken-malformed\.dvc/);
  });

  it('reads the layout dvc add writes the same as any YAML spelling of it', () => {
    const written = 'outs:\n- md5: 5f4dcc3b5aa765d61d8327deb882cf99.dir\n  size: 1234\n  nfiles: 3\n  hash: md5\n  path: images\n- md5: 0cc175b9c0f1b6a831c399e269772661\n  path: b.bin\n';
    const spelled = '# edited\nouts:\n  - {md5: "5f4dcc3b5aa765d61d8327deb882cf99.dir", size: 1234, nfiles: 3, hash: md5, path: images}\n  - md5: 0cc175b9c0f1b6a831c399e269772661\n    path: "b.bin"\n';
    assert.deepEqual(parseDvcFile(written, 'a.dvc'), parseDvcFile(spelled, 'a.dvc'));
    assert.equal(parseDvcFile(written, 'a.dvc').outs.length, 2);
    assert.equal(parseDvcFile(written.replace('0cc175b9', 'zzzzzzzz'), 'a.dvc').problems[0].code, 'malformed-hash');
  });

  it('keeps an all-digit md5 as written (YAML would read it as a number)', () => {
    const { outs } = parseDvcFile('outs:\n- md5: 12345678901234567890123456789012\n  path: a.bin\n', 'a.bin.dvc');
    assert.equal(outs[0].md5, '12345678901234567890123456789012');
  });

  it('reports YAML that does not parse, and a file without outs', () => {
    assert.equal(parseDvcFile('outs: [\n  - md5', 'x.dvc').problems[0].code, 'unreadable-dvc-file');
    assert.match(parseDvcFile('foo: 1\n', 'y.dvc').problems[0].message, /no "outs" list/);
  });
});

describe('data: dvc.lock outs', () => {
  it('lists cached outs relative to the DVC root (wdir applied) and skips cache: false metrics', () => {
    const { artifacts, problems } = lockArtifacts(read('pipeline/dvc.lock'), read('pipeline/dvc.yaml'), 'pipeline/dvc.lock');
    assert.deepEqual(
      artifacts.map((a) => [a.path, a.isDir, a.source.kind === 'dvc-lock' && a.source.stage]),
      [
        ['pipeline/prepared', true, 'prepare'],
        ['models/model.pkl', false, 'train'],
        ['pipeline/plots/curve.png', false, 'plot'],
      ],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, 'malformed-hash');
    assert.match(problems[0].message, /stage "train".*malformed md5 \(zz\) for "models\/bad\.pkl"/);
  });
});

describe('data: listArtifacts', () => {
  it('lists .dvc outs and lock outs together, sorted, with every problem reported', async () => {
    const listing = await listArtifacts(fixture);
    assert.deepEqual(listing.artifacts.map((a) => a.path), ['data/images', 'data/old.bin', 'data/raw.csv', 'models/model.pkl', 'pipeline/plots/curve.png', 'pipeline/prepared']);
    assert.deepEqual(listing.problems.map((p) => p.code).sort(), ['malformed-hash', 'malformed-hash', 'missing-hash']);
  });

  it('says how to start when the folder is not a DVC project', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-nodvc-'));
    try {
      await assert.rejects(listArtifacts(dir), (err: DataError) => err.code === 'no-dvc' && /dvc init/.test(err.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('data: SSH remote URLs', () => {
  it('reads user, host, port and path as DVC writes them, and nothing else', () => {
    assert.deepEqual(parseSshUrl('ssh://ada@gpu-1:2222/srv/dvc%20store'), { user: 'ada', host: 'gpu-1', port: 2222, path: '/srv/dvc store' });
    assert.deepEqual(parseSshUrl('ssh://gpu-1/srv/dvc'), { user: undefined, host: 'gpu-1', port: 22, path: '/srv/dvc' });
    assert.deepEqual(parseSshUrl('ssh://[::1]:22/d'), { user: undefined, host: '::1', port: 22, path: '/d' });
    assert.equal(parseSshUrl('s3://bucket/path'), undefined);
    assert.equal(parseSshUrl('/local/path'), undefined);
  });
});

describe('data: .dvc/config', () => {
  it('parses sections of remotes as DVC writes them', () => {
    const ini = parseDvcIni("[core]\n    remote = s3store\n['remote \"s3store\"']\n    url = s3://bucket/path\n# comment\n");
    assert.deepEqual(ini, { core: { remote: 's3store' }, 'remote s3store': { url: 's3://bucket/path' } });
  });

  it('resolves a relative local remote against .dvc/, and config.local wins', async () => {
    const cfg = await readDvcConfig(fixture);
    assert.equal(cfg.cacheDir, path.join(fixture, '.dvc', 'cache'));
    assert.equal(cfg.remote?.name, 'store');
    assert.equal(cfg.remote?.localPath, path.resolve(fixture, '.dvc', '../../remote-store'));
    const dir = mkdtempSync(path.join(tmpdir(), 'mlops-dvccfg-'));
    try {
      mkdirSync(path.join(dir, '.dvc'));
      writeFileSync(path.join(dir, '.dvc', 'config'), "[core]\n remote = a\n['remote \"a\"']\n url = /srv/a\n['remote \"b\"']\n url = ssh://gpu/srv/dvc\n[cache]\n dir = /var/cache/dvc\n");
      writeFileSync(path.join(dir, '.dvc', 'config.local'), '[core]\n remote = b\n');
      const c = await readDvcConfig(dir);
      assert.equal(c.cacheDir, '/var/cache/dvc');
      assert.deepEqual(c.remote, { name: 'b', url: 'ssh://gpu/srv/dvc', localPath: undefined });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
