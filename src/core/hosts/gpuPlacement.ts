// Free-GPU placement: the first host (in the order given) with enough free GPUs of the
// asked type, and the device ids to hand Docker; otherwise why each host was skipped.
// Pure: the snapshots come from the same probe as the Workspaces view.
import { plural } from '../common/format';
import { gpuHolders, gpuUse, reservedGpuIds } from './gpuHolders';
import type { GpuInfo, GpuProbeResult } from './gpuProbe';
import type { WorkspaceSummary } from './workspaces';

export type GpuPlacementRequest = { count: number; type?: string } | { ids: string[] };

export interface HostGpuSnapshot {
  host: string;
  /** The probe's answer, or why the host could not be asked. */
  probe: GpuProbeResult | { kind: 'unreachable'; message: string };
  /** Our workspaces there: names the holders and marks GPUs given to running ones. */
  workspaces?: ReadonlyArray<Pick<WorkspaceSummary, 'id' | 'name' | 'state' | 'labels'>>;
}

export interface SkippedHost {
  host: string;
  reason: string;
}

export type Placement = { host: string; deviceIds: string[]; skipped: SkippedHost[] } | { reasons: SkippedHost[] };

const tokens = (s: string) => s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

/**
 * "A100" names "NVIDIA A100-SXM4-80GB", "rtx4090" names "NVIDIA GeForce RTX 4090": the type
 * must equal one or more whole consecutive words of the name, so "A10" does not name an A100.
 */
export function gpuMatchesType(name: string, type: string): boolean {
  const want = tokens(type).join('');
  if (!want) return true;
  const t = tokens(name);
  for (let i = 0; i < t.length; i++) {
    let joined = '';
    for (let j = i; j < t.length && joined.length < want.length; j++) {
      joined += t[j];
      if (joined === want) return true;
    }
  }
  return false;
}

function kinds(gpus: readonly GpuInfo[]): string {
  const counts = new Map<string, number>();
  for (const g of gpus) counts.set(g.name, (counts.get(g.name) ?? 0) + 1);
  return [...counts].map(([n, c]) => (c > 1 ? `${c}× ${n}` : n)).join(', ');
}

function placeOn(s: HostGpuSnapshot, request: GpuPlacementRequest, freeMemoryMiB: number): { deviceIds: string[] } | { reason: string } {
  const p = s.probe;
  if (p.kind === 'unreachable') return { reason: `not reachable: ${p.message}` };
  if (p.kind === 'none') return { reason: p.detail ? `${p.reason} (${p.detail})` : p.reason };
  if (p.kind === 'error') return { reason: p.message };
  const workspaces = s.workspaces ?? [];
  const reserved = reservedGpuIds(workspaces);
  const use = (g: GpuInfo) => gpuUse(g, gpuHolders(g, p.processes, workspaces), { freeMemoryMiB, processesKnown: !p.processProblem, reserved });
  if ('ids' in request) {
    const problems: string[] = [];
    const ids: string[] = [];
    for (const id of request.ids) {
      const g = p.gpus.find((x) => String(x.index) === id || x.uuid === id);
      if (!g) {
        problems.push(`no GPU ${id} (it has GPUs ${p.gpus.map((x) => x.index).join(', ')})`);
        continue;
      }
      const u = use(g);
      if (u.free) ids.push(String(g.index));
      else problems.push(`GPU ${g.index} ${u.why}`);
    }
    return problems.length ? { reason: problems.join('; ') } : { deviceIds: ids };
  }
  const ofType = request.type ? p.gpus.filter((g) => gpuMatchesType(g.name, request.type!)) : p.gpus;
  const what = request.type ? `${request.type} GPU` : 'GPU';
  if (!ofType.length) return { reason: `no ${what} (it has ${kinds(p.gpus)})` };
  const free: GpuInfo[] = [];
  const busy: string[] = [];
  for (const g of [...ofType].sort((a, b) => a.index - b.index)) {
    const u = use(g);
    if (u.free) free.push(g);
    else busy.push(`GPU ${g.index} ${u.why}`);
  }
  if (free.length >= request.count) return { deviceIds: free.slice(0, request.count).map((g) => String(g.index)) };
  const note = p.processProblem ? `; ${p.processProblem}` : '';
  return { reason: `${plural(request.count, what)} needed, ${free.length} of ${ofType.length} free (${busy.join('; ')}${note})` };
}

/** The first host that fits, with the hosts skipped before it; or every host's reason. */
export function placeGpus(hosts: readonly HostGpuSnapshot[], request: GpuPlacementRequest, opts: { freeMemoryMiB: number }): Placement {
  const skipped: SkippedHost[] = [];
  if (!hosts.length) return { reasons: [] };
  for (const s of hosts) {
    const r = placeOn(s, request, opts.freeMemoryMiB);
    if ('deviceIds' in r) return { host: s.host, deviceIds: r.deviceIds, skipped };
    skipped.push({ host: s.host, reason: r.reason });
  }
  return { reasons: skipped };
}
