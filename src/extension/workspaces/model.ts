// Pure helpers of the Workspaces view and the launch flow: settings → hosts, QuickPick
// answers → profile, and how a workspace or a GPU reads in the tree. No `vscode` here, so
// the unit tests run them in plain Node.
import type { GpuInfo } from '../../core/hosts/gpuProbe';
import type { GpuPlacementRequest, SkippedHost } from '../../core/hosts/gpuPlacement';
import { plural } from '../../core/common/format';
import type { HostSetting } from '../../core/hosts/sshConfig';
import { GPUS_LABEL, PROFILE_LABEL, type GpuRequest, type LaunchProfile, type MountSpec, type PortSpec } from '../../core/hosts/workspaceSpec';
import type { WorkspaceSummary } from '../../core/hosts/workspaces';
import { ownerText } from '../../core/hosts/ownership';

/** The launch profile as we store it on the container, so "Copy docker run" repeats it exactly. */
export const SPEC_LABEL = 'mlops.spec';
/** Where the project folder is mounted inside a workspace. */
export const PROJECT_MOUNT = '/workspace';
export const LOCAL_HOST = 'This machine';

/** One entry of the `mlops.hosts` setting, as package.json describes it. */
export interface HostsSettingEntry {
  name: string;
  hostName?: string;
  user?: string;
  port?: number;
  identityFile?: string;
  identitiesOnly?: boolean;
  proxyJump?: string;
  remoteProjectPath?: string;
}

/** A saved launch profile (`mlops.workspaces.profiles`). */
export interface StoredProfile extends LaunchProfile {
  name: string;
  /** The host it was saved for; absent → asked at relaunch. */
  host?: string;
  /** Bind the project folder (locally) or the host's remoteProjectPath at /workspace. */
  mountProject?: boolean;
}

function isEntry(v: unknown): v is HostsSettingEntry {
  return typeof v === 'object' && v !== null && typeof (v as HostsSettingEntry).name === 'string' && (v as HostsSettingEntry).name.trim() !== '';
}

/** The setting's shape (hostName) → the host layer's (host); malformed entries are dropped. */
export function hostSettings(value: unknown): HostSetting[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isEntry).map((e) => ({
    name: e.name.trim(),
    ...(e.hostName ? { host: e.hostName } : {}),
    ...(typeof e.port === 'number' ? { port: e.port } : {}),
    ...(e.user ? { user: e.user } : {}),
    ...(e.identityFile ? { identityFile: e.identityFile } : {}),
    ...(e.identitiesOnly ? { identitiesOnly: true } : {}),
    ...(e.proxyJump ? { proxyJump: e.proxyJump } : {}),
  }));
}

export function remoteProjectPath(value: unknown, host: string): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const p = value.filter(isEntry).find((e) => e.name.trim() === host)?.remoteProjectPath?.trim();
  return p || undefined;
}

export function storedProfiles(value: unknown): StoredProfile[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (p): p is StoredProfile => typeof p === 'object' && p !== null && typeof p.name === 'string' && p.name.trim() !== '' && typeof p.image === 'string' && p.image.trim() !== '',
  );
}

/** The saved profiles with `p` added, replacing one of the same name. */
export function upsertProfile(profiles: readonly StoredProfile[], p: StoredProfile): StoredProfile[] {
  const i = profiles.findIndex((q) => q.name === p.name);
  return i < 0 ? [...profiles, p] : profiles.map((q, j) => (j === i ? p : q));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * "none", "all", a count of any free GPUs ("2"), of free GPUs of a type ("A100:2"), or GPU
 * ids ("0,2", UUIDs; one id alone is written "1,").
 */
export function parseGpuAnswer(text: string): Parsed<GpuRequest> {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'none') return { ok: true, value: 'none' };
  if (t === 'all') return { ok: true, value: 'all' };
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n > 0 ? { ok: true, value: { count: n } } : { ok: true, value: 'none' };
  }
  const typed = /^([A-Za-z][A-Za-z0-9_.-]{0,40}):(\d{1,4})$/.exec(text.trim());
  if (typed) {
    const n = Number(typed[2]);
    return n > 0 ? { ok: true, value: { count: n, type: typed[1] } } : { ok: false, error: 'Ask for at least one GPU (A100:1), or none.' };
  }
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length && ids.every((id) => /^[A-Za-z0-9-]+$/.test(id))) return { ok: true, value: { ids } };
  return { ok: false, error: 'Write none, all, a number of GPUs (2), a type and a number (A100:2), or GPU indexes/UUIDs separated by commas (0,2).' };
}

