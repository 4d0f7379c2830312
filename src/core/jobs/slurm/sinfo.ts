// Partitions and nodes from one `sinfo -N` (a row per node and partition), with GPUs
// free/total per GRES type from the node's Gres and GresUsed.
import { parseSlurmDuration } from '../resources';
import type { ClusterNode, ClusterWarning, GpuCount, Partition } from '../types';
import { int, present, SEP, splitRecords, type Limits } from './fields';

const FIELDS = ['NodeList', 'Partition', 'Available', 'Time', 'StateLong', 'Gres', 'GresUsed', 'CPUsState', 'Memory', 'AllocMem', 'Reason'] as const;

/** argv of the sinfo we parse: every node of every partition (`-a`: hidden ones too). */
export const SINFO_ARGV: readonly string[] = ['sinfo', '-h', '-a', '-N', '-O', FIELDS.map((f) => `${f}:${SEP}`).join(',')];

/** Splits `gpu:a100:2(S:0-1),gpu:v100:1` at the commas outside parentheses. */
function gresItems(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      items.push(cur);
      cur = '';
    } else cur += ch;
  }
  items.push(cur);
  return items.map((s) => s.trim()).filter(Boolean);
}

/**
 * GPU counts per type in a Gres or GresUsed field: `gpu:a100:2`, `gpu:2`,
 * `gpu:a100:1(IDX:0)`, `gpu:a100:2(S:0-1)`. Other GRES (`shard`, `mps`) are not GPUs.
 */
export function gpuCounts(field: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const t = present(field);
  if (!t) return out;
  for (const item of gresItems(t)) {
    const bare = item.replace(/\(.*$/, '');
    const parts = bare.split(':');
    if (parts[0] !== 'gpu') continue;
    const count = Number(parts[parts.length - 1]);
    if (!Number.isSafeInteger(count)) continue;
    const type = parts.length >= 3 ? parts.slice(1, -1).join(':') : '';
    out.set(type, (out.get(type) ?? 0) + count);
  }
  return out;
}

function nodeGpus(gres: string, used: string): GpuCount[] {
  const total = gpuCounts(gres);
  const inUse = gpuCounts(used);
  return [...total].map(([type, n]) => ({ type, total: n, used: Math.min(n, inUse.get(type) ?? 0) }));
}

function sumGpus(nodes: ClusterNode[]): GpuCount[] {
  const by = new Map<string, GpuCount>();
  for (const n of nodes) {
    for (const g of n.gpus) {
      const c = by.get(g.type) ?? { type: g.type, total: 0, used: 0 };
      c.total += g.total;
      c.used += g.used;
      by.set(g.type, c);
    }
  }
  return [...by.values()];
}

export function parseSinfo(text: string, warnings: ClusterWarning[], limits?: Limits): Partition[] {
  const parts = new Map<string, Partition>();
  for (const r of splitRecords(text, FIELDS.length, 'partitions', warnings, limits)) {
    const [node, partition, avail, time, state, gres, gresUsed, cpus, mem, allocMem, reason] = r;
    const isDefault = partition.endsWith('*');
    const name = isDefault ? partition.slice(0, -1) : partition;
    let p = parts.get(name);
    if (!p) {
      const maxTime = parseSlurmDuration(time);
      p = { name, isDefault, availability: avail.trim(), maxTimeSec: maxTime === undefined ? null : maxTime, nodes: [], gpus: [] };
      parts.set(name, p);
    }
    // CPUsState is allocated/idle/other/total.
    const [a, , , t] = cpus.split('/').map((x) => int(x) ?? 0);
    const why = present(reason);
    p.nodes.push({
      name: node.trim(),
      state: state.trim(),
      cpusAllocated: a ?? 0,
      cpusTotal: t ?? 0,
      memoryMiB: int(mem) ?? 0,
      memoryAllocatedMiB: int(allocMem) ?? 0,
      gpus: nodeGpus(gres, gresUsed),
      ...(why && why !== 'none' ? { reason: why } : {}),
    });
  }
  for (const p of parts.values()) p.gpus = sumGpus(p.nodes);
  return [...parts.values()];
}

/** GRES types the cluster declares, for `A100:2` → the cluster's own spelling. */
export function gpuTypes(partitions: readonly Partition[]): string[] {
  return [...new Set(partitions.flatMap((p) => p.gpus.map((g) => g.type)).filter(Boolean))];
}
