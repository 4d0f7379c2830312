import { strict as assert } from 'node:assert';
import { containerCreateOptions, dockerRunCommand, GPUS_LABEL, PROFILE_LABEL, WORKSPACE_LABEL } from '../../../src/core/hosts/workspaceSpec';
import {
  formatGpu,
  formatPorts,
  formatPortSpecs,
  hostSettings,
  mountsFor,
  parseGpuAnswer,
  placementOrder,
  placementRequest,
  describePlacementRequest,
  describeSkipped,
  parsePorts,
  parseIdleMinutes,
  formatEnv,
  formatSizeMb,
  parseCpus,
  parseEnv,
  parseSizeMb,
  profileFromAnswers,
  profileFromInspect,
  remoteProjectPath,
  SPEC_LABEL,
  stateIcon,
  storedProfiles,
  upsertProfile,
  workspaceContainerName,
  workspaceDescription,
  workspaceState,
} from '../../../src/extension/workspaces/model';

describe('workspaces view: settings', () => {
  it('maps mlops.hosts entries (hostName) to the host layer shape (host) and drops malformed ones', () => {
    const value = [
      { name: 'gpu-box', hostName: '10.0.0.5', user: 'ada', port: 2222, identityFile: '~/.ssh/id_gpu', proxyJump: 'bastion', remoteProjectPath: '/srv/proj' },
      { name: '  ' },
      { hostName: 'no-name' },
      'text',
      { name: 'plain' },
    ];
    assert.deepEqual(hostSettings(value), [
      { name: 'gpu-box', host: '10.0.0.5', port: 2222, user: 'ada', identityFile: '~/.ssh/id_gpu', proxyJump: 'bastion' },
      { name: 'plain' },
    ]);
    assert.deepEqual(hostSettings(undefined), []);
    assert.equal(remoteProjectPath(value, 'gpu-box'), '/srv/proj');
    assert.equal(remoteProjectPath(value, 'plain'), undefined);
  });

  it('keeps only usable saved profiles and replaces one of the same name', () => {
    const ps = storedProfiles([{ name: 'a', image: 'x' }, { name: 'b' }, { image: 'y' }, null, { name: 'c', image: 'z' }]);
    assert.deepEqual(ps.map((p) => p.name), ['a', 'c']);
    const next = upsertProfile(ps, { name: 'a', image: 'x2', host: 'gpu' });
    assert.deepEqual(next, [{ name: 'a', image: 'x2', host: 'gpu' }, { name: 'c', image: 'z' }]);
    assert.equal(upsertProfile(ps, { name: 'd', image: 'w' }).length, 3);
  });
});

