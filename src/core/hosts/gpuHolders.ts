// Who holds a GPU: its compute processes, each traced to our workspace (and its owner)
// through the container id, or said plainly when it is not ours, not in a container,
// gone, or not ours to read. Also what "free" means, for the view and for placement.
import type { GpuInfo } from './gpuProbe';
import type { GpuProcess } from './gpuProcesses';
import { GPUS_LABEL } from './workspaceSpec';
import type { WorkspaceSummary } from './workspaces';
// The owner label of a workspace (ownership.ts sets it at launch); absent on older ones.
import { OWNER_LABEL } from './ownership';

export interface GpuHolder {
  process: GpuProcess;
  /** Our workspace the process runs in, when it does. */
  workspace?: Pick<WorkspaceSummary, 'id' | 'name' | 'labels'>;
  /** "alice/bert-ft", "bert-ft", "container 3f2a9c1b7d10", "python3 (pid 4242)". */
  text: string;
}

const baseName = (p: string) => p.replace(/.*[/\\]/, '') || p;

export function holderText(p: GpuProcess, ws?: Pick<WorkspaceSummary, 'name' | 'labels'>): string {
  switch (p.owner.kind) {
    case 'container': {
      if (ws) {
        const owner = ws.labels[OWNER_LABEL]?.trim();
        return owner ? `${owner}/${ws.name}` : ws.name;
      }
      return `container ${p.owner.containerId.slice(0, 12)}`;
    }
    case 'host':
      return `${p.name ? baseName(p.name) : 'process'} (pid ${p.pid})`;
    case 'exited':
      return `pid ${p.pid} (exited)`;
    case 'denied':
      return `pid ${p.pid} (not readable)`;
    default:
      return `${p.name ? baseName(p.name) : 'process'} (pid ${p.pid})`;
  }
}

/** The processes on `gpu`, mapped to our workspaces by container id. */
export function gpuHolders(gpu: GpuInfo, processes: readonly GpuProcess[], workspaces: ReadonlyArray<Pick<WorkspaceSummary, 'id' | 'name' | 'labels'>>): GpuHolder[] {
  if (!gpu.uuid) return [];
  const byId = new Map(workspaces.map((w) => [w.id, w]));
  return processes
    .filter((p) => p.gpuUuid === gpu.uuid)
    .map((p) => {
      const ws = p.owner.kind === 'container' ? byId.get(p.owner.containerId) : undefined;
      return { process: p, ...(ws ? { workspace: ws } : {}), text: holderText(p, ws) };
    });
}

/** "alice/bert-ft", "alice/bert-ft, bob/llm +2": each holder once, at most two named. */
export function holdersSummary(holders: readonly GpuHolder[]): string {
  const names = [...new Set(holders.map((h) => h.text))];
  return names.length <= 2 ? names.join(', ') : `${names.slice(0, 2).join(', ')} +${names.length - 2}`;
}

/**
 * GPU indexes or UUIDs that running workspaces of ours were given by id (label
 * `device=0,2`): held even while nothing runs on them yet (an idle Jupyter).
 */
export function reservedGpuIds(workspaces: ReadonlyArray<Pick<WorkspaceSummary, 'state' | 'labels' | 'name'>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of workspaces) {
    const label = w.labels[GPUS_LABEL] ?? '';
    if (w.state !== 'running' || !label.startsWith('device=')) continue;
    const owner = w.labels[OWNER_LABEL]?.trim();
    for (const id of label.slice(7).split(',', 64)) if (id.trim()) out.set(id.trim(), owner ? `${owner}/${w.name}` : w.name);
  }
  return out;
}

export type GpuUse = { free: true } | { free: false; why: string };

/**
 * Free = no compute process on it, memory used below `freeMemoryMiB`, and not given to a
 * running workspace of ours. Unknown memory counts as free only when the processes are known.
 */
export function gpuUse(gpu: GpuInfo, holders: readonly GpuHolder[], opts: { freeMemoryMiB: number; processesKnown: boolean; reserved?: ReadonlyMap<string, string> }): GpuUse {
  if (holders.length) return { free: false, why: `held by ${holdersSummary(holders)}` };
  const reservedBy = opts.reserved?.get(String(gpu.index)) ?? (gpu.uuid ? opts.reserved?.get(gpu.uuid) : undefined);
  if (reservedBy) return { free: false, why: `given to ${reservedBy}` };
  if (gpu.memoryUsedMiB === null) return opts.processesKnown ? { free: true } : { free: false, why: 'memory use and processes unknown' };
  if (gpu.memoryUsedMiB >= opts.freeMemoryMiB) return { free: false, why: `${(gpu.memoryUsedMiB / 1024).toFixed(1)} GiB in use` };
  return { free: true };
}
