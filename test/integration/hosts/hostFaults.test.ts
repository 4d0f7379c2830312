import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { knownHostsFile, LocalHostConnection, SshHostConnection, type ConnectionState } from '../../../src/core/hosts/hostConnection';
import { checkHost } from '../../../src/core/hosts/hostStatus';
import { containerCreateOptions } from '../../../src/core/hosts/workspaceSpec';
import { listWorkspaces } from '../../../src/core/hosts/workspaces';
import { requireComponent, requireOrSkip, testLabels, waitFor, type DockerComponent, type SshComponent } from '../harness';

// Faults on components of our own: the shared sshd and engine stay up for everyone else.
// A private sshd (as scripts/components/up.sh starts its own) is killed and restarted;
// the engine is reached through a unix socket we control, which can stop answering.
const OWNER = 'mlops.test.owner';
const owner = { ...testLabels, [OWNER]: `faults-${process.pid}-${randomBytes(4).toString('hex')}` };

type EngineMode = 'up' | 'hangup' | 'silent' | 'gone';

/** A unix socket in front of the real engine: passes through, hangs up, never answers, or is gone. */
class EngineSwitch {
  mode: EngineMode = 'up';
  private server: net.Server | undefined;
  private readonly open = new Set<net.Socket>();
  constructor(
    readonly socketPath: string,
    private readonly engine: string,
  ) {}

