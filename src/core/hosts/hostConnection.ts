// One connection per Docker host, reused by every view and command. Over SSH that is ONE
// ssh2 client: commands run as exec channels and Docker's HTTP requests go over
// `docker system dial-stdio` channels of that same client, so a refresh pays no SSH
// handshake. Every remote call has a deadline, so a dead host fails instead of hanging.
import { execFile } from 'node:child_process';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import * as http from 'node:http';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm, type SFTPWrapper } from 'ssh2';
import { HostTimeoutError, withTimeout } from './deadline';
import type { ExecOutcome } from './gpuProbe';
import { knownHostsLine, knownKeyTypes, mismatchMessage, parseKnownHosts, verifyHostKey, type HostKeyVerdict } from './knownHosts';
import { RemoteShell } from './remoteShell';
import { shellJoin } from './shellQuote';

export { HostTimeoutError, withTimeout };

/** The server's host key was refused (changed, revoked, or not trusted by the user). */
export class HostKeyError extends Error {
  constructor(
    message: string,
    readonly verdict: HostKeyVerdict,
  ) {
    super(message);
  }
}

export interface UnknownHostKey {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** Key types known_hosts already lists for this host (OpenSSH mentions them too). */
  otherKeyTypes: string[];
}

/** Where host keys are checked; the caller decides how to ask the user. */
export interface HostKeyStore {
  read(): Promise<string>;
  /** Resolve true to trust the key; the store then records `line`. */
  confirmUnknown(key: UnknownHostKey): Promise<boolean>;
  remember(line: string): Promise<void>;
  /** For messages: "~/.ssh/known_hosts". */
  label: string;
  /** Record new keys hashed, like HashKnownHosts yes. */
  hashed?: boolean;
}

/** A known_hosts file; `ask` decides about unknown keys (a QuickPick in the extension). */
export function knownHostsFile(path: string, ask: (key: UnknownHostKey) => Promise<boolean>, opts: { hashed?: boolean } = {}): HostKeyStore {
  return {
    label: path,
    hashed: opts.hashed === true,
    read: () => readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e))),
    confirmUnknown: ask,
    async remember(line) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const before = await readFile(path, 'utf8').catch(() => '');
      await appendFile(path, `${before && !before.endsWith('\n') ? '\n' : ''}${line}\n`, { mode: 0o600 });
    },
  };
}

export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
  privateKey?: Buffer | string;
  passphrase?: string;
  password?: string;
  /** SSH_AUTH_SOCK; left out when IdentitiesOnly and a key is given. */
  agent?: string;
}

export interface SshConnectionOptions extends SshEndpoint {
  /** Hops before the target, first is dialled first (ProxyJump). */
  jumps?: SshEndpoint[];
  hostKeys: HostKeyStore;
  /** Also for each hop. Default 15 s. */
  connectTimeoutMs?: number;
  /** Default for exec and Docker calls. Default 20 s. */
  callTimeoutMs?: number;
  /** A silent peer is declared dead after interval × 3. Default 5 s. */
  keepaliveIntervalMs?: number;
  /** First wait before reconnecting after a drop; doubles per failed try up to 30 s. Default 1 s. */
  reconnectDelayMs?: number;
}

export type ConnectionState = { status: 'connected' } | { status: 'disconnected'; reason: string; retryInMs?: number };

export interface ExecOptions {
  timeoutMs?: number;
  /**
   * Run on the connection's long-lived shell instead of a new exec channel: for short
   * probes run on every refresh. Commands there run one at a time and read no stdin.
   */
  reuseShell?: boolean;
}

export interface HostConnection {
  readonly id: string;
  /** Runs an argv (quoted for the remote shell over SSH). */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecOutcome>;
  /** A dockerode client on this host; `timeoutMs: 0` for long streams such as followed logs. */
  docker(opts?: { timeoutMs?: number }): Docker;
  /** A TCP stream to host:port as seen from the Docker host (SSH: a direct-tcpip channel). Absent locally. */
  openTcp?(host: string, port: number): Promise<Duplex>;
  /** Told when the link drops and comes back (SSH); returns an unsubscribe. */
  onStateChange?(listener: (s: ConnectionState) => void): () => void;
  /** A new SFTP session on the host's one connection (SSH only); the caller ends it. */
  sftp?(): Promise<SFTPWrapper>;
  dispose(): void;
}

/** ssh2's own order of host key algorithms; we move the ones known_hosts lists to the front. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

function preferredHostKeys(known: string[]): string[] {
  const want = known.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const first = HOST_KEY_ALGORITHMS.filter((a) => want.includes(a));
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

/**
 * Makes an ssh2 channel pass for the net.Socket that http.Agent and ClientRequest expect
 * (keep-alive, idle timeout, ref/unref), so one dial-stdio channel carries many requests.
 */
