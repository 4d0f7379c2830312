import { strict as assert } from 'node:assert';
import { existsSync, rmSync } from 'node:fs';
import { expandPath, hostsFromSshConfig, mergeHosts, parseJumpSpec } from '../../../src/core/hosts/sshConfig';

const ctx = { homeDir: '/home/ada', localUser: 'ada' };

const CONFIG = `
Host gpu-a100 gpu-spare
  HostName 10.0.0.5
  User alice
  Port 2200
  IdentityFile ~/.ssh/id_gpu
  IdentityFile %d/.ssh/id_%h
  IdentitiesOnly yes
  ProxyJump bastion

Host bastion
  HostName bastion.example.com
  User jump
  IdentityFile ~/.ssh/id_bastion

Host two-hops
  HostName 192.168.1.9
  ProxyJump ops@edge.example.com:2022,bastion

Host *.internal !secret.internal
  User internal

Match exec "touch /tmp/mlops-ssh-config-must-not-run"
  User pwned

Host *
  User fallback
  ServerAliveInterval 30
`;

describe('sshConfig', () => {
  it('lists concrete Host aliases with HostName, User, Port, IdentityFile (~ and %d/%h expanded), IdentitiesOnly and ProxyJump', () => {
    rmSync('/tmp/mlops-ssh-config-must-not-run', { force: true });
    const hosts = hostsFromSshConfig(CONFIG, ctx);
    assert.deepEqual(hosts.map((h) => h.name), ['gpu-a100', 'gpu-spare', 'bastion', 'two-hops']);
    const gpu = hosts[0];
    assert.deepEqual(gpu, {
      name: 'gpu-a100',
      hostName: '10.0.0.5',
      port: 2200,
      user: 'alice',
      identityFiles: ['/home/ada/.ssh/id_gpu', '/home/ada/.ssh/id_10.0.0.5'],
      identitiesOnly: true,
      proxyJump: [{ alias: 'bastion', hostName: 'bastion.example.com', port: 22, user: 'jump', identityFiles: ['/home/ada/.ssh/id_bastion'] }],
      source: 'ssh-config',
    });
    // `Match exec` is data, never run.
    assert.equal(existsSync('/tmp/mlops-ssh-config-must-not-run'), false);
  });

  it('applies Host * defaults after the specific blocks, as OpenSSH does (first value wins)', () => {
    const [, , bastion, twoHops] = hostsFromSshConfig(CONFIG, ctx);
    assert.equal(bastion.user, 'jump');
    assert.equal(twoHops.user, 'fallback');
    assert.equal(twoHops.port, 22);
    assert.equal(twoHops.identitiesOnly, false);
  });

  it('resolves several ProxyJump hops in order, each through the config', () => {
    const twoHops = hostsFromSshConfig(CONFIG, ctx)[3];
    assert.deepEqual(twoHops.proxyJump, [
      { alias: 'edge.example.com', hostName: 'edge.example.com', port: 2022, user: 'ops', identityFiles: [] },
      { alias: 'bastion', hostName: 'bastion.example.com', port: 22, user: 'jump', identityFiles: ['/home/ada/.ssh/id_bastion'] },
    ]);
  });

  it('treats ProxyJump none as no jump, and a jump host\'s own ProxyJump as an earlier hop', () => {
    const text = 'Host a\n  ProxyJump none\nHost b\n  ProxyJump c\nHost c\n  HostName c.example\n  ProxyJump d\n';
    const [a, b] = hostsFromSshConfig(text, ctx);
    assert.deepEqual(a.proxyJump, []);
    assert.deepEqual(b.proxyJump.map((h) => h.alias), ['d', 'c']);
  });

  it('parses jump specs with user, port and IPv6', () => {
    assert.deepEqual(parseJumpSpec('ops@edge:2022'), { host: 'edge', user: 'ops', port: 2022 });
    assert.deepEqual(parseJumpSpec('ssh://[fe80::1]:22'), { host: 'fe80::1', port: 22 });
    assert.deepEqual(parseJumpSpec('plain'), { host: 'plain' });
  });

  it('expands ~ and tokens only where they stand', () => {
    assert.equal(expandPath('~', ctx, { hostName: 'h' }), '/home/ada');
    assert.equal(expandPath('~/k', ctx, { hostName: 'h' }), '/home/ada/k');
    assert.equal(expandPath('/keys/%r@%h_100%%', ctx, { hostName: 'h', user: 'bob' }), '/keys/bob@h_100%');
    assert.equal(expandPath('/a~b', ctx, { hostName: 'h' }), '/a~b');
  });

  it('merges setting hosts first; a setting wins over a config Host of the same name; its ProxyJump may name config aliases', () => {
    const hosts = mergeHosts(CONFIG, [
      { name: 'gpu-a100', host: 'a100.example.com', user: 'me', identityFile: '~/.ssh/other' },
      { name: 'lab', host: 'lab.example.com', port: 2201, proxyJump: 'bastion' },
      { name: '  ' },
    ], ctx);
    assert.deepEqual(hosts.map((h) => `${h.name}:${h.source}`), ['gpu-a100:settings', 'lab:settings', 'gpu-spare:ssh-config', 'bastion:ssh-config', 'two-hops:ssh-config']);
    assert.equal(hosts[0].hostName, 'a100.example.com');
    assert.deepEqual(hosts[0].identityFiles, ['/home/ada/.ssh/other']);
    assert.equal(hosts[1].port, 2201);
    assert.equal(hosts[1].proxyJump[0].hostName, 'bastion.example.com');
  });

  it('works without a config file and with an empty one', () => {
    assert.deepEqual(mergeHosts(undefined, [{ name: 'x' }], ctx).map((h) => [h.name, h.hostName, h.port]), [['x', 'x', 22]]);
    assert.deepEqual(hostsFromSshConfig('', ctx), []);
  });
});
