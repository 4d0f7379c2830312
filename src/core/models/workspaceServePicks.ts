// The choices Serve Model Version… makes for a workspace, apart from the dialogs that ask:
// which workspaces can serve, which container port to serve on, and the tracking URI the
// registry has here (the container sees it through its mounts: containerTrackingUri).
import { pathToFileURL } from 'node:url';
import { exposedPorts, type PortInspect } from '../hosts/portForward';

// The container port when the workspace publishes none we can use: beside MLflow's 5000.
export const DEFAULT_SERVE_PORT = 5001;
// Ports a workspace publishes for other things: offered last, and named.
export const OTHER_PORT_USES: Readonly<Record<number, string>> = { 8888: 'Jupyter', 6006: 'TensorBoard' };

/** MLflow's tracking URI for a registry: what its client and `mlflow models serve` read. */
export function registryTrackingUri(kind: string, location: string): string {
  if (kind === 'mlflow-sqlite') return `sqlite:///${location.replace(/\\/g, '/')}`;
  if (kind === 'mlflow-file') return pathToFileURL(location).href;
  return location;
}

/** A workspace row of the Workspaces view, as far as this choice needs it. */
export interface WorkspaceLike {
  kind: 'workspace';
  mine: boolean;
  ws: { state: string };
}
type Row<W> = W | { kind: string; items?: readonly (W | { kind: string })[] };

/** Workspaces that can serve: the user's own (never a teammate's) that run, from the "mine"/"team" groups or a flat list. */
export function servableWorkspaces<W extends WorkspaceLike>(rows: readonly Row<W>[]): W[] {
  const flat = rows.flatMap((k): readonly Row<W>[] => ((k.kind === 'mine' || k.kind === 'team') && 'items' in k ? (k.items ?? []) : [k]));
  return flat.filter((k): k is W => k.kind === 'workspace' && (k as W).mine === true && (k as W).ws?.state === 'running');
}

export type ServePortChoice =
  | { kind: 'port'; port: number }
  /** The host network on this machine: any free port here is free in there. */
  | { kind: 'free-local' }
  | { kind: 'ask'; ports: { port: number; use?: string }[] };

/**
 * The container port: on the host network a free one (this machine) or the default (a remote
 * host, where we cannot probe); a published port, asked when there are several (those
 * published for Jupyter or TensorBoard last); none published: the default, reached at the
 * container's address.
 */
export function servePortChoice(info: PortInspect & { Config?: { ExposedPorts?: Record<string, unknown> | null } }, local: boolean): ServePortChoice {
  if (info.HostConfig?.NetworkMode === 'host') return local ? { kind: 'free-local' } : { kind: 'port', port: DEFAULT_SERVE_PORT };
  const ports = exposedPorts(info).sort((a, b) => Number(a in OTHER_PORT_USES) - Number(b in OTHER_PORT_USES) || a - b);
  if (!ports.length) return { kind: 'port', port: DEFAULT_SERVE_PORT };
  if (ports.length === 1) return { kind: 'port', port: ports[0] };
  return { kind: 'ask', ports: ports.map((port) => ({ port, use: OTHER_PORT_USES[port] })) };
}