function asSocket(channel: ClientChannel): Duplex {
  const s = channel as unknown as Duplex & Record<string, unknown>;
  let timer: NodeJS.Timeout | undefined;
  let idleMs = 0;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = idleMs ? setTimeout(() => s.emit('timeout'), idleMs) : undefined;
  };
  s.setTimeout = (ms: number, cb?: () => void) => {
    idleMs = ms;
    // net.Socket's contract: 0 disarms and drops that callback, so listeners do not pile up.
    if (cb) {
      if (ms) s.once('timeout', cb);
      else s.removeListener('timeout', cb);
    }
    arm();
    return s;
  };
  s.on('data', () => idleMs && arm());
  s.on('close', () => timer && clearTimeout(timer));
  s.setKeepAlive = () => s;
  s.setNoDelay = () => s;
  s.ref = () => s;
  s.unref = () => s;
  return s;
}

export class SshHostConnection implements HostConnection {
  readonly id: string;
  private client: Promise<Client> | undefined;
  private readonly agent: http.Agent;
  private disposed = false;
  private readonly connectTimeoutMs: number;
  private readonly callTimeoutMs: number;
  private shell: Promise<RemoteShell> | undefined;
  private readonly listeners = new Set<(s: ConnectionState) => void>();
  private wasConnected = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SshConnectionOptions) {
    this.id = `ssh://${opts.username}@${opts.host}:${opts.port}`;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 15000;
    this.callTimeoutMs = opts.callTimeoutMs ?? 20000;
    // Few idle dial-stdio channels: each is a docker process on the host and an sshd session.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 6, maxFreeSockets: 1, timeout: 60000 });
    // http.Agent accepts a callback-style createConnection (its typings only show the sync form).
    (agent as unknown as { createConnection: unknown }).createConnection = (_o: unknown, cb: (err: Error | null, s?: Duplex) => void) => {
      this.dialStdio().then(
        (s) => cb(null, s),
        (e: Error) => cb(e),
      );
    };
    this.agent = agent;
  }

  onStateChange(listener: (s: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(s: ConnectionState): void {
    for (const l of [...this.listeners]) l(s);
  }

  /** The one ssh2 client, connected on first use and again after a drop. */
  connect(): Promise<Client> {
    if (this.disposed) return Promise.reject(new Error(`${this.id}: connection was closed`));
    if (!this.client) {
      const p = this.open();
      this.client = p;
      p.then(
        (c) => {
          this.failures = 0;
          this.clearRetry();
          this.wasConnected = true;
          this.emit({ status: 'connected' });
          c.once('close', () => {
            if (this.client !== p) return;
            this.client = undefined;
            this.shell = undefined;
            if (!this.disposed) this.dropped(`${this.id}: the connection dropped`);
          });
        },
        (e: Error) => {
          if (this.client !== p) return;
          this.client = undefined;
          if (this.wasConnected && !this.disposed) this.dropped(e.message);
        },
      );
    }
    return this.client;
  }

  /** Connects now, skipping the wait of a pending reconnect (a user's refresh). */
  reconnectNow(): Promise<Client> {
    this.clearRetry();
    return this.connect();
  }

  /**
   * After a drop, tries again in the background (1 s, 2 s, 4 s … 30 s) so the view recovers
   * by itself once the host is back; any call in between also tries at once.
   */
  private dropped(reason: string): void {
    this.failures++;
    const retryInMs = Math.min((this.opts.reconnectDelayMs ?? 1000) * 2 ** (this.failures - 1), 30000);
    this.emit({ status: 'disconnected', reason, retryInMs });
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().catch(() => undefined);
    }, retryInMs);
    this.retryTimer.unref?.();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private async open(): Promise<Client> {
    const hops = [...(this.opts.jumps ?? []), this.opts];
    let prev: Client | undefined;
    const opened: Client[] = [];
    try {
      for (const hop of hops) {
        const sock = prev ? await this.forward(prev, hop) : undefined;
        prev = await this.handshake(hop, sock);
        opened.push(prev);
      }
    } catch (e) {
      opened.reverse().forEach((c) => c.end());
      throw e;
    }
    // Closing the target closes the hops it rode on.
    prev!.once('close', () => opened.slice(0, -1).forEach((c) => c.end()));
    return prev!;
  }

  private forward(via: Client, to: SshEndpoint): Promise<Duplex> {
    return withTimeout(
      new Promise<Duplex>((resolve, reject) => via.forwardOut('127.0.0.1', 0, to.host, to.port, (err, ch) => (err ? reject(err) : resolve(ch)))),
      this.connectTimeoutMs,
      `jump to ${to.host}:${to.port}`,
    );
  }

  private async handshake(hop: SshEndpoint, sock?: Duplex): Promise<Client> {
    const store = this.opts.hostKeys;
    const entries = parseKnownHosts(await store.read());
    let refusal: HostKeyError | undefined;
    const verifier = (key: Buffer, done: (ok: boolean) => void) => {
      const v = verifyHostKey(entries, hop.host, hop.port, key);
      if (v.status === 'match') return done(true);
      const label = `${hop.host}:${hop.port}`;
      if (v.status === 'mismatch') {
        refusal = new HostKeyError(mismatchMessage(label, v, store.label), v);
        return done(false);
      }
      store
        .confirmUnknown({ host: hop.host, port: hop.port, keyType: v.keyType, fingerprint: v.fingerprint, otherKeyTypes: v.otherKeyTypes })
        .then(async (ok) => {
          if (ok) await store.remember(knownHostsLine(hop.host, hop.port, key, { hashed: store.hashed }));
          else refusal = new HostKeyError(`The host key of ${label} (${v.fingerprint}) was not trusted. Connection cancelled.`, v);
          done(ok);
        })
        .catch((e: Error) => ((refusal = new HostKeyError(`Could not record the host key of ${label}: ${e.message}`, v)), done(false)));
    };
    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.username,
      ...(hop.privateKey ? { privateKey: hop.privateKey } : {}),
      ...(hop.passphrase ? { passphrase: hop.passphrase } : {}),
      ...(hop.password ? { password: hop.password } : {}),
      ...(hop.agent ? { agent: hop.agent } : {}),
      ...(sock ? { sock } : {}),
      readyTimeout: this.connectTimeoutMs,
      keepaliveInterval: this.opts.keepaliveIntervalMs ?? 5000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: preferredHostKeys(knownKeyTypes(entries, hop.host, hop.port)) as ServerHostKeyAlgorithm[] },
      hostVerifier: verifier,
    };
    const client = new Client();
    return new Promise<Client>((resolve, reject) => {
      let settled = false;
      client
        .once('ready', () => ((settled = true), resolve(client)))
        .on('error', (e: Error) => {
          if (settled) return; // after ready: 'close' follows and the next call reconnects
          settled = true;
          reject(refusal ?? new Error(`SSH to ${hop.username}@${hop.host}:${hop.port} failed: ${e.message}`));
        })
        .once('close', () => {
          if (settled) return;
          settled = true;
          reject(refusal ?? new Error(`SSH to ${hop.host}:${hop.port} closed before it was ready`));
        })
        .connect(config);
    });
  }

  private async channel(command: string): Promise<ClientChannel> {
    const client = await this.connect();
    return new Promise((resolve, reject) => client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch))));
  }

  private async dialStdio(): Promise<Duplex> {
    const ch = await withTimeout(this.channel('docker system dial-stdio'), this.callTimeoutMs, `${this.id}: docker system dial-stdio`);
    let stderr = '';
    ch.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    // The remote docker CLI says why it could not reach the engine on stderr, then exits.
    // sshd sends the end of output before the exit status: hold the end back until the
    // status is known, so a request fails with those words rather than "socket hang up".
    const s = ch as unknown as Duplex & { push(chunk: unknown, enc?: BufferEncoding): boolean };
    const push = s.push.bind(s);
    let status: number | null | undefined;
    let heldEnd: NodeJS.Timeout | undefined;
    s.push = (chunk: unknown, enc?: BufferEncoding) => {
      if (chunk !== null || status !== undefined) return push(chunk, enc);
      // No status at all (the channel just closed): end after a moment anyway.
      heldEnd ??= setTimeout(() => push(null), 500);
      return false;
    };
    ch.once('exit', (code: number | null) => {
      status = code;
      const held = heldEnd !== undefined;
      if (heldEnd) clearTimeout(heldEnd);
      if (code) {
        // ssh2's Channel.destroy() drops its argument: emit the error for http to see.
        s.emit('error', new Error(stderr.trim() || `docker system dial-stdio exited with status ${code}`));
        s.destroy();
      }
      else if (held) push(null);
    });
    return asSocket(ch);
  }

  /** A direct-tcpip channel to host:port on the far side (port forwarding). */
  async openTcp(host: string, port: number): Promise<Duplex> {
    const client = await this.connect();
    return withTimeout(
      new Promise<Duplex>((resolve, reject) => client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => (err ? reject(new Error(`${this.id}: cannot reach ${host}:${port} there: ${err.message}`)) : resolve(ch)))),
      this.callTimeoutMs,
      `${this.id}: forward to ${host}:${port}`,
    );
  }

  private remoteShell(): Promise<RemoteShell> {
    if (!this.shell) {
      const p = this.channel('sh').then((ch) => new RemoteShell(ch));
      this.shell = p;
      p.then(
        (sh) => sh.alive || this.shell !== p || (this.shell = undefined),
        () => this.shell === p && (this.shell = undefined),
      );
    }
    return this.shell;
  }

  private execShared(command: string, timeoutMs: number): Promise<ExecOutcome> {
    let shell: RemoteShell | undefined;
    const run = (async () => {
      let sh = await this.remoteShell();
      if (!sh.alive) {
        this.shell = undefined;
        sh = await this.remoteShell();
      }
      shell = sh;
      return sh.run(command);
    })();
    // A command past its deadline keeps the shell busy: close it, the next call opens another.
    return withTimeout(run, timeoutMs, `${this.id}: ${command}`, () => {
      shell?.close();
      this.shell = undefined;
    });
  }

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecOutcome> {
    const command = shellJoin(argv);
    if (opts.reuseShell) return this.execShared(command, opts.timeoutMs ?? this.callTimeoutMs);
    let ch: ClientChannel | undefined;
    const run = this.channel(command).then(
      (c) =>
        new Promise<ExecOutcome>((resolve) => {
          ch = c;
          let stdout = '';
          let stderr = '';
          let code: number | null = null;
          c.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
          c.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
          c.on('exit', (status: number | null) => (code = status));
          c.on('close', () => resolve({ code, stdout, stderr }));
        }),
    );
    return withTimeout(run, opts.timeoutMs ?? this.callTimeoutMs, `${this.id}: ${command}`, () => ch?.close());
  }

  async sftp(): Promise<SFTPWrapper> {
    const client = await this.connect();
    return withTimeout(
      new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s)))),
      this.callTimeoutMs,
      `${this.id}: the SFTP subsystem`,
    );
  }

  docker(opts: { timeoutMs?: number } = {}): Docker {
    // The agent hands http a dial-stdio channel; the socket path is never opened. It is a
    // socket path, not a host name, because VS Code's extension host replaces the agent of
    // any request to a host (http.proxySupport "override") and would resolve that name.
    return new Docker({ socketPath: '/mlops/docker-over-ssh.sock', agent: this.agent, timeout: opts.timeoutMs ?? this.callTimeoutMs } as Docker.DockerOptions);
  }

  dispose(): void {
    this.disposed = true;
    this.clearRetry();
    this.listeners.clear();
    void this.shell?.then((s) => s.close(), () => undefined);
    this.shell = undefined;
    this.agent.destroy();
    void this.client?.then((c) => c.end(), () => undefined);
    this.client = undefined;
  }
}

