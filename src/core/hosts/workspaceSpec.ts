// A launch profile → the Engine API's create options and the equivalent `docker run`.
// Both come from one normalised profile so "copy docker run" never drifts from what we send.
import type { ContainerCreateOptions } from 'dockerode';
import { shellJoin } from './shellQuote';
import { pushAll } from '../common/arrays';

/** Every container we create carries it; listings filter on it, so we never touch others'. */
export const WORKSPACE_LABEL = 'mlops.workspace';
export const PROFILE_LABEL = 'mlops.profile';
export const GPUS_LABEL = 'mlops.gpus';
/** Same name as idleStop.ts's IDLE_STOP_LABEL (that module imports this one). */
const IDLE_LABEL = 'mlops.idleStopMinutes';
export const DEFAULT_PORTS: readonly number[] = [8888, 6006]; // Jupyter, TensorBoard

/**
 * `count` (with an optional `type` such as "A100") is placed on free GPUs at launch
 * (gpuPlacement.ts), which turns it into `ids`; Docker itself only ever gets ids or "all".
 */
export type GpuRequest = 'none' | 'all' | { count: number; type?: string } | { ids: string[] };

export interface PortSpec {
  container: number;
  /** Host port on 127.0.0.1; absent → Docker picks a free one (two workspaces never clash). */
  host?: number;
}