/** "8888, 6006" or "18888:8888" (host:container); empty → publish nothing. */
export function parsePorts(text: string): Parsed<PortSpec[]> {
  const out: PortSpec[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(?:(\d+):)?(\d+)$/.exec(part);
    const container = m ? Number(m[2]) : NaN;
    const host = m?.[1] ? Number(m[1]) : undefined;
    const valid = (n: number) => Number.isInteger(n) && n > 0 && n < 65536;
    if (!m || !valid(container) || (host !== undefined && !valid(host))) {
      return { ok: false, error: `"${part}" is not a port: write container ports (8888) or host:container (18888:8888), separated by commas.` };
    }
    if (!out.some((p) => p.container === container)) out.push(host === undefined ? { container } : { container, host });
  }
  return { ok: true, value: out };
}

/** "2" or "0.5" CPUs; empty → no limit. */
export function parseCpus(text: string): Parsed<number | undefined> {
  const t = text.trim();
  if (!t) return { ok: true, value: undefined };
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? { ok: true, value: n } : { ok: false, error: 'Write a number of CPUs such as 4 or 0.5, or leave empty for no limit.' };
}

/** The idle auto-stop step's own choices, in minutes (0: never). */
export const IDLE_STOP_CHOICES: readonly number[] = [0, 30, 60];
/** A week: a longer idle limit is no limit, and a typo of one. */
const MAX_IDLE_MINUTES = 7 * 24 * 60;

/** "Custom…" minutes of the idle auto-stop: a whole number from 1 to a week; empty or 0 → never. */
export function parseIdleMinutes(text: string): Parsed<number> {
  const t = text.trim().replace(/\s*(m|min|mins|minutes)$/i, '');
  if (!t) return { ok: true, value: 0 };
  const n = /^\d{1,6}$/.test(t) ? Number(t) : NaN;
  return Number.isInteger(n) && n <= MAX_IDLE_MINUTES
    ? { ok: true, value: n }
    : { ok: false, error: `Write a whole number of minutes from 1 to ${MAX_IDLE_MINUTES} (a week), or 0 for never.` };
}

const UNITS: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/** Docker's size notation ("512m", "16g", "1.5g", a bare number is MB) → MB; empty → undefined. */
export function parseSizeMb(text: string, what: string, minMb = 1): Parsed<number | undefined> {
  const t = text.trim().toLowerCase();
  if (!t) return { ok: true, value: undefined };
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt])?(?:i?b)?$/.exec(t);
  const mb = m ? Number(m[1]) * UNITS[m[2] ?? 'm'] : NaN;
  if (!m || !(mb >= minMb)) return { ok: false, error: `Write the ${what} as a size such as 512m or 16g (at least ${minMb} MB), or leave empty.` };
  return { ok: true, value: Math.round(mb) };
}

export function formatSizeMb(mb: number | undefined): string {
  if (mb === undefined) return '';
  return mb % 1024 === 0 ? `${mb / 1024}g` : `${mb}m`;
}

/**
 * "KEY=value, OTHER=2": a comma starts a new variable only when a NAME= follows, so values
 * may hold commas ("IDS=0,1") and spaces.
 */
export function parseEnv(text: string): Parsed<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const part of text.split(/,\s*(?=[A-Za-z_][A-Za-z0-9_]*=)/)) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(p);
    if (!m) return { ok: false, error: `"${p}" is not NAME=value. Separate variables with commas: CUDA_VISIBLE_DEVICES=0, WANDB_MODE=offline` };
    out[m[1]] = m[2];
  }
  return { ok: true, value: out };
}

