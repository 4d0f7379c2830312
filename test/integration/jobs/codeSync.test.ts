// Code sync against the real loopback sshd's SFTP subsystem (OpenSSH sftp-server, with
// posix-rename): the example project goes up once, an unchanged project sends nothing, a
// changed file goes again, ignored files never go, a remote file we did not write
// survives, and a sync whose connection drops in the middle of a file leaves no file at
// its real name that looks complete — then the next sync finishes the job.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { RemoteRootMissingError, syncProject, type SyncReport } from '../../../src/core/jobs/sync/codeSync';
import { walkProject } from '../../../src/core/jobs/sync/localTree';
import { MANIFEST_NAME, TEMP_DIR_NAME } from '../../../src/core/jobs/sync/manifest';
import { sftpRemoteFs, type RemoteFs } from '../../../src/core/jobs/sync/remoteFs';
import { repoRoot, requireComponent, sshTestHost, type SshComponent } from '../harness';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('Code sync over SFTP (real sshd)', function () {
  this.timeout(120000);
  let ssh: SshComponent;
  let conn: SshHostConnection;
  let fs: RemoteFs;
  let local = '';
  let remote = '';

  const sh = async (command: string, ...args: string[]) => {
    const r = await conn.exec(['sh', '-c', command, 'sh', ...args]);
    assert.equal(r.code, 0, `${command}: ${r.stderr}`);
    return r.stdout;
  };
  /** sha256 of every regular file under the remote root, as coreutils computes it. */
  const remoteHashes = async (): Promise<Map<string, string>> => {
    const out = await sh('cd "$1" && find . -type f -print0 | xargs -0 -r sha256sum', remote);
    const m = new Map<string, string>();
    for (const line of out.trim().split('\n').filter(Boolean)) {
      const [h, p] = [line.slice(0, 64), line.slice(66).replace(/^\.\//, '')];
      m.set(p, h);
    }
    return m;
  };
  const sync = (extra: Partial<Parameters<typeof syncProject>[0]> = {}): Promise<SyncReport> => syncProject({ localRoot: local, remoteRoot: remote, fs, ...extra });
  const connect = async () => {
    conn = sshTestHost(ssh);
    fs = sftpRemoteFs(await conn.sftp());
  };

  before(async function () {
    ssh = requireComponent(this, 'ssh');
    await connect();
    // The example project as its own git repository (so only its own ignore files count), plus files its ignore files leave out.
    local = mkdtempSync(path.join(tmpdir(), 'mlops-sync-'));
    cpSync(path.join(repoRoot, 'examples'), local, { recursive: true, filter: (src) => !/(^|\/)(mlflow\.db|mlruns|data|models|dvclive|__pycache__|\.dvc\/(cache|tmp))(\/|$)/.test(path.relative(repoRoot, src)) });
    execFileSync('git', ['init', '-q', local]);
    writeFileSync(path.join(local, 'mlflow.db'), 'ignored by .gitignore and .dvcignore');
    mkdirSync(path.join(local, 'src', '__pycache__'));
    writeFileSync(path.join(local, 'src', '__pycache__', 'common.cpython-311.pyc'), 'ignored by a pattern without a slash');
    writeFileSync(path.join(local, '.dvcignore'), `${readFileSync(path.join(local, '.dvcignore'), 'utf8')}\nscratch/\n`);
    mkdirSync(path.join(local, 'scratch'));
    writeFileSync(path.join(local, 'scratch', 'notes.txt'), 'ignored by .dvcignore only');
    symlinkSync('/etc/passwd', path.join(local, 'passwd-link'));
    remote = `/tmp/mlops-test/sync/${process.pid}-${randomBytes(3).toString('hex')}/project`;
  });

  after(async () => {
    if (local) rmSync(local, { recursive: true, force: true });
    if (remote && conn) await conn.exec(['rm', '-rf', '--', path.posix.dirname(remote)]).catch(() => undefined);
    fs?.close();
    conn?.dispose();
  });

  it('a missing remote root is reported as such, and made when asked', async () => {
    await assert.rejects(sync(), (e: unknown) => e instanceof RemoteRootMissingError && e.remoteRoot === remote);
    assert.equal(await fs.stat(remote), undefined, 'nothing was made without being asked');
    // A file of someone else's already in the root: sync must leave it alone.
    // Made, with nothing sent (no file is allowed by these caps), and a cut-short walk deletes nothing.
    const made = await sync({ createRoot: true, limits: { maxFiles: 0, maxFileBytes: 1 << 20, maxTotalBytes: 0, maxDepth: 64 } });
    assert.equal((await fs.stat(remote))?.isDirectory, true);
    assert.deepEqual([made.uploaded, made.truncated], [[], true]);
    await sh('mkdir -p "$1/src" && echo theirs > "$1/notes-of-a-colleague.txt" && echo theirs > "$1/src/their_helper.py"', remote);
  });

  it('the first sync sends the project (every file, same bytes), none of the ignored files, and no symlink', async () => {
    const report = await sync();
    const expected = (await walkProject(local)).files.map((f) => f.rel).sort();
    assert.deepEqual([...report.uploaded].sort(), expected);
    assert.ok(expected.includes('dvc.yaml') && expected.includes('src/train.py') && expected.includes('.dvc/config') && expected.includes('.gitignore'), expected.join(', '));
    assert.deepEqual(report.skipped, [{ rel: 'passwd-link', why: 'symlink' }]);
    const hashes = await remoteHashes();
    for (const rel of expected) assert.equal(hashes.get(rel), sha(readFileSync(path.join(local, rel))), rel);
    for (const ignored of ['mlflow.db', 'src/__pycache__/common.cpython-311.pyc', 'scratch/notes.txt', 'passwd-link', '.git/HEAD']) assert.equal(hashes.has(ignored), false, `${ignored} was sent`);
    assert.ok(hashes.has('notes-of-a-colleague.txt') && hashes.has('src/their_helper.py'));
    // The manifest lists exactly what we wrote; the temp folder is empty.
    const manifest = JSON.parse(await sh('cat "$1/$2"', remote, MANIFEST_NAME)) as { files: Record<string, { sha256: string }> };
    assert.deepEqual(Object.keys(manifest.files).sort(), expected);
    assert.equal((await sh('ls -A "$1/$2"', remote, TEMP_DIR_NAME)).trim(), '');
  });

  it('a second sync of the unchanged project sends nothing and does not rewrite the manifest', async () => {
    const before = await fs.stat(`${remote}/${MANIFEST_NAME}`);
    const report = await sync();
    assert.deepEqual(report.uploaded, []);
    assert.equal(report.unchanged, (await walkProject(local)).files.length);
    const after = await fs.stat(`${remote}/${MANIFEST_NAME}`);
    assert.deepEqual(after, before);
  });

  it('a changed file is sent again, alone; a touched file with the same bytes is not', async () => {
    const train = path.join(local, 'src', 'train.py');
    writeFileSync(train, `${readFileSync(train, 'utf8')}\n# changed for the sync test\n`);
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(local, 'params.yaml'), later, later);
    const report = await sync();
    assert.deepEqual(report.uploaded, ['src/train.py']);
    assert.equal((await remoteHashes()).get('src/train.py'), sha(readFileSync(train)));
    assert.deepEqual((await sync()).uploaded, [], 'the new mtime of params.yaml was recorded');
  });

  it('a file we wrote and removed here is deleted there; one changed there since is left; files we never wrote survive', async () => {
    unlinkSync(path.join(local, 'python_env.yaml'));
    unlinkSync(path.join(local, 'requirements.txt'));
    await sh('echo "edited on the cluster" >> "$1/requirements.txt"', remote);
    const report = await sync();
    assert.deepEqual(report.deleted, ['python_env.yaml']);
    assert.deepEqual(report.keptChanged, ['requirements.txt']);
    const hashes = await remoteHashes();
    assert.equal(hashes.has('python_env.yaml'), false);
    assert.ok(hashes.has('requirements.txt') && hashes.has('notes-of-a-colleague.txt') && hashes.has('src/their_helper.py'));
    // No longer ours: a later sync does not touch it either.
    assert.deepEqual((await sync()).deleted, []);
  });

  it('a connection dropped in the middle of a file leaves no complete-looking half file; the next sync cleans up and finishes', async () => {
    const big = path.join(local, 'src', 'weights_table.py');
    const content = randomBytes(12 * 1024 * 1024);
    writeFileSync(big, content);
    // Drop the real connection once the server has acknowledged the first megabyte of the file.
    const dropping: RemoteFs = {
      ...fs,
      upload: (from, to) =>
        fs.upload(from, to, (sent) => {
          if (sent >= 1024 * 1024) conn.dispose();
        }),
    };
    await assert.rejects(syncProject({ localRoot: local, remoteRoot: remote, fs: dropping }));
    await connect();
    assert.equal(await fs.stat(`${remote}/src/weights_table.py`), undefined, 'a file appeared at its real name');
    const leftovers = (await sh('cd "$1/$2" && for f in *; do [ -f "$f" ] && wc -c < "$f"; done; true', remote, TEMP_DIR_NAME)).trim().split('\n').filter(Boolean).map(Number);
    assert.equal(leftovers.length, 1, 'the partial upload stays under the temp folder only');
    assert.ok(leftovers[0] < content.length, `the temp file is ${leftovers[0]} bytes`);

    const report = await sync();
    assert.deepEqual(report.uploaded, ['src/weights_table.py']);
    assert.equal((await remoteHashes()).get('src/weights_table.py'), sha(content));
    assert.equal((await sh('ls -A "$1/$2"', remote, TEMP_DIR_NAME)).trim(), '');
  });
});
