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
import { Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import type { ExecOutcome } from './gpuProbe';
import { knownHostsLine, knownKeyTypes, mismatchMessage, parseKnownHosts, verifyHostKey, type HostKeyVerdict } from './knownHosts';
import { shellJoin } from './shellQuote';

export class HostTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

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
}

export interface HostConnection {
  readonly id: string;
  /** Runs an argv (quoted for the remote shell over SSH). */
  exec(argv: readonly string[], opts?: { timeoutMs?: number }): Promise<ExecOutcome>;
  /** A dockerode client on this host; `timeoutMs: 0` for long streams such as followed logs. */
  docker(opts?: { timeoutMs?: number }): Docker;
  dispose(): void;
}

/** ssh2's own order of host key algorithms; we move the ones known_hosts lists to the front. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

function preferredHostKeys(known: string[]): string[] {
  const want = known.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const first = HOST_KEY_ALGORITHMS.filter((a) => want.includes(a));
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  if (!ms) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => {
      onTimeout?.();
      reject(new HostTimeoutError(`${what} did not answer within ${Math.round(ms / 100) / 10} s`));
    }, ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
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

  /** The one ssh2 client, connected on first use and again after a drop. */
  connect(): Promise<Client> {
    if (this.disposed) return Promise.reject(new Error(`${this.id}: connection was closed`));
    if (!this.client) {
      const p = this.open();
      this.client = p;
      p.then(
        (c) => c.once('close', () => this.client === p && (this.client = undefined)),
        () => this.client === p && (this.client = undefined),
      );
    }
    return this.client;
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
    ch.once('exit', (code: number | null) => {
      if (code) (ch as Duplex).destroy(new Error(stderr.trim() || `docker system dial-stdio exited with status ${code}`));
    });
    return asSocket(ch);
  }

  exec(argv: readonly string[], opts: { timeoutMs?: number } = {}): Promise<ExecOutcome> {
    const command = shellJoin(argv);
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

  docker(opts: { timeoutMs?: number } = {}): Docker {
    // The agent hands http a dial-stdio channel; the socket path is never opened. It is a
    // socket path, not a host name, because VS Code's extension host replaces the agent of
    // any request to a host (http.proxySupport "override") and would resolve that name.
    return new Docker({ socketPath: '/mlops/docker-over-ssh.sock', agent: this.agent, timeout: opts.timeoutMs ?? this.callTimeoutMs } as Docker.DockerOptions);
  }

  dispose(): void {
    this.disposed = true;
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

  exec(argv: readonly string[], opts: { timeoutMs?: number } = {}): Promise<ExecOutcome> {
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
