// Messages between the extension host and the pipeline DAG webview. Both ends check
// what arrives: a webview restored after an update may speak an older shape.

export type DagNodeState = 'up to date' | 'changed' | 'not run yet' | 'frozen' | 'status unknown';

export interface DagNode {
  /** The stage name as DVC runs it (`train`, `train@small`). */
  id: string;
  state: DagNodeState;
  cmd: string;
  /** Top-left corner and size, laid out by the host (layers left to right). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DagEdge {
  /** Upstream stage → the stage that depends on it. */
  from: string;
  to: string;
}

export type HostToDag = { type: 'graph'; title: string; nodes: DagNode[]; edges: DagEdge[]; width: number; height: number; problem?: string };

export type DagToHost = { type: 'ready' } | { type: 'reveal'; stage: string } | { type: 'run'; stage: string };

export function parseDagToHost(m: unknown): DagToHost | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const o = m as Record<string, unknown>;
  if (o.type === 'ready') return { type: 'ready' };
  if ((o.type === 'reveal' || o.type === 'run') && typeof o.stage === 'string') return { type: o.type, stage: o.stage };
  return undefined;
}

export function parseHostToDag(m: unknown): HostToDag | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const o = m as Record<string, unknown>;
  if (o.type !== 'graph' || !Array.isArray(o.nodes) || !Array.isArray(o.edges)) return undefined;
  return o as unknown as HostToDag;
}
