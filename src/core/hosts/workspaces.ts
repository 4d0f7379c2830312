// What the Workspaces view shows for a host: our containers (by label only) and its GPUs.
import type Docker from 'dockerode';
import { GPU_PROBE_ARGV, interpretGpuProbe, interpretGpuProbeScript, NVIDIA_SMI_QUERY_ARGV, type GpuProbeResult } from './gpuProbe';
import type { HostConnection } from './hostConnection';
import { refusal, type Refusal } from './ownership';
import type { HostGpuSnapshot } from './gpuPlacement';
import { GPUS_LABEL, PROFILE_LABEL, WORKSPACE_LABEL } from './workspaceSpec';

export interface WorkspaceSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  /** Docker's own words, e.g. "Up 3 minutes". */
  status: string;
  profile?: string;
  gpus: string;
  /** Published ports: container port → host port on the engine's host. */
  ports: Array<{ container: number; host?: number; hostIp?: string }>;
  createdAt: Date;
  labels: Record<string, string>;
}

/** The engine-side label filter; `extra` narrows further (e.g. a test run's own label). */
export function workspaceFilter(extra: Record<string, string> = {}): { label: string[] } {
  return { label: [`${WORKSPACE_LABEL}=1`, ...Object.entries(extra).map(([k, v]) => `${k}=${v}`)] };
}

export async function listWorkspaces(docker: Docker, extraLabels: Record<string, string> = {}): Promise<WorkspaceSummary[]> {
  const found = await docker.listContainers({ all: true, filters: workspaceFilter(extraLabels) });
  // The engine filtered already; checking again means a misbehaving proxy can never make us touch others' containers.
  return found
    .filter((c) => c.Labels?.[WORKSPACE_LABEL] === '1')
    .map((c) => ({
      id: c.Id,
      name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
      image: c.Image,
      state: c.State,
      status: c.Status,
      ...(c.Labels[PROFILE_LABEL] ? { profile: c.Labels[PROFILE_LABEL] } : {}),
      gpus: c.Labels[GPUS_LABEL] ?? 'none',
      ports: (c.Ports ?? []).map((p) => ({ container: p.PrivatePort, ...(p.PublicPort ? { host: p.PublicPort } : {}), ...(p.IP ? { hostIp: p.IP } : {}) })),
      createdAt: new Date(c.Created * 1000),
      labels: c.Labels,
    }));
}

/** A change to someone else's workspace, refused before anything was sent to the engine. */
export class WorkspaceRefusedError extends Error {
  constructor(
    readonly workspace: string,
    readonly refusal: Refusal,
  ) {
    super(
      refusal.reason === 'teammate'
        ? `${workspace} belongs to ${refusal.owner}: MLOps leaves a teammate's workspace alone.`
        : `${workspace} has no owner label: MLOps leaves it alone.`,
    );
    this.name = 'WorkspaceRefusedError';
  }
}

/**
 * The container after checking, on the engine, that we launched it — and, with `me`, that
 * it is `me`'s. The labels are read afresh rather than taken from the caller, so a forged
 * or stale tree item cannot make us touch another's container.
 */
export async function ourWorkspace(docker: Docker, id: string, name: string, me?: string) {
  const container = docker.getContainer(id);
  const info = await container.inspect();
  const labels = info.Config?.Labels ?? {};
  if (labels[WORKSPACE_LABEL] !== '1') throw new Error(`${name} does not carry the ${WORKSPACE_LABEL} label: MLOps leaves it alone.`);
  if (me !== undefined) {
    const r = refusal(labels, me);
    if (r) throw new WorkspaceRefusedError(name, r);
  }
  return { container, info };
}

export type WorkspaceChange = 'start' | 'stop' | 'restart' | 'remove';

/** What the start/stop/restart/remove commands do: only to `me`'s own workspace, else WorkspaceRefusedError. */
export async function changeWorkspace(docker: Docker, ws: { id: string; name: string }, action: WorkspaceChange, me: string): Promise<void> {
  const { container } = await ourWorkspace(docker, ws.id, ws.name, me);
  if (action === 'start') await container.start();
  else if (action === 'stop') await container.stop({ t: 10 });
  else if (action === 'restart') await container.restart({ t: 10 });
  else await container.remove({ force: true, v: false });
}

/**
 * The GPUs, their processes and each process's container: one command on the connection's
 * long-lived shell (a new SSH session per refresh would cost more than the probe). Where
 * there is no `sh` (a Windows machine's local engine) it asks nvidia-smi for the GPUs alone.
 */
export async function probeGpus(conn: HostConnection, timeoutMs?: number): Promise<GpuProbeResult> {
  const opts = { reuseShell: true, ...(timeoutMs ? { timeoutMs } : {}) };
  try {
    const out = await conn.exec(GPU_PROBE_ARGV, opts);
    if (out.code === 127 && !out.stdout.trim()) return interpretGpuProbe(await conn.exec(NVIDIA_SMI_QUERY_ARGV, opts));
    return interpretGpuProbeScript(out);
  } catch (e) {
    return { kind: 'error', message: `GPU probe failed: ${(e as Error).message}` };
  }
}

/** What placement needs of a host: its GPU probe and our workspaces there (to name holders and reserved GPUs). */
export async function gpuSnapshot(host: string, conn: HostConnection, timeoutMs?: number): Promise<HostGpuSnapshot> {
  const [probe, workspaces] = await Promise.all([probeGpus(conn, timeoutMs), listWorkspaces(conn.docker()).catch(() => [])]);
  return { host, probe, workspaces };
}
