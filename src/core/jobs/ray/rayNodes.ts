// The cluster's nodes: the state API's node list (`/api/v0/nodes`: alive/dead, head, totals)
// joined with the autoscaler's per-node usage (`/api/cluster_status`: used/total of each
// logical resource, what `ray status -v` prints). One pseudo-partition holds them: Ray has
// no partitions. Untrusted JSON, read field by field; a dead node has no usage.
import type { ClusterNode, ClusterWarning, GpuCount, Partition } from '../types';

export const MAX_NODES = 10000;

type Usage = Record<string, [number, number]>;

const obj = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const MiB = 1024 * 1024;

/** `usageByNode` of `/api/cluster_status`: node id → resource → [used, total]. */
export function parseUsageByNode(raw: unknown): Map<string, Usage> {
  const out = new Map<string, Usage>();
  const byNode = obj(obj(obj(obj(obj(raw)?.data)?.clusterStatus)?.loadMetricsReport)?.usageByNode);
  if (!byNode) return out;
  for (const [id, u] of Object.entries(byNode)) {
    const usage: Usage = {};
    for (const [k, pair] of Object.entries(obj(u) ?? {})) if (Array.isArray(pair) && pair.length === 2) usage[k] = [num(pair[0]), num(pair[1])];
    out.set(id, usage);
  }
  return out;
}

/** GPU type from Ray's `accelerator_type:A100` resource (set by Ray on GPU nodes). */
function gpuType(resources: Record<string, unknown>): string {
  const k = Object.keys(resources).find((r) => r.startsWith('accelerator_type:'));
  return k ? k.slice('accelerator_type:'.length) : '';
}

/** The state API's nodes with their usage, as one partition named after the cluster. */
export function parseRayNodes(stateAnswer: unknown, usage: Map<string, Usage>, name = 'ray'): { partition: Partition; warnings: ClusterWarning[] } {
  const warnings: ClusterWarning[] = [];
  const result = obj(obj(obj(stateAnswer)?.data)?.result);
  const list = Array.isArray(result?.result) ? (result.result as unknown[]) : [];
  if (!result) warnings.push({ part: 'nodes', message: 'the dashboard\'s node list has an unknown shape' });
  if (typeof result?.total === 'number' && result.total > list.length) warnings.push({ part: 'nodes', message: `${result.total} nodes; ${list.length} shown` });
  if (list.length > MAX_NODES) warnings.push({ part: 'nodes', message: `${list.length} nodes; the first ${MAX_NODES} are shown` });
  const nodes: ClusterNode[] = [];
  for (const raw of list.slice(0, MAX_NODES)) {
    const n = obj(raw);
    if (!n || typeof n.node_id !== 'string') continue;
    const total = obj(n.resources_total) ?? {};
    const state = typeof n.state === 'string' ? n.state : 'UNKNOWN';
    const used = state === 'ALIVE' ? usage.get(n.node_id) ?? {} : {};
    const pair = (k: string, alt?: string): [number, number] => used[k] ?? (alt ? used[alt] : undefined) ?? [0, num(total[alt ?? k] ?? total[k])];
    const [cpuUsed, cpuTotal] = pair('CPU');
    const [memUsed, memTotal] = pair('memory');
    const [gpuUsed, gpuTotal] = pair('GPU');
    const gpus: GpuCount[] = gpuTotal > 0 ? [{ type: gpuType(total), total: gpuTotal, used: gpuUsed }] : [];
    const label = `${typeof n.node_name === 'string' ? n.node_name : typeof n.node_ip === 'string' ? n.node_ip : '?'} ${n.node_id.slice(0, 8)}${n.is_head_node === true ? ' (head)' : ''}`;
    nodes.push({
      name: label,
      state: state.toLowerCase(),
      cpusAllocated: cpuUsed,
      cpusTotal: cpuTotal,
      memoryMiB: Math.round(memTotal / MiB),
      memoryAllocatedMiB: Math.round(memUsed / MiB),
      gpus,
      ...(typeof n.state_message === 'string' && n.state_message ? { reason: n.state_message } : {}),
    });
  }
  const byType = new Map<string, GpuCount>();
  for (const n of nodes) {
    if (n.state !== 'alive') continue;
    for (const g of n.gpus) {
      const t = byType.get(g.type) ?? { type: g.type, total: 0, used: 0 };
      t.total += g.total;
      t.used += g.used;
      byType.set(g.type, t);
    }
  }
  const alive = nodes.some((n) => n.state === 'alive');
  return { partition: { name, isDefault: true, availability: alive ? 'up' : 'down', maxTimeSec: null, nodes, gpus: [...byType.values()] }, warnings };
}