export interface MountSpec {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface LaunchProfile {
  name?: string;
  image: string;
  gpus?: GpuRequest;
  cpus?: number;
  memoryMb?: number;
  shmMb?: number;
  mounts?: MountSpec[];
  env?: Record<string, string>;
  /** Absent → DEFAULT_PORTS; [] → publish nothing. */
  ports?: Array<number | PortSpec>;
  /** An argv, or a string run by `sh -c`; absent → the image's own command. */
  command?: string[] | string;
  /** Stop the workspace after this many minutes with every GPU of it at 0 % (idleStop.ts). */
  idleStopMinutes?: number;
}

interface DeviceRequest {
  Driver: string;
  Count: number;
  DeviceIDs?: string[];
  Capabilities: string[][];
}

export class ProfileError extends Error {}

function check(cond: boolean, message: string): void {
  if (!cond) throw new ProfileError(message);
}

/** Docker's container name rule. */
export function containerName(name: string): string {
  const n = name.trim().replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  check(n.length > 0, `"${name}" cannot be a container name: use letters, digits, '_', '.' or '-'.`);
  return n;
}

export function deviceRequests(gpus: GpuRequest | undefined): DeviceRequest[] {
  if (!gpus || gpus === 'none') return [];
  if (gpus === 'all') return [{ Driver: '', Count: -1, Capabilities: [['gpu']] }];
  if ('count' in gpus) {
    check(Number.isInteger(gpus.count) && gpus.count > 0, `GPU count must be a positive whole number, not ${gpus.count}.`);
    check(!gpus.type, `GPUs of type ${gpus.type} are chosen by placement at launch (the engine cannot pick a type); ask for GPU ids instead.`);
    return [{ Driver: '', Count: gpus.count, Capabilities: [['gpu']] }];
  }
  check(gpus.ids.length > 0 && gpus.ids.every((id) => /^[A-Za-z0-9-]+$/.test(id)), `GPU ids must be indexes or UUIDs: ${gpus.ids.join(',')}`);
  return [{ Driver: '', Count: 0, DeviceIDs: gpus.ids, Capabilities: [['gpu']] }];
}

export function describeGpus(gpus: GpuRequest | undefined): string {
  if (!gpus || gpus === 'none') return 'none';
  if (gpus === 'all') return 'all';
  if ('count' in gpus) return gpus.type ? `${gpus.type}:${gpus.count}` : String(gpus.count);
  return `device=${gpus.ids.join(',')}`;
}

function ports(profile: LaunchProfile): PortSpec[] {
  const list = (profile.ports ?? DEFAULT_PORTS).map((p) => (typeof p === 'number' ? { container: p } : p));
  for (const p of list) {
    check(Number.isInteger(p.container) && p.container > 0 && p.container < 65536, `Port ${p.container} is not a TCP port.`);
    if (p.host !== undefined) check(Number.isInteger(p.host) && p.host > 0 && p.host < 65536, `Host port ${p.host} is not a TCP port.`);
  }
  return list;
}

function cmd(profile: LaunchProfile): string[] | undefined {
  if (profile.command === undefined) return undefined;
  if (typeof profile.command === 'string') return profile.command.trim() ? ['sh', '-c', profile.command] : undefined;
  return profile.command.length ? profile.command : undefined;
}

function labels(profile: LaunchProfile, extra: Record<string, string>): Record<string, string> {
  return {
    ...extra,
    [WORKSPACE_LABEL]: '1',
    ...(profile.name ? { [PROFILE_LABEL]: profile.name } : {}),
    [GPUS_LABEL]: describeGpus(profile.gpus),
    // The refresh reads the limit back from the engine, so it survives a window reload.
    ...(profile.idleStopMinutes !== undefined && profile.idleStopMinutes > 0 ? { [IDLE_LABEL]: String(profile.idleStopMinutes) } : {}),
  };
}

function bind(m: MountSpec): string {
  check(m.source !== '' && m.target.startsWith('/'), `Mount ${m.source} → ${m.target}: the target must be an absolute path in the container.`);
  return `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`;
}

/** Options for dockerode's createContainer. `extraLabels` (tests, ownership) never override ours. */
export function containerCreateOptions(profile: LaunchProfile, extraLabels: Record<string, string> = {}): ContainerCreateOptions {
  check(profile.image.trim() !== '', 'Choose an image for the workspace.');
  const ps = ports(profile);
  const command = cmd(profile);
  const hostConfig: NonNullable<ContainerCreateOptions['HostConfig']> = {
    Binds: (profile.mounts ?? []).map(bind),
    PortBindings: Object.fromEntries(ps.map((p) => [`${p.container}/tcp`, [{ HostIp: '127.0.0.1', HostPort: p.host ? String(p.host) : '' }]])),
    DeviceRequests: deviceRequests(profile.gpus),
  };
  if (profile.cpus !== undefined) {
    check(profile.cpus > 0, 'CPU limit must be more than 0.');
    hostConfig.NanoCpus = Math.round(profile.cpus * 1e9);
  }
  if (profile.memoryMb !== undefined) {
    check(profile.memoryMb >= 6, 'Memory limit must be at least 6 MB (Docker refuses less).');
    hostConfig.Memory = Math.round(profile.memoryMb * 1024 * 1024);
  }
  if (profile.shmMb !== undefined) {
    check(profile.shmMb > 0, 'Shared memory size must be more than 0.');
    hostConfig.ShmSize = Math.round(profile.shmMb * 1024 * 1024);
  }
  return {
    ...(profile.name ? { name: containerName(profile.name) } : {}),
    Image: profile.image,
    ...(command ? { Cmd: command } : {}),
    Env: Object.entries(profile.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: labels(profile, extraLabels),
    ExposedPorts: Object.fromEntries(ps.map((p) => [`${p.container}/tcp`, {}])),
    HostConfig: hostConfig,
  };
}

/** The `docker run` argv that creates the same container. */
export function dockerRunArgv(profile: LaunchProfile, extraLabels: Record<string, string> = {}): string[] {
  const o = containerCreateOptions(profile, extraLabels);
  const h = o.HostConfig!;
  const argv = ['docker', 'run', '-d'];
  if (o.name) argv.push('--name', o.name);
  for (const [k, v] of Object.entries(o.Labels ?? {})) argv.push('--label', `${k}=${v}`);
  if (profile.gpus && profile.gpus !== 'none') {
    // The CLI parses --gpus as CSV, so a list of ids must be quoted inside the value.
    const g = profile.gpus;
    argv.push('--gpus', g === 'all' ? 'all' : 'count' in g ? String(g.count) : `"device=${g.ids.join(',')}"`);
  }
  if (h.NanoCpus) argv.push('--cpus', String(h.NanoCpus / 1e9));
  if (h.Memory) argv.push('--memory', `${h.Memory}b`);
  if (h.ShmSize) argv.push('--shm-size', `${h.ShmSize}b`);
  for (const b of h.Binds ?? []) argv.push('-v', b);
  for (const e of o.Env ?? []) argv.push('-e', e);
  for (const [port, binds] of Object.entries(h.PortBindings ?? {}) as Array<[string, Array<{ HostIp: string; HostPort: string }>]>) {
    const b = binds[0];
    argv.push('-p', `${b.HostIp}:${b.HostPort}:${port.replace(/\/tcp$/, '')}`);
  }
  argv.push(o.Image!);
  if (o.Cmd) pushAll(argv, o.Cmd as string[]);
  return argv;
}

/** The shell-quoted command line for "Copy docker run". */
export function dockerRunCommand(profile: LaunchProfile, extraLabels: Record<string, string> = {}): string {
  return shellJoin(dockerRunArgv(profile, extraLabels));
}