export function formatEnv(env: Record<string, string> | undefined): string {
  return Object.entries(env ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

export function formatPortSpecs(ports: ReadonlyArray<number | PortSpec>): string {
  return ports.map((p) => (typeof p === 'number' ? String(p) : p.host ? `${p.host}:${p.container}` : String(p.container))).join(', ');
}

export interface LaunchAnswers {
  image: string;
  gpus: GpuRequest;
  ports: PortSpec[];
  mountProject: boolean;
  cpus?: number;
  memoryMb?: number;
  shmMb?: number;
  env?: Record<string, string>;
  /** Run by `sh -c`; empty → the image's own command. */
  command?: string;
  /** Save under this name (also the container's name prefix). */
  saveAs?: string;
  host?: string;
  /** Idle auto-stop after this many minutes with every GPU at 0 %; 0 or absent: never. */
  idleStopMinutes?: number;
}

/** What the QuickPick flow answered → the profile launched (and saved when named). */
export function profileFromAnswers(a: LaunchAnswers): LaunchProfile & { mountProject: boolean } {
  const name = a.saveAs?.trim();
  return {
    ...(name ? { name } : {}),
    image: a.image.trim(),
    gpus: a.gpus,
    // Container ports only: plain numbers keep the saved profile short.
    ports: a.ports.map((p) => (p.host ? p : p.container)),
    ...(a.cpus !== undefined ? { cpus: a.cpus } : {}),
    ...(a.memoryMb !== undefined ? { memoryMb: a.memoryMb } : {}),
    ...(a.shmMb !== undefined ? { shmMb: a.shmMb } : {}),
    ...(a.env && Object.keys(a.env).length ? { env: a.env } : {}),
    ...(a.command?.trim() ? { command: a.command.trim() } : {}),
    // Without a GPU there is nothing to be idle on: no limit, whatever was answered before.
    ...(a.idleStopMinutes && a.gpus !== 'none' ? { idleStopMinutes: a.idleStopMinutes } : {}),
    mountProject: a.mountProject,
  };
}

/** A container name unique per launch: the profile's (or the image's) name plus a suffix. */
export function workspaceContainerName(profile: Pick<LaunchProfile, 'name' | 'image'>, suffix: string): string {
  const base = profile.name?.trim() || `ws-${profile.image.replace(/@.*$/, '').split('/').pop()!.replace(/:.*$/, '') || 'workspace'}`;
  const clean = base.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'workspace';
  return `${clean}-${suffix}`;
}

/** The profile's mounts plus the project folder at /workspace when asked and known. */
export function mountsFor(profile: LaunchProfile & { mountProject?: boolean }, projectPath: string | undefined): MountSpec[] {
  const own = profile.mounts ?? [];
  if (!profile.mountProject || !projectPath || own.some((m) => m.target === PROJECT_MOUNT)) return own;
  return [...own, { source: projectPath, target: PROJECT_MOUNT }];
}

export function formatPorts(ports: WorkspaceSummary['ports']): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  // The engine lists a port once per address family (0.0.0.0 and ::); show it once.
  for (const p of [...ports].sort((a, b) => a.container - b.container)) {
    const s = p.host ? `${p.container}→${p.host}` : `${p.container}`;
    if (seen.has(s)) continue;
    seen.add(s);
    parts.push(s);
  }
  return parts.join(', ');
}

/** What follows the name in the tree: image · ports · Docker's state ("Up 3 minutes"). */
export function workspaceDescription(ws: Pick<WorkspaceSummary, 'image' | 'ports' | 'status' | 'gpus'>): string {
  const ports = formatPorts(ws.ports);
  return [ws.image, ws.gpus !== 'none' ? `GPUs ${ws.gpus}` : '', ports ? `ports ${ports}` : '', ws.status].filter(Boolean).join(' · ');
}

/** A teammate's item leads with its owner ("alice · image · …"); the user's own does not. */
export function ownedDescription(ws: Pick<WorkspaceSummary, 'image' | 'ports' | 'status' | 'gpus' | 'labels'>, mine: boolean): string {
  return mine ? workspaceDescription(ws) : `${ownerText(ws.labels)} · ${workspaceDescription(ws)}`;
}

export type WorkspaceState = 'running' | 'paused' | 'restarting' | 'stopped';

export function workspaceState(dockerState: string): WorkspaceState {
  return dockerState === 'running' ? 'running' : dockerState === 'paused' ? 'paused' : dockerState === 'restarting' ? 'restarting' : 'stopped';
}

/**
 * The tree item's contextValue, which package.json's menus match: `mlops.workspace.<state>`
 * for the user's own, `mlops.teamWorkspace.<state>` for a teammate's (logs and details only).
 */
export function workspaceContextValue(dockerState: string, mine: boolean): string {
  return `mlops.${mine ? 'workspace' : 'teamWorkspace'}.${workspaceState(dockerState)}`;
}

/** A codicon and a theme color per state. */
export function stateIcon(dockerState: string): { id: string; color?: string } {
  switch (workspaceState(dockerState)) {
    case 'running':
      return { id: 'vm-running', color: 'testing.iconPassed' };
    case 'paused':
      return { id: 'debug-pause', color: 'charts.yellow' };
    case 'restarting':
      return { id: 'sync~spin' };
    default:
      return { id: 'vm-outline', color: 'disabledForeground' };
  }
}

/** GiB to whole numbers from 10 GiB up ("30/80 GiB"), one decimal below ("0.5/24 GiB"). */
const gib = (mib: number) => {
  const g = mib / 1024;
  return g >= 10 || Number.isInteger(g) ? String(Math.round(g)) : g.toFixed(1);
};

/**
 * "GPU 2 · 71 % · 30/80 GiB · alice/bert-ft" (or "· free"), and "NVIDIA H100 · 61°C".
 * `holders` is holdersSummary's text; `free` is gpuUse's verdict.
 */
export function formatGpu(g: GpuInfo, use: { holders?: string; free?: boolean } = {}): { label: string; description: string } {
  const mem = g.memoryUsedMiB !== null && g.memoryTotalMiB !== null ? `${gib(g.memoryUsedMiB)}/${gib(g.memoryTotalMiB)} GiB` : 'memory n/a';
  const util = g.utilizationPct !== null ? `${g.utilizationPct} %` : 'util n/a';
  const temp = g.temperatureC !== null ? `${g.temperatureC}°C` : 'temp n/a';
  const who = use.holders ? use.holders : use.free ? 'free' : '';
  return { label: [`GPU ${g.index}`, util, mem, who].filter(Boolean).join(' · '), description: `${g.name} · ${temp}` };
}

/** What placement must find for a profile's GPUs; none and all are not placed. */
export function placementRequest(g: GpuRequest | undefined): GpuPlacementRequest | undefined {
  if (!g || g === 'none' || g === 'all') return undefined;
  return 'ids' in g ? { ids: g.ids } : g.type ? { count: g.count, type: g.type } : { count: g.count };
}

/** "2 free A100 GPUs", "1 free GPU", "GPUs 0, 2". */
export function describePlacementRequest(r: GpuPlacementRequest): string {
  if ('ids' in r) return `${r.ids.length === 1 ? 'GPU' : 'GPUs'} ${r.ids.join(', ')}`;
  return plural(r.count, r.type ? `free ${r.type} GPU` : 'free GPU');
}

/** "gpu-a: 2 A100 GPUs needed, 1 of 4 free (…); This machine: no NVIDIA GPU". */
export function describeSkipped(skipped: readonly SkippedHost[]): string {
  return skipped.map((s) => `${s.host}: ${s.reason}`).join('; ');
}

/**
 * The hosts placement tries, in order: those of `mlops.hosts` in the setting's order, then
 * this machine. Hosts only in ~/.ssh/config are not tried (it lists git servers too).
 */
export function placementOrder<T extends { name: string; kind: 'local' | 'ssh' }>(hosts: readonly T[], hostsSetting: unknown): T[] {
  const names = hostSettings(hostsSetting).map((h) => h.name);
  const ssh = names.map((n) => hosts.find((h) => h.kind === 'ssh' && h.name === n)).filter((h): h is T => !!h);
  return [...ssh, ...hosts.filter((h) => h.kind === 'local')];
}

function typedCount(label: string): GpuRequest {
  const [a, b] = label.split(':');
  return b === undefined ? { count: Number(a) } : { count: Number(b), type: a };
}

/** The subset of `docker inspect` we read back. */
export interface InspectLike {
  Name?: string;
  Config?: { Image?: string; Cmd?: string[] | null; Labels?: Record<string, string> | null; ExposedPorts?: Record<string, unknown> | null };
  HostConfig?: { Binds?: string[] | null; PortBindings?: Record<string, Array<{ HostPort?: string }> | null> | null };
}

/**
 * The profile a container was launched from: our spec label when present (exact), else
 * rebuilt from what the engine says (image, command, binds, ports, GPUs label).
 */
export function profileFromInspect(c: InspectLike): LaunchProfile {
  const labels = c.Config?.Labels ?? {};
  if (labels[SPEC_LABEL]) {
    try {
      const p = JSON.parse(labels[SPEC_LABEL]) as LaunchProfile;
      if (typeof p.image === 'string') return p;
    } catch {
      // fall through: rebuild from the engine's view
    }
  }
  const ports = Object.keys(c.HostConfig?.PortBindings ?? c.Config?.ExposedPorts ?? {})
    .filter((k) => k.endsWith('/tcp'))
    .map((k) => {
      const container = Number(k.replace('/tcp', ''));
      const host = Number(c.HostConfig?.PortBindings?.[k]?.[0]?.HostPort || 0);
      return host ? { container, host } : { container };
    });
  const gpusLabel = labels[GPUS_LABEL];
  const gpus: GpuRequest =
    !gpusLabel || gpusLabel === 'none' ? 'none' : gpusLabel === 'all' ? 'all' : gpusLabel.startsWith('device=') ? { ids: gpusLabel.slice(7).split(',') } : typedCount(gpusLabel);
  const mounts: MountSpec[] = (c.HostConfig?.Binds ?? []).map((b) => {
    const [source, target, mode] = b.split(':');
    return { source, target, ...(mode === 'ro' ? { readOnly: true } : {}) };
  });
  return {
    ...(labels[PROFILE_LABEL] ? { name: labels[PROFILE_LABEL] } : {}),
    image: c.Config?.Image ?? '',
    gpus,
    ports,
    ...(mounts.length ? { mounts } : {}),
    ...(c.Config?.Cmd?.length ? { command: c.Config.Cmd } : {}),
  };
}

/** The ML Workspace image (JupyterLab, VS Code, TensorBoard … behind one port). */
export const ML_WORKSPACE_IMAGE = 'mltooling/ml-workspace';

/**
 * The ML Workspace preset: its one port 8080, its token auth (AUTHENTICATE_VIA_JUPYTER:
 * the Jupyter token that also guards the other tools), and the shared memory its data
 * loaders need; `token` is made fresh for each launch.
 */
export function mlWorkspacePreset(token: string): StoredProfile {
  return {
    name: 'ml-workspace',
    image: `${ML_WORKSPACE_IMAGE}:latest`,
    ports: [8080],
    shmMb: 512,
    env: { AUTHENTICATE_VIA_JUPYTER: token },
    mountProject: true,
  };
}

/** Whether the preset is worth offering: no saved profile runs that image already. */
export function offerMlWorkspacePreset(profiles: readonly StoredProfile[]): boolean {
  return !profiles.some((p) => p.image.replace(/[:@].*$/, '') === ML_WORKSPACE_IMAGE);
}