describe('workspaces view: launch answers', () => {
  it('parses the GPU answer: none, all, a count, ids', () => {
    assert.deepEqual(parseGpuAnswer(''), { ok: true, value: 'none' });
    assert.deepEqual(parseGpuAnswer('None'), { ok: true, value: 'none' });
    assert.deepEqual(parseGpuAnswer('all'), { ok: true, value: 'all' });
    assert.deepEqual(parseGpuAnswer('2'), { ok: true, value: { count: 2 } });
    assert.deepEqual(parseGpuAnswer('0'), { ok: true, value: 'none' });
    assert.deepEqual(parseGpuAnswer('0, 2'), { ok: true, value: { ids: ['0', '2'] } });
    assert.deepEqual(parseGpuAnswer('GPU-1a2b-3c'), { ok: true, value: { ids: ['GPU-1a2b-3c'] } });
    assert.equal(parseGpuAnswer('0;rm -rf').ok, false);
    assert.deepEqual(parseGpuAnswer(' A100:2 '), { ok: true, value: { count: 2, type: 'A100' } });
    assert.deepEqual(parseGpuAnswer('rtx4090:1'), { ok: true, value: { count: 1, type: 'rtx4090' } });
    assert.equal(parseGpuAnswer('A100:0').ok, false);
    assert.equal(parseGpuAnswer('A100:2:3').ok, false);
    assert.deepEqual(parseGpuAnswer('1,'), { ok: true, value: { ids: ['1'] } });
  });

  it('parses ports: container ports, host:container, duplicates once, junk refused', () => {
    assert.deepEqual(parsePorts('8888, 6006'), { ok: true, value: [{ container: 8888 }, { container: 6006 }] });
    assert.deepEqual(parsePorts('18888:8888 8888'), { ok: true, value: [{ container: 8888, host: 18888 }] });
    assert.deepEqual(parsePorts('  '), { ok: true, value: [] });
    for (const bad of ['0', '70000', 'http', '1:2:3', '99999:80']) assert.equal(parsePorts(bad).ok, false, bad);
    assert.equal(formatPortSpecs([8888, { container: 6006, host: 16006 }, { container: 22 }]), '8888, 16006:6006, 22');
  });

  it('turns the answers into the profile launched, which the engine and docker run both accept', () => {
    const p = profileFromAnswers({ image: ' local/busybox:1 ', gpus: { count: 1 }, ports: [{ container: 8888 }, { container: 6006, host: 16006 }], mountProject: true, saveAs: ' train ' });
    assert.deepEqual(p, { name: 'train', image: 'local/busybox:1', gpus: { count: 1 }, ports: [8888, { container: 6006, host: 16006 }], mountProject: true });
    const unnamed = profileFromAnswers({ image: 'x', gpus: 'none', ports: [], mountProject: false, saveAs: '' });
    assert.equal('name' in unnamed, false);
    const { mountProject: _m, ...spec } = p;
    const opts = containerCreateOptions(spec);
    assert.equal(opts.Labels?.[WORKSPACE_LABEL], '1');
    assert.equal(opts.Labels?.[PROFILE_LABEL], 'train');
    assert.match(dockerRunCommand(spec), /--gpus 1 .*-p 127\.0\.0\.1::8888 -p 127\.0\.0\.1:16006:6006 local\/busybox:1$/);
  });

  it('the idle step: typed minutes (1 to a week, "45 min" too), empty or 0 for never; the limit becomes the label only with a GPU', () => {
    assert.deepEqual(parseIdleMinutes(' 45 '), { ok: true, value: 45 });
    assert.deepEqual(parseIdleMinutes('45 min'), { ok: true, value: 45 });
    assert.deepEqual(parseIdleMinutes(''), { ok: true, value: 0 });
    assert.deepEqual(parseIdleMinutes('0'), { ok: true, value: 0 });
    for (const bad of ['-5', '1.5', 'soon', '10081', '9999999']) assert.equal(parseIdleMinutes(bad).ok, false, bad);
    const withGpu = profileFromAnswers({ image: 'x', gpus: { ids: ['0'] }, ports: [], mountProject: false, idleStopMinutes: 30 });
    assert.equal(withGpu.idleStopMinutes, 30);
    assert.equal(containerCreateOptions(withGpu).Labels?.['mlops.idleStopMinutes'], '30');
    // Answered 30, then went Back and chose No GPU: nothing could ever be idle, so no label.
    const noGpu = profileFromAnswers({ image: 'x', gpus: 'none', ports: [], mountProject: false, idleStopMinutes: 30 });
    assert.equal('idleStopMinutes' in noGpu, false);
    assert.equal(containerCreateOptions(noGpu).Labels?.['mlops.idleStopMinutes'], undefined);
    assert.equal('idleStopMinutes' in profileFromAnswers({ image: 'x', gpus: 'all', ports: [], mountProject: false, idleStopMinutes: 0 }), false);
  });

  it('reads CPU, memory and shared-memory answers in Docker notation; empty means no limit', () => {
    assert.deepEqual(parseCpus(''), { ok: true, value: undefined });
    assert.deepEqual(parseCpus(' 0.5 '), { ok: true, value: 0.5 });
    assert.equal(parseCpus('-1').ok, false);
    assert.equal(parseCpus('four').ok, false);
    assert.deepEqual(parseSizeMb('16g', 'memory'), { ok: true, value: 16384 });
    assert.deepEqual(parseSizeMb('1.5G', 'memory'), { ok: true, value: 1536 });
    assert.deepEqual(parseSizeMb('512MB', 'memory'), { ok: true, value: 512 });
    assert.deepEqual(parseSizeMb('2048', 'memory'), { ok: true, value: 2048 });
    assert.deepEqual(parseSizeMb('   ', 'memory'), { ok: true, value: undefined });
    const small = parseSizeMb('4m', 'memory limit', 6);
    assert.equal(small.ok, false);
    assert.match(!small.ok ? small.error : '', /at least 6 MB/);
    assert.equal(parseSizeMb('lots', 'memory').ok, false);
    assert.equal(formatSizeMb(16384), '16g');
    assert.equal(formatSizeMb(1536), '1536m');
  });

  it('reads env answers: commas inside values survive, names are checked', () => {
    assert.deepEqual(parseEnv('A=1, CUDA_VISIBLE_DEVICES=0,1, MSG=hello world, EMPTY='), { ok: true, value: { A: '1', CUDA_VISIBLE_DEVICES: '0,1', MSG: 'hello world', EMPTY: '' } });
    assert.deepEqual(parseEnv(''), { ok: true, value: {} });
    const bad = parseEnv('A=1, not a var');
    assert.equal(bad.ok, true, 'a comma without NAME= after it belongs to the value');
    assert.equal(parseEnv('1A=x').ok, false);
    assert.equal(formatEnv({ A: '1', B: 'x,y' }), 'A=1, B=x,y');
    assert.deepEqual(parseEnv(formatEnv({ A: '1', B: 'x,y' })), { ok: true, value: { A: '1', B: 'x,y' } });
  });

  it('carries limits, env and command from the answers into the profile and on to Docker', () => {
    const p = profileFromAnswers({ image: 'img', gpus: 'none', ports: [], mountProject: false, cpus: 2, memoryMb: 4096, shmMb: 1024, env: { K: 'v' }, command: ' sleep 1 ' });
    assert.deepEqual(p, { image: 'img', gpus: 'none', ports: [], cpus: 2, memoryMb: 4096, shmMb: 1024, env: { K: 'v' }, command: 'sleep 1', mountProject: false });
    const { mountProject: _m, ...spec } = p;
    const o = containerCreateOptions(spec);
    assert.equal(o.HostConfig?.NanoCpus, 2e9);
    assert.equal(o.HostConfig?.Memory, 4096 * 1024 * 1024);
    assert.equal(o.HostConfig?.ShmSize, 1024 * 1024 * 1024);
    assert.deepEqual(o.Env, ['K=v']);
    assert.deepEqual(o.Cmd, ['sh', '-c', 'sleep 1']);
    const plain = profileFromAnswers({ image: 'img', gpus: 'none', ports: [], mountProject: false, env: {}, command: '' });
    assert.deepEqual(Object.keys(plain).sort(), ['gpus', 'image', 'mountProject', 'ports']);
  });

  it('names each launch uniquely, after the profile or the image', () => {
    assert.equal(workspaceContainerName({ name: 'train a100', image: 'x' }, 'ab12cd'), 'train-a100-ab12cd');
    assert.equal(workspaceContainerName({ image: 'pytorch/pytorch:2.5.1-cuda12.4' }, 'ff0011'), 'ws-pytorch-ff0011');
    assert.equal(workspaceContainerName({ image: 'reg.io:5000/team/img@sha256:abc' }, '000000'), 'ws-img-000000');
    assert.equal(workspaceContainerName({ name: '--', image: 'x' }, '1'), 'workspace-1');
  });

  it('mounts the project at /workspace only when asked, known, and not already mounted there', () => {
    assert.deepEqual(mountsFor({ image: 'x', mountProject: true }, '/home/ada/proj'), [{ source: '/home/ada/proj', target: '/workspace' }]);
    assert.deepEqual(mountsFor({ image: 'x', mountProject: false }, '/home/ada/proj'), []);
    assert.deepEqual(mountsFor({ image: 'x', mountProject: true }, undefined), []);
    const own = [{ source: '/data', target: '/workspace' }];
    assert.deepEqual(mountsFor({ image: 'x', mountProject: true, mounts: own }, '/p'), own);
  });
});

