import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import {
  containerCreateOptions,
  dockerRunArgv,
  dockerRunCommand,
  ProfileError,
  type LaunchProfile,
} from '../../../src/core/hosts/workspaceSpec';
import { shellJoin, shellQuote } from '../../../src/core/hosts/shellQuote';

const full: LaunchProfile = {
  name: 'train a100',
  image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
  gpus: { ids: ['0', '2'] },
  cpus: 7.5,
  memoryMb: 32768,
  shmMb: 8192,
  mounts: [{ source: '/home/ada/proj', target: '/workspace' }, { source: '/data', target: '/data', readOnly: true }],
  env: { WANDB_MODE: 'offline', MSG: "it's fine" },
  ports: [8888, { container: 6006, host: 16006 }],
  command: 'jupyter lab --ip 0.0.0.0 --allow-root',
};

describe('workspaceSpec', () => {
  it('maps a full profile to createContainer options', () => {
    assert.deepEqual(containerCreateOptions(full, { 'mlops.test': '1' }), {
      name: 'train-a100',
      Image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
      Cmd: ['sh', '-c', 'jupyter lab --ip 0.0.0.0 --allow-root'],
      Env: ['WANDB_MODE=offline', "MSG=it's fine"],
      Labels: { 'mlops.test': '1', 'mlops.workspace': '1', 'mlops.profile': 'train a100', 'mlops.gpus': 'device=0,2' },
      ExposedPorts: { '8888/tcp': {}, '6006/tcp': {} },
      HostConfig: {
        Binds: ['/home/ada/proj:/workspace', '/data:/data:ro'],
        PortBindings: { '8888/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }], '6006/tcp': [{ HostIp: '127.0.0.1', HostPort: '16006' }] },
        DeviceRequests: [{ Driver: '', Count: 0, DeviceIDs: ['0', '2'], Capabilities: [['gpu']] }],
        NanoCpus: 7_500_000_000,
        Memory: 32768 * 1024 * 1024,
        ShmSize: 8192 * 1024 * 1024,
      },
    });
  });

  it('requests GPUs as Docker DeviceRequests: all, a count, none', () => {
    const dr = (gpus: LaunchProfile['gpus']) => containerCreateOptions({ image: 'i', gpus }).HostConfig!.DeviceRequests;
    assert.deepEqual(dr('all'), [{ Driver: '', Count: -1, Capabilities: [['gpu']] }]);
    assert.deepEqual(dr({ count: 2 }), [{ Driver: '', Count: 2, Capabilities: [['gpu']] }]);
    assert.deepEqual(dr('none'), []);
    assert.deepEqual(dr(undefined), []);
  });

  it('placed GPUs go to Docker as DeviceIDs (and the label says which); a typed count never reaches Docker unplaced', () => {
    const o = containerCreateOptions({ image: 'i', gpus: { ids: ['0', '2'] } });
    assert.deepEqual(o.HostConfig!.DeviceRequests, [{ Driver: '', Count: 0, DeviceIDs: ['0', '2'], Capabilities: [['gpu']] }]);
    assert.equal(o.Labels!['mlops.gpus'], 'device=0,2');
    assert.throws(() => containerCreateOptions({ image: 'i', gpus: { count: 2, type: 'A100' } }), /chosen by placement/);
  });

  it('publishes Jupyter and TensorBoard on 127.0.0.1 by default, nothing when ports is empty', () => {
    const o = containerCreateOptions({ image: 'i' });
    assert.deepEqual(Object.keys(o.ExposedPorts!), ['8888/tcp', '6006/tcp']);
    assert.ok(Object.values(o.HostConfig!.PortBindings as Record<string, Array<{ HostIp: string }>>).every((b) => b[0].HostIp === '127.0.0.1'));
    assert.deepEqual(containerCreateOptions({ image: 'i', ports: [] }).ExposedPorts, {});
    assert.equal(containerCreateOptions({ image: 'i' }).Cmd, undefined);
  });

  it('our label cannot be overridden by extra labels', () => {
    assert.equal(containerCreateOptions({ image: 'i' }, { 'mlops.workspace': '0' }).Labels!['mlops.workspace'], '1');
  });

  it('refuses profiles Docker would refuse, with a reason', () => {
    assert.throws(() => containerCreateOptions({ image: ' ' }), ProfileError);
    assert.throws(() => containerCreateOptions({ image: 'i', gpus: { count: 0 } }), /positive whole number/);
    assert.throws(() => containerCreateOptions({ image: 'i', gpus: { ids: ['0;rm'] } }), /indexes or UUIDs/);
    assert.throws(() => containerCreateOptions({ image: 'i', ports: [70000] }), /not a TCP port/);
    assert.throws(() => containerCreateOptions({ image: 'i', memoryMb: 1 }), /at least 6 MB/);
    assert.throws(() => containerCreateOptions({ image: 'i', mounts: [{ source: '/a', target: 'rel' }] }), /absolute path/);
    assert.throws(() => containerCreateOptions({ image: 'i', name: '///' }), /container name/);
  });

  it('builds the equivalent docker run argv', () => {
    assert.deepEqual(dockerRunArgv(full), [
      'docker', 'run', '-d', '--name', 'train-a100',
      '--label', 'mlops.workspace=1', '--label', 'mlops.profile=train a100', '--label', 'mlops.gpus=device=0,2',
      '--gpus', '"device=0,2"', '--cpus', '7.5', '--memory', `${32768 * 1024 * 1024}b`, '--shm-size', `${8192 * 1024 * 1024}b`,
      '-v', '/home/ada/proj:/workspace', '-v', '/data:/data:ro',
      '-e', 'WANDB_MODE=offline', '-e', "MSG=it's fine",
      '-p', '127.0.0.1::8888', '-p', '127.0.0.1:16006:6006',
      'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', 'sh', '-c', 'jupyter lab --ip 0.0.0.0 --allow-root',
    ]);
    assert.deepEqual(dockerRunArgv({ image: 'i', gpus: 'all', ports: [] }), ['docker', 'run', '-d', '--label', 'mlops.workspace=1', '--label', 'mlops.gpus=all', '--gpus', 'all', 'i']);
  });

  it('quotes the docker run command so a POSIX shell gives back the same argv', () => {
    const cmd = dockerRunCommand(full);
    assert.match(cmd, /^docker run -d --name train-a100 --label mlops\.workspace=1 --label 'mlops\.profile=train a100'/);
    // sh itself splits the string: the words must be the argv exactly.
    const words = execFileSync('sh', ['-c', `for a in ${cmd.replace(/^docker /, '')}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' }).split('\0').slice(0, -1);
    assert.deepEqual(['docker', ...words], dockerRunArgv(full));
  });

  it('quotes shell words safely', () => {
    assert.equal(shellQuote('plain-word_1.0/x:y'), 'plain-word_1.0/x:y');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
    assert.equal(shellJoin(['echo', '$HOME', '`x`', 'a b']), `echo '$HOME' '\`x\`' 'a b'`);
  });
});
