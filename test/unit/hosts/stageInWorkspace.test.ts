import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { containerPathFor, explainExit, hostPathOfFolder, inDirArgv, stageReproArgv } from '../../../src/core/hosts/stageInWorkspace';

describe('stageInWorkspace', () => {
  describe('containerPathFor', () => {
    const mounts = [
      { Source: '/home/me/proj', Destination: '/workspace' },
      { Source: '/home/me/proj/data', Destination: '/data' },
      { Source: '/srv/cache/', Destination: '/cache/' },
      { Destination: '/anon' },
    ];
    it('maps the mounted folder itself and folders below it', () => {
      assert.equal(containerPathFor('/home/me/proj', mounts), '/workspace');
      assert.equal(containerPathFor('/home/me/proj/', mounts), '/workspace');
      assert.equal(containerPathFor('/home/me/proj/sub/dir', mounts), '/workspace/sub/dir');
    });
    it('prefers the closest mount', () => {
      assert.equal(containerPathFor('/home/me/proj/data/raw', mounts), '/data/raw');
      assert.equal(containerPathFor('/home/me/proj/database', mounts), '/workspace/database');
    });
    it('ignores trailing slashes and volumes without a source', () => {
      assert.equal(containerPathFor('/srv/cache', mounts), '/cache');
      assert.equal(containerPathFor('/srv/cache/x', mounts), '/cache/x');
    });
    it('says undefined when no mount covers the path (no prefix-of-name match)', () => {
      assert.equal(containerPathFor('/home/me/project2', mounts), undefined);
      assert.equal(containerPathFor('/home/me', mounts), undefined);
      assert.equal(containerPathFor('/anon', mounts), undefined);
      assert.equal(containerPathFor('/home/me/proj', []), undefined);
    });
    it('a root mount covers everything', () => {
      assert.equal(containerPathFor('/a/b', [{ Source: '/', Destination: '/host' }]), '/host/a/b');
    });
  });

  describe('hostPathOfFolder', () => {
    it('locally is the folder itself', () => {
      assert.equal(hostPathOfFolder({ kind: 'local', localFolder: '/w/p/sub' }), '/w/p/sub');
    });
    it('on SSH is the remote project path plus the folder inside the project', () => {
      assert.equal(hostPathOfFolder({ kind: 'ssh', localFolder: '/w/p/sub', projectRoot: '/w/p', remoteProjectPath: '/srv/p' }), '/srv/p/sub');
      assert.equal(hostPathOfFolder({ kind: 'ssh', localFolder: '/w/p', projectRoot: '/w/p', remoteProjectPath: '/srv/p' }), '/srv/p');
      assert.equal(hostPathOfFolder({ kind: 'ssh', localFolder: 'C:\\w\\p\\sub', projectRoot: 'C:\\w\\p', remoteProjectPath: '/srv/p' }), '/srv/p/sub');
    });
    it('on SSH without a remote path, or outside the project, is undefined', () => {
      assert.equal(hostPathOfFolder({ kind: 'ssh', localFolder: '/w/p', projectRoot: '/w/p' }), undefined);
      assert.equal(hostPathOfFolder({ kind: 'ssh', localFolder: '/elsewhere', projectRoot: '/w/p', remoteProjectPath: '/srv/p' }), undefined);
    });
  });

  describe('inDirArgv', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'stage in ws '));
      mkdirSync(path.join(dir, 'sub $x'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('runs the argv in the folder, with odd characters taken literally', () => {
      const argv = inDirArgv(path.join(dir, 'sub $x'), ['sh', '-c', 'pwd; printf "%s|" "$@"', 'x', 'a b', '$HOME', "'q'"]);
      const out = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
      assert.equal(out, `${path.join(dir, 'sub $x')}\na b|$HOME|'q'|`);
    });
    it('fails with 2 for a missing folder and 127 for a missing program', () => {
      const run = (a: string[]) => {
        try {
          execFileSync(a[0], a.slice(1), { stdio: 'pipe' });
          return 0;
        } catch (e) {
          return (e as { status: number }).status;
        }
      };
      assert.equal(run(inDirArgv(path.join(dir, 'nope'), ['true'])), 2);
      assert.equal(run(inDirArgv(dir, ['no-such-program-xyz'])), 127);
      assert.throws(() => inDirArgv(dir, []));
    });
  });

  it('stageReproArgv and explainExit', () => {
    assert.deepEqual(stageReproArgv('train@1'), ['dvc', 'repro', 'train@1']);
    assert.match(explainExit(127, 'dvc', 'ws-1')!, /dvc is not installed in ws-1.*Install dvc in the workspace's image/);
    assert.equal(explainExit(1, 'dvc', 'ws-1'), undefined);
    assert.equal(explainExit(0, 'dvc', 'ws-1'), undefined);
    assert.match(explainExit(null, 'dvc', 'ws-1')!, /connection to ws-1 ended/);
  });
});
