import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { containerIdFromCgroup, parseComputeApps } from '../../../src/core/hosts/gpuProcesses';

// Hand-written from NVIDIA's documented --query-compute-apps CSV (fixtures/README.md): no GPU here.
const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const ID = '3f2a9c1b7d10e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80910a1b';

describe('gpuProcesses: nvidia-smi --query-compute-apps', () => {
  it('reads pid, name, memory and GPU UUID; [N/A] memory and [Insufficient Permissions] names as null', () => {
    const apps = parseComputeApps(fixture('nvidia-smi-apps.csv'));
    assert.equal(apps.length, 6);
    assert.deepEqual(apps[0], { pid: 48211, name: '/usr/bin/python3', usedMemoryMiB: 70980, gpuUuid: 'GPU-5e3b1c0a-7f2d-4c1e-9a8b-000000000000' });
    assert.equal(apps[3].usedMemoryMiB, null);
    assert.equal(apps[4].name, null);
    assert.equal(apps[5].name, '/home/carol/run,odd.sh', 'a comma in the name survives: pid leads, the UUID ends');
  });

  it('skips lines without a pid or a UUID, overlong lines, and stops at 256 lines', () => {
    assert.deepEqual(parseComputeApps(`x, a, 1, GPU-1\n1, a, 1, [N/A]\n2, a\n3, ${'n'.repeat(5000)}, 1, GPU-1\n`), []);
    const many = Array.from({ length: 1000 }, (_, i) => `${i + 1}, p, 1, GPU-1`).join('\n');
    assert.equal(parseComputeApps(many).length, 256);
  });
});

describe('gpuProcesses: container id from /proc/<pid>/cgroup', () => {
  it('cgroup v1 (cgroupfs driver): /docker/<id>', () => {
    const v1 = [`12:pids:/docker/${ID}`, `11:cpu,cpuacct:/docker/${ID}`, `1:name=systemd:/docker/${ID}`].join('\n');
    assert.equal(containerIdFromCgroup(v1), ID);
  });

  it('cgroup v2 (systemd driver): docker-<id>.scope under system.slice, or under a rootless user slice', () => {
    assert.equal(containerIdFromCgroup(`0::/system.slice/docker-${ID}.scope`), ID);
    assert.equal(containerIdFromCgroup(`0::/user.slice/user-1000.slice/user@1000.service/user.slice/docker-${ID}.scope`), ID);
    assert.equal(containerIdFromCgroup(`0::/system.slice/docker-${ID}.scope/init.scope`), ID);
  });

  it('cgroup v2 with the cgroupfs driver: /docker/<id>, and a nested path under it', () => {
    assert.equal(containerIdFromCgroup(`0::/docker/${ID}`), ID);
    assert.equal(containerIdFromCgroup(`0::/docker/${ID}/sub`), ID);
  });

  it('a host process, a session scope or a short id is no container', () => {
    assert.equal(containerIdFromCgroup('0::/'), undefined);
    assert.equal(containerIdFromCgroup('0::/user.slice/user-1000.slice/session-3.scope'), undefined);
    assert.equal(containerIdFromCgroup('4:memory:/docker/3f2a9c1b7d10'), undefined);
    assert.equal(containerIdFromCgroup(`0::/system.slice/docker.service`), undefined);
    assert.equal(containerIdFromCgroup(''), undefined);
  });
});