describe('workspaces view: how items read', () => {
  it('formats ports once per port (the engine lists IPv4 and IPv6), sorted', () => {
    const ports = [
      { container: 8888, host: 49153, hostIp: '127.0.0.1' },
      { container: 6006, host: 49154, hostIp: '127.0.0.1' },
      { container: 8888, host: 49153, hostIp: '::1' },
      { container: 22 },
    ];
    assert.equal(formatPorts(ports), '22, 6006→49154, 8888→49153');
    assert.equal(formatPorts([]), '');
  });

  it('describes a workspace: image, GPUs when any, ports, Docker state', () => {
    assert.equal(workspaceDescription({ image: 'local/busybox:1', gpus: 'none', ports: [{ container: 8888, host: 1234 }], status: 'Up 3 minutes' }), 'local/busybox:1 · ports 8888→1234 · Up 3 minutes');
    assert.equal(workspaceDescription({ image: 'img', gpus: 'all', ports: [], status: 'Exited (0) 1 second ago' }), 'img · GPUs all · Exited (0) 1 second ago');
  });

  it('maps Docker states to four, each with an icon', () => {
    assert.deepEqual(['running', 'paused', 'restarting', 'exited', 'created', 'dead'].map(workspaceState), ['running', 'paused', 'restarting', 'stopped', 'stopped', 'stopped']);
    assert.equal(stateIcon('running').id, 'vm-running');
    assert.equal(stateIcon('exited').id, 'vm-outline');
  });

  it('formats a GPU, with n/a for what the driver does not report', () => {
    const h100 = { index: 2, uuid: 'GPU-2', name: 'NVIDIA H100 80GB HBM3', memoryUsedMiB: 30720, memoryTotalMiB: 81920, utilizationPct: 71, temperatureC: 61 };
    assert.deepEqual(formatGpu(h100, { holders: 'alice/bert-ft' }), { label: 'GPU 2 · 71 % · 30/80 GiB · alice/bert-ft', description: 'NVIDIA H100 80GB HBM3 · 61°C' });
    assert.equal(formatGpu({ ...h100, memoryUsedMiB: 512, utilizationPct: 0 }, { free: true }).label, 'GPU 2 · 0 % · 0.5/80 GiB · free');
    assert.equal(formatGpu({ ...h100, memoryUsedMiB: 4096 }).label, 'GPU 2 · 71 % · 4/80 GiB');
    const mig = formatGpu({ index: 1, uuid: null, name: 'MIG', memoryUsedMiB: null, memoryTotalMiB: null, utilizationPct: null, temperatureC: null });
    assert.deepEqual(mig, { label: 'GPU 1 · util n/a · memory n/a', description: 'MIG · temp n/a' });
  });
});

