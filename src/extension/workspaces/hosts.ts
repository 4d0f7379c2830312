// The hosts of the Workspaces view and their one connection each. Settings and
// ~/.ssh/config say which hosts exist; a connection opens on first use (a host expanded,
// a command run) and is reused by the view and every command until settings change.
// Host keys and secrets are asked for here, with VS Code's own dialogs.
import { requireTrust } from '../trust';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showWarning } from '../notify';
import { setting } from '../settings';
import type { ConnectionState, HostConnection, SshEndpoint, UnknownHostKey } from '../../core/hosts/hostConnection';
import type { SshHost, SshJump } from '../../core/hosts/sshConfig';
import { loadLazy } from '../lazy/load';
import { hostSettings, LOCAL_HOST, remoteProjectPath } from './model';

type HostsLib = typeof import('../lazy/hostsLib');
export const hostsLib = (): HostsLib => loadLazy<HostsLib>('hostsLib');

export interface HostEntry {
  /** Unique in the view: "This machine" or the SSH alias. */
  name: string;
  kind: 'local' | 'ssh';
  /** For the tooltip: "unix:///var/run/docker.sock" or "root@gpu-box:22". */
  address: string;
  ssh?: SshHost;
  /** Where the project lives on that host (SSH hosts, from the setting). */
  projectPath?: string;
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? path.join(homedir(), p.slice(2)) : p;
}

export function knownHostsPath(): string {
  const set = setting('ssh.knownHostsFile').trim();
  return set ? expandHome(set) : path.join(homedir(), '.ssh', 'known_hosts');
}

function sshConfigPath(): string {
  const set = setting('ssh.configFile').trim();
  return set ? expandHome(set) : path.join(homedir(), '.ssh', 'config');
}

/** DOCKER_HOST-style address of the local engine: the setting, else DOCKER_HOST, else the default socket. */
function localDockerHost(): { env: NodeJS.ProcessEnv; explicit: boolean } {
  const set = setting('docker.host').trim();
  if (set) return { env: { DOCKER_HOST: set }, explicit: true };
  return { env: process.env, explicit: !!process.env.DOCKER_HOST?.trim() };
}

/** The deadline of each Docker or SSH call (streams such as logs and terminals have none). */
function callTimeoutMs(): number {
  return Math.max(1, setting('workspaces.callTimeoutSeconds')) * 1000;
}

function sshAddress(h: { user?: string; hostName: string; port: number }): string {
  return `${h.user ? `${h.user}@` : ''}${h.hostName}:${h.port}`;
}