/** Where local Docker listens: DOCKER_HOST when set, else the default socket. */
export function localDockerEndpoint(env: NodeJS.ProcessEnv = process.env, platform = process.platform): Docker.DockerOptions {
  const h = env.DOCKER_HOST?.trim();
  if (h?.startsWith('unix://')) return { socketPath: h.slice('unix://'.length) };
  if (h?.startsWith('npipe://')) return { socketPath: h.slice('npipe://'.length).replace(/\//g, '\\') };
  if (h?.startsWith('tcp://')) {
    const u = new URL(h.replace(/^tcp:/, 'http:'));
    return { protocol: env.DOCKER_TLS_VERIFY ? 'https' : 'http', host: u.hostname, port: Number(u.port || (env.DOCKER_TLS_VERIFY ? 2376 : 2375)) };
  }
  return { socketPath: platform === 'win32' ? '//./pipe/docker_engine' : '/var/run/docker.sock' };
}

export class LocalHostConnection implements HostConnection {
  readonly id: string;
  private readonly endpoint: Docker.DockerOptions;

  constructor(opts: { endpoint?: Docker.DockerOptions; callTimeoutMs?: number } = {}) {
    this.endpoint = opts.endpoint ?? localDockerEndpoint();
    this.callTimeoutMs = opts.callTimeoutMs ?? 20000;
    this.id = this.endpoint.socketPath ? `unix://${this.endpoint.socketPath}` : `tcp://${this.endpoint.host}:${this.endpoint.port}`;
  }

  private readonly callTimeoutMs: number;

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecOutcome> {
    return new Promise((resolve) => {
      execFile(argv[0], argv.slice(1), { timeout: opts.timeoutMs ?? this.callTimeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
        if (e?.code === 'ENOENT') return resolve({ code: 127, stdout: '', stderr: `${argv[0]}: command not found` });
        if (e?.killed) return resolve({ code: null, stdout, stderr: `${stderr}\n${argv[0]} timed out` });
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
      });
    });
  }

  docker(opts: { timeoutMs?: number } = {}): Docker {
    return new Docker({ ...this.endpoint, timeout: opts.timeoutMs ?? this.callTimeoutMs });
  }

  dispose(): void {}
}