describe('workspaces view: copy docker run from a container', () => {
  it('uses the spec label when the container has one', () => {
    const spec = { name: 'train', image: 'img:1', gpus: 'all' as const, ports: [8888], command: ['sleep', '300'] };
    const opts = containerCreateOptions(spec, { [SPEC_LABEL]: JSON.stringify(spec) });
    assert.deepEqual(profileFromInspect({ Config: { Image: 'img:1', Labels: opts.Labels } }), spec);
  });

  it('rebuilds the profile from the engine when there is no (or a broken) spec label', () => {
    const p = profileFromInspect({
      Config: { Image: 'local/busybox:1', Cmd: ['sleep', '300'], Labels: { [WORKSPACE_LABEL]: '1', [PROFILE_LABEL]: 'p', [GPUS_LABEL]: 'device=0,2', [SPEC_LABEL]: '{broken' } },
      HostConfig: { Binds: ['/proj:/workspace', '/data:/data:ro'], PortBindings: { '8888/tcp': [{ HostPort: '' }], '6006/tcp': [{ HostPort: '16006' }], '53/udp': [{ HostPort: '53' }] } },
    });
    assert.deepEqual(p, {
      name: 'p',
      image: 'local/busybox:1',
      gpus: { ids: ['0', '2'] },
      ports: [{ container: 8888 }, { container: 6006, host: 16006 }],
      mounts: [{ source: '/proj', target: '/workspace' }, { source: '/data', target: '/data', readOnly: true }],
      command: ['sleep', '300'],
    });
    assert.match(dockerRunCommand(p), /--gpus '"device=0,2"'/);
  });
});

describe('workspaces view: GPU placement glue', () => {
  it('places counts (typed or not) and ids; none and all are not placed', () => {
    assert.equal(placementRequest('none'), undefined);
    assert.equal(placementRequest('all'), undefined);
    assert.equal(placementRequest(undefined), undefined);
    assert.deepEqual(placementRequest({ count: 2, type: 'A100' }), { count: 2, type: 'A100' });
    assert.deepEqual(placementRequest({ count: 1 }), { count: 1 });
    assert.deepEqual(placementRequest({ ids: ['0', '2'] }), { ids: ['0', '2'] });
  });

  it('says what was asked and why hosts were skipped', () => {
    assert.equal(describePlacementRequest({ count: 2, type: 'A100' }), '2 free A100 GPUs');
    assert.equal(describePlacementRequest({ count: 1 }), '1 free GPU');
    assert.equal(describePlacementRequest({ ids: ['0', '2'] }), 'GPUs 0, 2');
    assert.equal(describeSkipped([{ host: 'a', reason: 'x' }, { host: 'b', reason: 'y' }]), 'a: x; b: y');
  });

  it('tries the hosts of mlops.hosts in the setting order, then this machine; not hosts only in ~/.ssh/config', () => {
    const hosts = [
      { name: 'This machine', kind: 'local' as const },
      { name: 'github.com', kind: 'ssh' as const },
      { name: 'gpu-a', kind: 'ssh' as const },
      { name: 'gpu-b', kind: 'ssh' as const },
    ];
    assert.deepEqual(placementOrder(hosts, [{ name: 'gpu-b' }, { name: 'gpu-a' }, { name: 'gone' }]).map((h) => h.name), ['gpu-b', 'gpu-a', 'This machine']);
    assert.deepEqual(placementOrder(hosts, undefined).map((h) => h.name), ['This machine']);
  });
});