export class HostRegistry implements vscode.Disposable {
  private readonly connections = new Map<string, HostConnection>();
  /** Passwords and passphrases, per key; memory only, gone with the window. */
  private readonly secrets = new Map<string, string>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /**
   * The local engine when one is configured or its socket exists, then the SSH hosts of
   * the setting and of ~/.ssh/config. Empty means "nothing to show": the welcome text.
   */
  async hosts(): Promise<HostEntry[]> {
    const lib = hostsLib();
    const out: HostEntry[] = [];
    const local = localDockerHost();
    const endpoint = lib.localDockerEndpoint(local.env);
    if (local.explicit || !endpoint.socketPath || existsSync(endpoint.socketPath)) {
      out.push({ name: LOCAL_HOST, kind: 'local', address: endpoint.socketPath ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}` });
    }
    const settingValue = setting('hosts');
    const text = await readFile(sshConfigPath(), 'utf8').catch(() => undefined);
    let user = 'root';
    try {
      user = userInfo().username;
    } catch {
      // no passwd entry (some containers): ssh would fail the same way; keep a default
    }
    for (const h of lib.mergeHosts(text, hostSettings(settingValue), { homeDir: homedir(), localUser: user })) {
      if (h.name === LOCAL_HOST) continue;
      out.push({ name: h.name, kind: 'ssh', address: sshAddress(h), ssh: h, projectPath: remoteProjectPath(settingValue, h.name) });
    }
    return out;
  }

  async find(name: string): Promise<HostEntry | undefined> {
    return (await this.hosts()).find((h) => h.name === name);
  }

  /** The host's one connection, made on first use. Connecting happens on the first call over it. */
  connection(host: HostEntry): HostConnection {
    requireTrust(vscode.l10n.t('Connecting to {0}', host.name));
    let c = this.connections.get(host.name);
    if (!c) {
      c =
        host.kind === 'local'
          ? new (hostsLib().LocalHostConnection)({ endpoint: hostsLib().localDockerEndpoint(localDockerHost().env), callTimeoutMs: callTimeoutMs() })
          : this.sshConnection(host);
      this.connections.set(host.name, c);
    }
    return c;
  }

  /**
   * Opens the SSH session now (host key, secrets), so its errors surface before Docker's.
   * `now` skips the wait of a pending reconnect after a drop (a refresh asked for it).
   */
  async ensureConnected(host: HostEntry, opts: { now?: boolean } = {}): Promise<HostConnection> {
    const c = this.connection(host);
    const ssh = c as InstanceType<HostsLib['SshHostConnection']>;
    if (host.kind === 'ssh') await (opts.now ? ssh.reconnectNow() : ssh.connect());
    return c;
  }

  /**
   * Whether a call to the host needs no question first: this machine's engine, or an SSH
   * host whose session this window has opened (its secrets and host key are settled).
   * Background work (the idle watch) only goes where this holds: it never pops a dialog.
   */
  hasSession(host: HostEntry): boolean {
    if (host.kind === 'local') return true;
    const c = this.connections.get(host.name) as { opened?: () => boolean } | undefined;
    return c?.opened?.() === true;
  }

  /** Drops one host's connection (or all): the next use reconnects. */
  reset(name?: string): void {
    for (const [k, c] of this.connections) {
      if (name && k !== name) continue;
      c.dispose();
      this.connections.delete(k);
    }
  }

  private sshConnection(host: HostEntry): HostConnection {
    const lib = hostsLib();
    const h = host.ssh!;
    const file = knownHostsPath();
    const store = lib.knownHostsFile(file, (k) => this.askTrust(k, file));
    // Endpoints resolve lazily: a passphrase is asked when the connection opens, not when the tree lists hosts.
    const target = this.endpoint(h, h.identityFiles, h.identitiesOnly);
    const jumps = h.proxyJump.map((j: SshJump) => this.endpoint({ ...j, name: j.alias }, j.identityFiles, false));
    let inner: InstanceType<HostsLib['SshHostConnection']> | undefined;
    let opening: Promise<InstanceType<HostsLib['SshHostConnection']>> | undefined;
    // The view subscribes before the first connect; pass those on once the connection exists.
    const listeners = new Set<(s: ConnectionState) => void>();
    const timeouts = () => {
      return { connectTimeoutMs: setting('ssh.connectTimeoutSeconds') * 1000, callTimeoutMs: callTimeoutMs() };
    };
    const get = () =>
      (opening ??= (async () => {
        const [t, ...js] = await Promise.all([target(), ...jumps.map((j) => j())]);
        inner = new lib.SshHostConnection({ ...t, jumps: js, hostKeys: store, ...timeouts() });
        inner.onStateChange((st) => listeners.forEach((l) => l(st)));
        return inner;
      })().catch((e) => {
        opening = undefined; // asked again next time (e.g. a passphrase dialog was cancelled)
        throw e;
      }));
    // A thin front that resolves the secrets once, then hands every call to the one SshHostConnection.
    const front = {
      id: `ssh://${sshAddress(h)}`,
      connect: async () => (await get()).connect(),
      reconnectNow: async () => (await get()).reconnectNow(),
      exec: async (argv: readonly string[], o?: { timeoutMs?: number; reuseShell?: boolean }) => (await get()).exec(argv, o),
      openTcp: async (hostName: string, port: number) => (await get()).openTcp(hostName, port),
      // Code sync to a cluster and its results home go over SFTP on this same connection.
      sftp: async () => (await get()).sftp(),
      onStateChange: (l: (st: ConnectionState) => void) => (listeners.add(l), () => listeners.delete(l)),
      docker: (o?: { timeoutMs?: number }) => {
        if (!inner) throw new Error(`${host.name}: not connected yet`);
        return inner.docker(o);
      },
      opened: () => inner !== undefined,
      dispose: () => inner?.dispose(),
    };
    return front as unknown as HostConnection;
  }

  /** Key file (passphrase asked once), else the agent, else a password asked now. */
  private endpoint(h: { name: string; hostName: string; port: number; user?: string }, identityFiles: string[], identitiesOnly: boolean): () => Promise<SshEndpoint> {
    return async () => {
      const username = h.user ?? userInfo().username;
      const agent = process.env.SSH_AUTH_SOCK;
      const candidates = identityFiles.length ? identityFiles : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(homedir(), '.ssh', f));
      for (const file of candidates) {
        const key = await readFile(file).catch(() => undefined);
        if (!key) continue;
        const e: SshEndpoint = { host: h.hostName, port: h.port, username, privateKey: key, ...(agent && !identitiesOnly ? { agent } : {}) };
        if (hostsLib().keyNeedsPassphrase(key)) e.passphrase = await this.askPassphrase(file, key);
        return e;
      }
      if (agent) return { host: h.hostName, port: h.port, username, agent };
      return { host: h.hostName, port: h.port, username, password: await this.askSecret(`password:${username}@${h.hostName}:${h.port}`, vscode.l10n.t('Password for {0}@{1} (kept in memory only)', username, h.hostName)) };
    };
  }

  private async askPassphrase(file: string, key: Buffer): Promise<string> {
    const id = `passphrase:${file}`;
    for (;;) {
      const pass = await this.askSecret(id, vscode.l10n.t('Passphrase for {0} (kept in memory only)', file));
      const err = hostsLib().keyPassphraseError(key, pass);
      if (!err) return pass;
      this.secrets.delete(id);
      void showWarning(vscode.l10n.t('that passphrase does not open {0}. Try again.', file));
    }
  }

  private async askSecret(id: string, prompt: string): Promise<string> {
    const known = this.secrets.get(id);
    if (known !== undefined) return known;
    const value = await vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true });
    if (value === undefined) throw new Error(`Connection cancelled: no ${id.split(':')[0]} given.`);
    this.secrets.set(id, value);
    return value;
  }

  private async askTrust(k: UnknownHostKey, file: string): Promise<boolean> {
    const where = k.port === 22 ? k.host : `[${k.host}]:${k.port}`;
    const trust = vscode.l10n.t('Trust');
    const detail = k.otherKeyTypes.length
      ? vscode.l10n.t('{0} key fingerprint is {1}.\n\n{2} already lists {3} keys for this host, but not this one.\n\nTrust it and add it to {2}?', k.keyType, k.fingerprint, file, k.otherKeyTypes.join(', '))
      : vscode.l10n.t('{0} key fingerprint is {1}.\n\nTrust it and add it to {2}?', k.keyType, k.fingerprint, file);
    const choice = await showWarning(vscode.l10n.t("The authenticity of host {0} can't be established.", where), { modal: true, detail }, trust);
    this.log.info(`Host key of ${where} (${k.fingerprint}): ${choice === trust ? 'trusted by the user' : 'not trusted'}.`);
    return choice === trust;
  }

  dispose(): void {
    this.reset();
  }
}
