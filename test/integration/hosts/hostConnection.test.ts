import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { describeEngineError } from '../../../src/core/hosts/engineErrors';
import {
  HostKeyError,
  HostTimeoutError,
  knownHostsFile,
  LocalHostConnection,
  SshHostConnection,
  type HostConnection,
  type HostKeyStore,
  type UnknownHostKey,
} from '../../../src/core/hosts/hostConnection';
import { containerCreateOptions, WORKSPACE_LABEL } from '../../../src/core/hosts/workspaceSpec';
import { listWorkspaces, probeGpus } from '../../../src/core/hosts/workspaces';
import { demuxDockerLogs, requireComponent, testLabels, type DockerComponent, type SshComponent } from '../harness';

// Others run tests against the same engine: every container here carries this run's own
// label, and cleanup removes only those.
const OWNER = 'mlops.test.owner';
const owner = { ...testLabels, [OWNER]: `hosts-${process.pid}-${randomBytes(4).toString('hex')}` };

async function removeOurs(docker: Docker): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [`${OWNER}=${owner[OWNER]}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}

function sshTo(ssh: SshComponent, hostKeys: HostKeyStore, extra: Partial<ConstructorParameters<typeof SshHostConnection>[0]> = {}): SshHostConnection {
  return new SshHostConnection({ host: ssh.host, port: ssh.port, username: ssh.username, privateKey: readFileSync(ssh.privateKeyPath), hostKeys, ...extra });
}

const neverAsk = async (k: UnknownHostKey): Promise<boolean> => {
  throw new Error(`unexpected host key question for ${k.host}:${k.port}`);
};

/** A busybox workspace of this run; `ours: false` leaves our workspace label off. */
async function launch(docker: Docker, image: string, cmd: string[], ours = true): Promise<Docker.Container> {
  const opts = containerCreateOptions({ image, ports: [], command: cmd, name: `ws-${owner[OWNER]}-${randomBytes(3).toString('hex')}` }, owner);
  if (!ours) delete opts.Labels![WORKSPACE_LABEL];
  return docker.createContainer(opts);
}

function workspaceContract(label: string, connect: () => HostConnection, image: () => string): void {
  it(`${label}: launches a labelled workspace, lists it, reads its logs, removes it`, async () => {
    const docker = connect().docker();
    const c = await launch(docker, image(), ['sh', '-c', 'echo hello-from-workspace; echo warn >&2']);
    await c.start();
    await c.wait();
    const listed = await listWorkspaces(docker, { [OWNER]: owner[OWNER] });
    assert.deepEqual(listed.map((w) => w.id), [c.id]);
    assert.equal(listed[0].image, image());
    assert.equal(listed[0].gpus, 'none');
    assert.equal(listed[0].state, 'exited');
    const raw = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    assert.deepEqual(demuxDockerLogs(raw), { stdout: 'hello-from-workspace\n', stderr: 'warn\n' });
    await c.remove({ force: true });
    assert.deepEqual(await listWorkspaces(docker, { [OWNER]: owner[OWNER] }), []);
  });

  it(`${label}: never lists a container without our label`, async () => {
    const docker = connect().docker();
    const theirs = await launch(docker, image(), ['true'], false);
    const ours = await launch(docker, image(), ['true']);
    const all = await listWorkspaces(docker);
    assert.ok(all.some((w) => w.id === ours.id));
    assert.ok(!all.some((w) => w.id === theirs.id), 'a container without mlops.workspace=1 was listed');
    assert.ok(all.every((w) => w.labels[WORKSPACE_LABEL] === '1'));
    await Promise.all([theirs.remove({ force: true }), ours.remove({ force: true })]);
  });

  it(`${label}: reports the real engine errors in words (GPU request without the NVIDIA runtime, missing image)`, async () => {
    const docker = connect().docker();
    const gpu = await docker.createContainer(containerCreateOptions({ image: image(), gpus: 'all', ports: [], command: ['true'] }, owner));
    const err = await gpu.start().then(() => undefined, (e: unknown) => e);
    await gpu.remove({ force: true });
    assert.ok(err, 'a GPU request started on an engine without the NVIDIA runtime');
    assert.equal(describeEngineError(err).kind, 'no-gpu-runtime');
    const missing = await docker.createContainer(containerCreateOptions({ image: 'local/not-built-here:0', ports: [] }, owner)).then(() => undefined, (e: unknown) => e);
    const p = describeEngineError(missing);
    assert.equal(p.kind, 'image-missing', p.detail);
  });

  it(`${label}: a host without nvidia-smi has "no NVIDIA GPU", not an error`, async () => {
    const r = await probeGpus(connect());
    assert.equal(r.kind, 'none', JSON.stringify(r));
    assert.equal(r.kind === 'none' && r.reason, 'no NVIDIA GPU');
  });
}

describe('hosts: HostConnection against the real engine and sshd', function () {
  this.timeout(120000);
  let dockerC: DockerComponent;
  let local: LocalHostConnection | undefined;

  before(function () {
    dockerC = requireComponent(this, 'docker');
    local = new LocalHostConnection({ endpoint: { socketPath: dockerC.socketPath }, callTimeoutMs: 30000 });
  });
  after(async () => {
    if (local) await removeOurs(local.docker());
  });

  describe('local socket', () => {
    workspaceContract('local', () => local!, () => dockerC.image);

    it('local: an engine that is down fails at once, in words', async () => {
      const down = new LocalHostConnection({ endpoint: { socketPath: '/tmp/mlops-test/no-such-engine.sock' } });
      const err = await down.docker().listContainers().then(() => undefined, (e: unknown) => e);
      assert.equal(describeEngineError(err).kind, 'engine-down');
    });
  });

  describe('over one reused SSH connection', function () {
    let ssh: SshComponent;
    let conn: SshHostConnection | undefined;
    let handshakes = 0;
    const tmp = mkdtempSync(path.join(tmpdir(), 'mlops-hosts-'));

    before(function () {
      ssh = requireComponent(this, 'ssh');
      const store = knownHostsFile(ssh.knownHostsPath, neverAsk);
      // known_hosts is read once per handshake: counting reads counts handshakes.
      conn = sshTo(ssh, { ...store, read: () => (handshakes++, store.read()) });
    });
    after(() => {
      conn?.dispose();
      rmSync(tmp, { recursive: true, force: true });
    });

    workspaceContract('ssh', () => conn!, () => dockerC.image);

    it('ssh: every call above, and 10 more refreshes, rode on one SSH handshake', async () => {
      for (let i = 0; i < 10; i++) await Promise.all([listWorkspaces(conn!.docker()), probeGpus(conn!)]);
      assert.equal(handshakes, 1);
    });

    it('ssh: exec has a timeout, and the connection survives it', async () => {
      const t = Date.now();
      await assert.rejects(conn!.exec(['sleep', '5'], { timeoutMs: 300 }), HostTimeoutError);
      assert.ok(Date.now() - t < 2000);
      assert.deepEqual(await conn!.exec(['echo', "it's $HOME"]), { code: 0, stdout: "it's $HOME\n", stderr: '' });
    });

    it('ssh: short probes share one long-lived shell: streams split, statuses kept, a timeout replaces the shell', async () => {
      const before = handshakes;
      const out = await conn!.exec(['sh', '-c', 'printf out; printf err >&2; exit 7'], { reuseShell: true });
      assert.deepEqual(out, { code: 7, stdout: 'out', stderr: 'err' });
      // An exit or cd inside a command leaves the shared shell where it was.
      await conn!.exec(['sh', '-c', 'cd /tmp'], { reuseShell: true });
      const pwd = await conn!.exec(['pwd'], { reuseShell: true });
      assert.equal(pwd.code, 0);
      assert.notEqual(pwd.stdout, '/tmp\n');
      const many = await Promise.all([1, 2, 3, 4, 5].map((i) => conn!.exec(['echo', `n${i}`], { reuseShell: true })));
      assert.deepEqual(many.map((m) => m.stdout), ['n1\n', 'n2\n', 'n3\n', 'n4\n', 'n5\n']);
      assert.equal((await conn!.exec(['no-such-command-here'], { reuseShell: true })).code, 127);
      await assert.rejects(conn!.exec(['sleep', '5'], { reuseShell: true, timeoutMs: 300 }), HostTimeoutError);
      assert.deepEqual(await conn!.exec(['echo', 'again'], { reuseShell: true }), { code: 0, stdout: 'again\n', stderr: '' });
      assert.equal(handshakes, before, 'the shared shell rode on the same SSH connection');
    });

    it('ssh: an unknown host key shows its SHA256 fingerprint; refused → no connection; trusted → appended and known next time', async () => {
      const file = path.join(tmp, 'known_hosts_unknown');
      writeFileSync(file, '');
      const asked: UnknownHostKey[] = [];
      const refuse = sshTo(ssh, knownHostsFile(file, async (k) => (asked.push(k), false)));
      await assert.rejects(refuse.exec(['true']), (e: unknown) => e instanceof HostKeyError && /not trusted/.test(e.message));
      refuse.dispose();
      assert.equal(asked[0].fingerprint, ssh.hostKeyFingerprint);
      assert.equal(asked[0].keyType, 'ssh-ed25519');
      const trust = sshTo(ssh, knownHostsFile(file, async () => true, { hashed: true }));
      assert.equal((await trust.exec(['echo', 'ok'])).stdout, 'ok\n');
      trust.dispose();
      assert.match(readFileSync(file, 'utf8'), /^\|1\|\S+ ssh-ed25519 \S+\n$/);
      const again = sshTo(ssh, knownHostsFile(file, neverAsk));
      assert.equal((await again.exec(['echo', 'ok'])).stdout, 'ok\n');
      again.dispose();
    });

    it('ssh: a server presenting another key for a known host:port is refused, without asking', async function () {
      const alt = requireComponent(this, 'sshAlt');
      // known_hosts lists the first server's key under the second one's host:port.
      const file = path.join(tmp, 'known_hosts_mismatch');
      const firstKey = readFileSync(ssh.knownHostsPath, 'utf8').split('\n').find((l) => l.startsWith(`[${ssh.host}]:${ssh.port} `))!;
      writeFileSync(file, `${firstKey.replace(`[${ssh.host}]:${ssh.port}`, `[${alt.host}]:${alt.port}`)}\n`);
      const wrong = sshTo(alt, knownHostsFile(file, neverAsk));
      await assert.rejects(wrong.exec(['true']), (e: unknown) => {
        assert.ok(e instanceof HostKeyError, String(e));
        assert.equal(e.verdict.status, 'mismatch');
        assert.match(e.message, /has changed \(now SHA256:/);
        assert.ok(e.message.includes(alt.hostKeyFingerprint));
        return true;
      });
      wrong.dispose();
    });

    it('ssh: reaches the target through a ProxyJump hop', async () => {
      const hop = { host: ssh.host, port: ssh.port, username: ssh.username, privateKey: readFileSync(ssh.privateKeyPath) };
      const jumped = sshTo(ssh, knownHostsFile(ssh.knownHostsPath, neverAsk), { jumps: [hop] });
      // Through the hop, sshd sees the connection come from 127.0.0.1 as a forwarded channel.
      const out = await jumped.exec(['sh', '-c', 'echo "$SSH_CLIENT"']);
      assert.match(out.stdout, new RegExp(`^127\\.0\\.0\\.1 \\d+ ${ssh.port}\\n$`));
      assert.equal((await listWorkspaces(jumped.docker(), { [OWNER]: 'none' })).length, 0);
      jumped.dispose();
    });

    it('ssh: a host that accepts TCP but never answers fails within the timeout, for exec and Docker', async () => {
      const sockets: net.Socket[] = [];
      const silent = net.createServer((s) => sockets.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as net.AddressInfo).port;
      const dead = sshTo({ ...ssh, port }, knownHostsFile(ssh.knownHostsPath, neverAsk), { connectTimeoutMs: 1000, callTimeoutMs: 1500 });
      try {
        const t = Date.now();
        await assert.rejects(dead.exec(['true']), /Timed out|timeout|did not answer/i);
        await assert.rejects(dead.docker().listContainers(), /Timed out|timeout|did not answer/i);
        assert.ok(Date.now() - t < 6000, `took ${Date.now() - t} ms`);
      } finally {
        dead.dispose();
        sockets.forEach((s) => s.destroy());
        silent.close();
      }
    });
  });
});
