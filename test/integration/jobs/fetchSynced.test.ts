// Results come home without what code sync itself put there: a project whose dvclive/ ran
// here is synced with it, and a stage that does not write DVCLive (prepare) must not bring
// that copy back as its job's run. Real sshd and SFTP; the "job" rewrites one file there.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { syncProject } from '../../../src/core/jobs/sync/codeSync';
import { fetchResults, syncedFiles } from '../../../src/core/jobs/sync/fetchResults';
import { sftpRemoteFs, type RemoteFs } from '../../../src/core/jobs/sync/remoteFs';
import { requireComponent, sshTestHost } from '../harness';

describe('Results home leave the files code sync wrote and the job did not change (real sshd)', function () {
  this.timeout(60000);
  let conn: SshHostConnection;
  let fs: RemoteFs;
  let local = '';
  let home = '';
  let remote = '';

  before(async function () {
    conn = sshTestHost(requireComponent(this, 'ssh'));
    fs = sftpRemoteFs(await conn.sftp());
    local = mkdtempSync(path.join(tmpdir(), 'mlops-fetch-synced-'));
    home = mkdtempSync(path.join(tmpdir(), 'mlops-fetch-home-'));
    const files: Record<string, string> = { 'stage/dvclive/metrics.json': '{"acc": 0.5}', 'stage/dvclive/plots/metrics/acc.tsv': 'step\tacc\n0\t0.5\n', 'stage/params.yaml': 'lr: 0.1\n' };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(local, rel)), { recursive: true });
      writeFileSync(path.join(local, rel), text);
    }
    remote = `/tmp/mlops-test/slurm-jobs/fetch-synced-${process.pid}-${randomBytes(3).toString('hex')}`;
    await syncProject({ localRoot: local, remoteRoot: remote, fs, createRoot: true });
  });

  after(async () => {
    if (remote && conn) await conn.exec(['rm', '-rf', '--', remote]).catch(() => undefined);
    fs?.close();
    conn?.dispose();
    for (const d of [local, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('brings home only what the job rewrote; without the manifest, everything asked for', async () => {
    // The job, in the stage's folder below the synced root: a new metrics.json, same size as
    // before; its mtime a few seconds on (a job runs after the sync; no waiting here for that).
    const r = await conn.exec(['sh', '-c', 'f="$1/stage/dvclive/metrics.json"; t=$(stat -c %Y "$f"); printf %s \'{"acc": 0.7}\' > "$f" && touch -m -d "@$((t + 5))" "$f"', 'sh', remote]);
    assert.equal(r.code, 0, r.stderr);
    const record = { cluster: 'c', jobId: '1', remoteDir: `${remote}/stage`, fetchedAt: new Date().toISOString() };
    const synced = await syncedFiles(fs, remote, `${remote}/stage`);
    assert.deepEqual(Object.keys(synced).sort(), ['dvclive/metrics.json', 'dvclive/plots/metrics/acc.tsv', 'params.yaml']);
    const report = await fetchResults({ fs, remoteDir: `${remote}/stage`, paths: ['dvclive', 'params.yaml'], localDir: path.join(home, 'a'), record, synced });
    assert.deepEqual(report.files, ['dvclive/metrics.json']);
    assert.deepEqual(report.unchanged?.sort(), ['dvclive/plots/metrics/acc.tsv', 'params.yaml']);
    assert.equal(readFileSync(path.join(home, 'a', 'dvclive', 'metrics.json'), 'utf8'), '{"acc": 0.7}');
    const all = await fetchResults({ fs, remoteDir: `${remote}/stage`, paths: ['dvclive', 'params.yaml'], localDir: path.join(home, 'b'), record });
    assert.deepEqual(all.files.sort(), ['dvclive/metrics.json', 'dvclive/plots/metrics/acc.tsv', 'params.yaml']);
    // A folder outside the synced root has no synced files.
    assert.deepEqual(await syncedFiles(fs, remote, '/elsewhere'), {});
  });
});
