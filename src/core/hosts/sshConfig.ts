// SSH hosts from ~/.ssh/config text (through the ssh-config package, never a home-made
// parser) and from the `mlops.hosts` setting. Pure: text in, host descriptions out.
import type { SSHConfig as SSHConfigClass } from 'ssh-config' with { 'resolution-mode': 'import' };
import { pushAll } from '../common/arrays';

// ssh-config's typings point `require` at its ESM build; the package's CJS build (what
// `require` really loads here and in the esbuild bundle) exports the same class.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SSHConfig } = require('ssh-config') as { SSHConfig: typeof SSHConfigClass };
type SSHConfig = SSHConfigClass;

/** One hop of ProxyJump, resolved through the same config as OpenSSH does. */
export interface SshJump {
  /** What the user wrote (an alias or a host name). */
  alias: string;
  hostName: string;
  port: number;
  user?: string;
  identityFiles: string[];
}

export interface SshHost {
  /** The name shown to the user and used as the key of the connection. */
  name: string;
  hostName: string;
  port: number;
  user?: string;
  /** Paths with ~ and %d/%u/%h/%r expanded; empty means "the agent and the default keys". */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Hops in order (first is reached first); empty when there is no ProxyJump. */
  proxyJump: SshJump[];
  source: 'ssh-config' | 'settings';
}

/** The shape of one entry of the `mlops.hosts` setting. */
export interface HostSetting {
  name: string;
  host?: string;
  port?: number;
  user?: string;
  identityFile?: string | string[];
  identitiesOnly?: boolean;
  proxyJump?: string;
}

export interface ResolveContext {
  homeDir: string;
  /** The local user name: ssh's default remote user. */
  localUser: string;
}

type Computed = Record<string, string | string[]>;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function yes(v: string | string[] | undefined): boolean {
  return first(v)?.toLowerCase() === 'yes';
}

function portOf(v: string | string[] | undefined, fallback = 22): number {
  const n = Number(first(v));
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : fallback;
}

/** `~` and the ssh_config tokens that make sense in IdentityFile (%d %u %h %r %%). */
export function expandPath(p: string, ctx: ResolveContext, host: { hostName: string; user?: string }): string {
  let out = p.replace(/%([%duhr])/g, (_m, t: string) =>
    t === '%' ? '%' : t === 'd' ? ctx.homeDir : t === 'u' ? ctx.localUser : t === 'h' ? host.hostName : (host.user ?? ctx.localUser),
  );
  if (out === '~') out = ctx.homeDir;
  else if (out.startsWith('~/')) out = ctx.homeDir.replace(/\/$/, '') + out.slice(1);
  return out;
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`; IPv6 in brackets. */
export function parseJumpSpec(spec: string): { host: string; user?: string; port?: number } {
  let s = spec.trim().replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
  }
  let host = s;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  const v4 = /^([^:]+):(\d+)$/.exec(s);
  if (v6) {
    host = v6[1];
    port = v6[2] ? Number(v6[2]) : undefined;
  } else if (v4) {
    host = v4[1];
    port = Number(v4[2]);
  }
  return { host, ...(user ? { user } : {}), ...(port ? { port } : {}) };
}

function compute(config: SSHConfig, alias: string): Computed {
  // matchExec: false — config text is data here; `Match exec` must never run a command.
  return config.compute(alias, { ignoreCase: true, matchExec: false });
}

function resolveJumps(config: SSHConfig | undefined, value: string | undefined, ctx: ResolveContext, depth = 0): SshJump[] {
  if (!value || value.toLowerCase() === 'none') return [];
  const hops: SshJump[] = [];
  for (const spec of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const j = parseJumpSpec(spec);
    const c = config ? compute(config, j.host) : {};
    // A jump host's own ProxyJump comes before it (OpenSSH chains them); bounded against loops.
    if (depth < 4 && first(c.proxyjump)) pushAll(hops, resolveJumps(config, first(c.proxyjump), ctx, depth + 1));
    const hostName = first(c.hostname) ?? j.host;
    const user = j.user ?? first(c.user);
    hops.push({
      alias: j.host,
      hostName,
      port: j.port ?? portOf(c.port),
      ...(user ? { user } : {}),
      identityFiles: list(c.identityfile).map((p) => expandPath(p, ctx, { hostName, user })),
    });
  }
  return hops;
}

/** A Host value naming one concrete host (not a pattern or a negation). */
function isConcreteAlias(name: string): boolean {
  return name.length > 0 && !/[*?!]/.test(name);
}

function hostAliases(config: SSHConfig): string[] {
  const out: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const values = typeof line.value === 'string' ? line.value.split(/\s+/) : line.value.map((v) => v.val);
    for (const v of values) if (isConcreteAlias(v) && !out.includes(v)) out.push(v);
  }
  return out;
}

/** Every concrete `Host` alias of an ssh_config text, with its settings computed as OpenSSH would. */
export function hostsFromSshConfig(text: string, ctx: ResolveContext): SshHost[] {
  const config = SSHConfig.parse(text);
  return hostAliases(config).map((alias) => {
    const c = compute(config, alias);
    const hostName = first(c.hostname) ?? alias;
    const user = first(c.user);
    return {
      name: alias,
      hostName,
      port: portOf(c.port),
      ...(user ? { user } : {}),
      identityFiles: list(c.identityfile).map((p) => expandPath(p, ctx, { hostName, user })),
      identitiesOnly: yes(c.identitiesonly),
      proxyJump: resolveJumps(config, first(c.proxyjump), ctx),
      source: 'ssh-config' as const,
    };
  });
}

/**
 * Hosts of the setting, then those of ~/.ssh/config whose name the setting does not use:
 * an explicit setting wins over the config. A setting's ProxyJump may name config aliases.
 */
export function mergeHosts(sshConfigText: string | undefined, settings: readonly HostSetting[], ctx: ResolveContext): SshHost[] {
  const config = sshConfigText !== undefined ? SSHConfig.parse(sshConfigText) : undefined;
  const fromConfig = sshConfigText !== undefined ? hostsFromSshConfig(sshConfigText, ctx) : [];
  const fromSettings: SshHost[] = settings
    .filter((s) => typeof s?.name === 'string' && s.name.trim() !== '')
    .map((s) => {
      const hostName = s.host?.trim() || s.name;
      return {
        name: s.name,
        hostName,
        port: portOf(s.port === undefined ? undefined : String(s.port)),
        ...(s.user ? { user: s.user } : {}),
        identityFiles: list(s.identityFile).map((p) => expandPath(p, ctx, { hostName, user: s.user })),
        identitiesOnly: s.identitiesOnly === true,
        proxyJump: resolveJumps(config, s.proxyJump, ctx),
        source: 'settings' as const,
      };
    });
  const taken = new Set(fromSettings.map((h) => h.name));
  return [...fromSettings, ...fromConfig.filter((h) => !taken.has(h.name))];
}
