import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import type { HostConnection } from '../../../src/core/hosts/hostConnection';
import { containerPathFor, explainExit, hostPathOfFolder, runInContainer, stageReproArgv } from '../../../src/core/hosts/stageInWorkspace';
import { execTty } from '../../../src/core/hosts/workspaceExec';
import { onLocalAndSsh, ownerLabels, startTestWorkspace, waitFor } from '../harness';

// The real engine and sshd; busybox has no dvc, so the runner is checked with commands
// busybox has (the same argv builder and exec path), and `dvc repro` is checked to fail
// with 127 and the install hint — nothing here pretends dvc ran.
const owner = ownerLabels('stage-ws');

async function run(conn: HostConnection, id: string, dir: string, argv: string[]) {
  let out = '';
  const r = await runInContainer(conn, id, { dir, argv, cols: 120, rows: 30, onOutput: (d) => (out += d.toString('utf8')) });
  const code = await r.done;
  return { code, out: () => out };
}

function stageContract(kind: 'local' | 'ssh', connect: () => HostConnection, image: () => string): void {
  let container: Docker.Container | undefined;
  let project: string;
  let mounts: Array<{ Source?: string; Destination?: string }>;
  // As the user's machine sees the project on an SSH host: another path, mapped through remoteProjectPath.
  const localRoot = '/home/someone/project';

  before(async () => {
    project = mkdtempSync(path.join(tmpdir(), 'mlops-stage-ws-'));
    mkdirSync(path.join(project, 'sub'));
    writeFileSync(path.join(project, 'sub', 'marker.txt'), 'hello\n');
    container = await startTestWorkspace(connect(), owner, { image: image(), mounts: [{ source: project, target: '/workspace' }], name: `ws-stage-${randomBytes(4).toString('hex')}` });
    mounts = (await container.inspect()).Mounts;
  });
  after(async () => {
    await container?.remove({ force: true });
    rmSync(project, { recursive: true, force: true });
  });

  const mapped = (localFolder: string) => {
    const hostPath = kind === 'local' ? hostPathOfFolder({ kind, localFolder }) : hostPathOfFolder({ kind, localFolder: localFolder.replace(project, localRoot), projectRoot: localRoot, remoteProjectPath: project });
    return containerPathFor(hostPath!, mounts);
  };

  it(`${kind}: runs the built argv in the folder mapped from the container's mounts`, async () => {
    const dir = mapped(path.join(project, 'sub'));
    assert.equal(dir, '/workspace/sub');
    const r = await run(connect(), container!.id, dir!, ['sh', '-c', 'pwd; ls; cat marker.txt; exit 4']);
    assert.equal(r.code, 4);
    assert.match(r.out(), /^\/workspace\/sub\r\nmarker\.txt\r\nhello\r\n$/);
  });

  it(`${kind}: dvc repro in an image without dvc exits 127 with the install hint`, async () => {
    const r = await run(connect(), container!.id, mapped(project)!, stageReproArgv('train'));
    assert.equal(r.code, 127);
    assert.match(r.out(), /dvc/);
    assert.match(explainExit(r.code, 'dvc', 'ws')!, /Install dvc in the workspace's image/);
  });

  it(`${kind}: a folder outside every mount maps to nothing; a missing folder fails with 2 and says so`, async () => {
    assert.equal(containerPathFor(tmpdir(), mounts), undefined);
    const r = await run(connect(), container!.id, '/workspace/not-there', ['true']);
    assert.equal(r.code, 2);
    assert.match(r.out(), /can't cd to \/workspace\/not-there/);
  });

  it(`${kind}: cancel interrupts the process in the container`, async () => {
    const marker = `sleep ${700 + Math.floor(Math.random() * 200)}`;
    let out = '';
    const r = await runInContainer(connect(), container!.id, { dir: '/workspace', argv: ['sh', '-c', `echo started; ${marker}`], cols: 80, rows: 24, onOutput: (d) => (out += d.toString()) });
    await waitFor(() => out.includes('started'), 10000, 'the run to start');
    const t = Date.now();
    await r.cancel();
    await r.done;
    assert.ok(Date.now() - t < 5000, `cancelling took ${Date.now() - t} ms`);
    // The process is gone from the container, not just our stream.
    const ps = await execTty(connect(), container!.id, { argv: ['ps'], cols: 200, rows: 50 });
    let list = '';
    ps.stream.on('data', (d: Buffer) => (list += d.toString()));
    await ps.exitCode();
    assert.match(list, /sleep 300/, `ps listed nothing useful: ${list}`);
    assert.ok(!list.includes(marker), `the process still runs:\n${list}`);
  });
}

describe('hosts: running a stage inside a workspace', function () {
  this.timeout(60000);
  onLocalAndSsh(stageContract);
});
