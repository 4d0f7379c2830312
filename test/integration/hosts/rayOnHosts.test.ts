// "Start Ray Cluster on Hosts" against the real Docker engine, on two hosts: the local socket
// and the test sshd (dockerode over SSH; both reach the same engine here). No image with Ray
// is needed for what this suite checks (rayOnHostsReal.test.ts runs real Ray), so:
//  - with the plain busybox image the start fails at the engine (no `ray` in it) with its own
//    message, and nothing is left behind;
//  - a stand-in image (busybox plus a `ray` script that prints its arguments and sleeps) runs
//    the containers as specified: host network, /dev/shm, our labels, `ray start` with the
//    head's address; Stop removes exactly the cluster's containers of this owner, not a
//    container of another owner carrying the same cluster label.
// `ray start` itself in containers runs in rayOnHostsReal.test.ts (the image of scripts/setup/ray-image.sh).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { RAY_CLUSTER_LABEL, rayClusterContainers, rayOnHostsPlan, startRayOnHosts, stopRayOnHosts } from '../../../src/core/jobs/ray/rayOnHosts';
import { OWNER_LABEL } from '../../../src/core/hosts/ownership';
import { demuxDockerLogs, dockerOverSsh, removeTestContainers, requireComponent, testLabels, waitFor } from '../harness';

describe('Ray cluster on hosts (real Docker engine: local socket + over SSH)', function () {
  this.timeout(180000);
  let local: Docker;
  let remote: Docker;
  const me = `tester-${process.pid}`;
  const name = `t${process.pid}`;
  const image = `local/ray-standin:${process.pid}`;
  const engine = (h: string) => (h === 'local' ? local : remote);
  const request = (img: string) => ({ name, image: img, head: { host: 'local', address: '127.0.0.1', gpus: 'none' as const }, workers: [{ host: 'test-ssh', address: '127.0.0.1', gpus: 'none' as const }], gcsPort: 16380, dashboardPort: 18265, shmMb: 256 });

  before(function () {
    const docker = requireComponent(this, 'docker');
    const ssh = requireComponent(this, 'ssh');
    local = new Docker({ socketPath: docker.socketPath });
    remote = dockerOverSsh(ssh);
    // The stand-in image: busybox, and a `ray` that prints what it was asked and sleeps.
    const root = mkdtempSync(path.join(tmpdir(), 'mlops-raystandin-'));
    try {
      mkdirSync(path.join(root, 'bin'));
      copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
      for (const c of ['sh', 'sleep', 'echo']) symlinkSync('busybox', path.join(root, 'bin', c));
      writeFileSync(path.join(root, 'bin', 'ray'), '#!/bin/sh\necho "ray $*"\ntrap "exit 0" TERM\nsleep 300 & wait\n');
      chmodSync(path.join(root, 'bin', 'ray'), 0o755);
      const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
      execFileSync('docker', ['-H', `unix://${docker.socketPath}`, 'import', '-', image], { input: tar });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  after(async () => {
    for (const c of await local.listContainers({ all: true, filters: { label: [`${RAY_CLUSTER_LABEL}=${name}`] } })) await local.getContainer(c.Id).remove({ force: true });
    await removeTestContainers(local);
    await local.getImage(image).remove().catch(() => undefined);
  });

  it('an image without Ray: the engine\'s refusal, and nothing left behind', async function () {
    const docker = requireComponent(this, 'docker');
    const plan = rayOnHostsPlan(request(docker.image), me);
    await assert.rejects(startRayOnHosts(plan, engine), (e: Error) => /ray.*(not found|no such file)/i.test(e.message));
    assert.deepEqual(await rayClusterContainers(name, ['local', 'test-ssh'], engine, me), []);
  });

  it('starts the head and a worker as specified; Stop removes only this owner\'s containers of the cluster', async () => {
    const plan = rayOnHostsPlan(request(image), me);
    const ids = await startRayOnHosts(plan, engine);
    assert.equal(ids.length, 2);
    // Another owner's container with the same cluster label (a teammate's cluster of the same name).
    const foreign = await local.createContainer({ Image: image, Cmd: ['sleep', '300'], Labels: { ...testLabels, [RAY_CLUSTER_LABEL]: name, [OWNER_LABEL]: 'someone-else' } });
    const head = await local.getContainer(ids[0]).inspect();
    assert.equal(head.HostConfig.NetworkMode, 'host');
    assert.equal(head.HostConfig.ShmSize, 256 * 1024 * 1024);
    assert.equal(head.Config.Labels['mlops.workspace'], '1');
    assert.equal(head.Config.Labels[OWNER_LABEL], me);
    assert.deepEqual(head.Config.Cmd, plan.nodes[0].argv);
    const worker = await remote.getContainer(ids[1]).inspect();
    assert.deepEqual(worker.Config.Cmd.slice(0, 2), ['ray', 'start']);
    assert.ok(worker.Config.Cmd.includes('--address=127.0.0.1:16380'));
    await waitFor(async () => /ray start --head/.test(demuxDockerLogs(await local.getContainer(ids[0]).logs({ stdout: true, stderr: true, follow: false })).stdout), 30000, 'the head container running `ray start --head`');
    const listed = await rayClusterContainers(name, ['local'], engine, me);
    assert.deepEqual(listed.map((c) => c.role).sort(), ['head', 'worker']);
    assert.ok(listed.every((c) => c.state === 'running'));
    await stopRayOnHosts(listed, engine);
    assert.deepEqual(await rayClusterContainers(name, ['local', 'test-ssh'], engine, me), []);
    assert.equal((await foreign.inspect()).Id, foreign.id, 'the other owner\'s container is left');
    await foreign.remove({ force: true });
  });
});