  async set(mode: EngineMode): Promise<void> {
    this.mode = mode;
    for (const s of this.open) s.destroy();
    if (mode === 'gone') {
      await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
      this.server = undefined;
      if (existsSync(this.socketPath)) unlinkSync(this.socketPath);
      return;
    }
    if (this.server) return;
    this.server = net.createServer((s) => {
      this.open.add(s);
      s.on('close', () => this.open.delete(s));
      s.on('error', () => undefined);
      if (this.mode === 'hangup') return void s.destroy();
      if (this.mode === 'silent') return;
      const up = net.connect(this.engine);
      up.on('error', () => s.destroy());
      s.pipe(up).pipe(s);
    });
    await new Promise<void>((r) => this.server!.listen(this.socketPath, r));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Every process below `pid` (sshd's per-connection children), read from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => parent.forEach((pp, c) => pp === p && (out.push(c), walk(c)));
  walk(pid);
  return out;
}

/** Our own sshd: own port, host key and state dir; its DOCKER_HOST is the switch's socket. */
class PrivateSshd {
  private proc: ChildProcess | undefined;
  readonly config: string;
  constructor(
    private readonly dir: string,
    readonly port: number,
    userKeyPub: string,
    dockerHost: string,
  ) {
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mlops-faults', '-f', path.join(dir, 'hostkey')]);
    copyFileSync(userKeyPub, path.join(dir, 'authorized_keys'));
    this.config = path.join(dir, 'sshd_config');
    writeFileSync(
      this.config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${dir}/hostkey`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'StrictModes no',
        `PidFile ${dir}/sshd.pid`,
        'AllowTcpForwarding yes',
        `SetEnv DOCKER_HOST=${dockerHost}`,
      ].join('\n') + '\n',
    );
    writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(path.join(dir, 'hostkey.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  }

  get knownHosts(): string {
    return path.join(this.dir, 'known_hosts');
  }

  async start(): Promise<void> {
    this.proc = spawn('/usr/sbin/sshd', ['-D', '-f', this.config, '-E', path.join(this.dir, 'sshd.log')], { stdio: 'ignore', detached: true });
    const port = this.port;
    await waitFor(
      () => new Promise<boolean>((r) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); r(true); }).once('error', () => r(false))),
      10000,
      `the private sshd on ${port}`,
    );
  }

  /** Like a host going away: the listener and every session die at once. */
  kill(): void {
    const pid = this.proc?.pid;
    if (!pid) return;
    for (const p of [pid, ...descendants(pid)]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.proc = undefined;
  }
}

describe('hosts: faults — a dropped SSH host and a Docker engine that stops answering', function () {
  this.timeout(90000);
  let dockerC: DockerComponent;
  let ssh: SshComponent;
  let dir: string;
  let engine: EngineSwitch;
  let sshd: PrivateSshd;
  let local: LocalHostConnection;
  let conn: SshHostConnection | undefined;

  before(async function () {
    dockerC = requireComponent(this, 'docker');
    ssh = requireComponent(this, 'ssh');
    requireOrSkip(this, process.getuid?.() === 0 && existsSync('/usr/sbin/sshd') ? undefined : 'a private sshd needs root and /usr/sbin/sshd');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-faults-'));
    engine = new EngineSwitch(path.join(dir, 'engine.sock'), dockerC.socketPath);
    await engine.set('up');
    sshd = new PrivateSshd(dir, await freePort(), `${ssh.privateKeyPath}.pub`, `unix://${engine.socketPath}`);
    await sshd.start();
    local = new LocalHostConnection({ endpoint: { socketPath: engine.socketPath }, callTimeoutMs: 1500 });
  });

  after(async () => {
    conn?.dispose();
    sshd?.kill();
    const docker = new LocalHostConnection({ endpoint: { socketPath: dockerC.socketPath } }).docker();
    const left = await docker.listContainers({ all: true, filters: { label: [`${OWNER}=${owner[OWNER]}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    await engine?.set('gone');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // A failed test must not leave the engine switched off for the next.
  afterEach(async () => {
    if (engine.mode !== 'up') await engine.set('up');
  });

  const sshConn = () =>
    new SshHostConnection({
      host: '127.0.0.1',
      port: sshd.port,
      username: ssh.username,
      privateKey: readFileSync(ssh.privateKeyPath),
      hostKeys: knownHostsFile(sshd.knownHosts, async () => false),
      connectTimeoutMs: 2000,
      callTimeoutMs: 3000,
      keepaliveIntervalMs: 500,
      reconnectDelayMs: 200,
    });

  it('local: an engine that hangs up, never answers, or is gone is reported in words within the timeout; refresh recovers', async () => {
    assert.deepEqual(await checkHost(local, 'this machine'), { status: 'connected' });
    const expect: Record<Exclude<EngineMode, 'up'>, RegExp> = {
      hangup: /closed the connection without answering/,
      silent: /did not answer in time/,
      gone: /is not running \(nothing answers on its socket\)/,
    };
    for (const mode of ['hangup', 'silent', 'gone'] as const) {
      await engine.set(mode);
      const t = Date.now();
      const st = await checkHost(local, 'this machine', { timeoutMs: 2500 });
      assert.ok(Date.now() - t < 4000, `${mode}: took ${Date.now() - t} ms`);
      assert.equal(st.status, 'engine-error', `${mode}: ${JSON.stringify(st)}`);
      assert.match(st.status === 'engine-error' ? st.message : '', expect[mode], `${mode}: ${JSON.stringify(st)}`);
    }
    await engine.set('up');
    assert.deepEqual(await checkHost(local, 'this machine'), { status: 'connected' });
  });

  it('ssh: the engine behind the SSH host going away is "engine down" in words, SSH stays connected, refresh recovers', async () => {
    conn = sshConn();
    assert.deepEqual(await checkHost(conn, 'faults (SSH)'), { status: 'connected' });
    await engine.set('gone');
    const t = Date.now();
    const st = await checkHost(conn, 'faults (SSH)', { timeoutMs: 5000 });
    assert.ok(Date.now() - t < 5000, `took ${Date.now() - t} ms`);
    assert.equal(st.status, 'engine-error', JSON.stringify(st));
    // Which words depends on the race: the remote CLI finds no socket, or its kept stream to
    // the socket breaks ("broken pipe"); both are the engine gone, said so.
    assert.match(st.status === 'engine-error' ? st.message : '', /Docker engine on faults \(SSH\) (is not running|closed the connection without answering)/);
    await engine.set('up');
    assert.deepEqual(await checkHost(conn, 'faults (SSH)'), { status: 'connected' });
    conn.dispose();
    conn = undefined;
  });

  it('ssh: sshd killed mid-log-stream → the stream ends, the host shows disconnected at once, nothing hangs; it recovers on refresh once sshd is back', async () => {
    conn = sshConn();
    const states: Array<ConnectionState & { at: number }> = [];
    conn.onStateChange((s) => states.push({ ...s, at: Date.now() }));
    const docker = conn.docker();
    const c: Docker.Container = await docker.createContainer(
      containerCreateOptions({ image: dockerC.image, ports: [], command: 'trap "exit 0" TERM; while true; do echo tick; sleep 0.2; done' }, owner),
    );
    await c.start();
    const stream = (await conn.docker({ timeoutMs: 0 }).getContainer(c.id).logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    let ticks = 0;
    let ended = 0;
    stream.on('data', () => ticks++);
    stream.on('end', () => (ended ||= Date.now()));
    stream.on('close', () => (ended ||= Date.now()));
    stream.on('error', () => (ended ||= Date.now()));
    await waitFor(() => ticks >= 3, 10000, 'log lines');
    assert.deepEqual(states.map((s) => s.status), ['connected']);

    const killedAt = Date.now();
    sshd.kill();
    await waitFor(() => ended > 0, 5000, 'the log stream to end');
    await waitFor(() => states.some((s) => s.status === 'disconnected'), 5000, 'a disconnected state');
    const drop = states.find((s) => s.status === 'disconnected')!;
    assert.ok(drop.at - killedAt < 3000, `disconnected after ${drop.at - killedAt} ms`);
    // While sshd is down: every call fails fast, in words, and the host status says so.
    let t = Date.now();
    const st = await checkHost(conn, 'faults (SSH)', { timeoutMs: 5000 });
    assert.equal(st.status, 'disconnected', JSON.stringify(st));
    assert.match(st.status === 'disconnected' ? st.message : '', /ECONNREFUSED|refused/i);
    await assert.rejects(listWorkspaces(docker));
    await assert.rejects(conn.exec(['true'], { reuseShell: true }));
    assert.ok(Date.now() - t < 8000, `calls while down took ${Date.now() - t} ms`);

    await sshd.start();
    t = Date.now();
    assert.deepEqual(await checkHost(conn, 'faults (SSH)'), { status: 'connected' });
    assert.ok(Date.now() - t < 5000);
    assert.ok((await listWorkspaces(docker, { [OWNER]: owner[OWNER] })).some((w) => w.id === c.id));
    assert.equal((await conn.exec(['echo', 'back'], { reuseShell: true })).stdout, 'back\n');
    assert.equal(states.at(-1)?.status, 'connected');
  });

  it('ssh: after a drop the connection comes back by itself (backoff), without a refresh', async () => {
    conn ??= sshConn();
    await conn.exec(['true']);
    const states: ConnectionState[] = [];
    conn.onStateChange((s) => states.push(s));
    sshd.kill();
    await waitFor(() => states.some((s) => s.status === 'disconnected'), 5000, 'a disconnected state');
    const retries = () => states.filter((s) => s.status === 'disconnected').map((s) => (s.status === 'disconnected' ? s.retryInMs : 0));
    await waitFor(() => retries().length >= 3, 10000, 'three failed retries');
    const r = retries();
    assert.ok(r[1]! > r[0]! && r[2]! > r[1]!, `backoff grows: ${r.join(', ')}`);
    await sshd.start();
    await waitFor(() => states.at(-1)?.status === 'connected', 15000, 'the background reconnect');
  });
});
