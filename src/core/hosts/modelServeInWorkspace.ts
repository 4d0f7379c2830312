// "Serve in a workspace": `mlflow models serve` run inside a running workspace container
// (this machine's engine or an SSH host's), detached so it outlives the exec, listening on
// the container's addresses so the port can be forwarded here. Its pid and output go to
// files inside; stop signals it and its children (uvicorn is mlflow's child) by that pid.
import { containerRunner } from '../provenance/containerRunner';
import { modelUri, waitHealthy, type HealthResult, type ServeLaunch, type ServePlan, type ServeTarget } from '../models/serving';
import type { RunningServer } from '../models/servingProcess';
import type { HostConnection } from './hostConnection';
import { forwardTarget, type ForwardTarget, type PortInspect, type TcpForward } from './portForward';

/** The argv run inside: the image's own `mlflow`, its own environment, every address. */
export function workspaceServeArgv(target: ServeTarget, port: number): string[] {
  return ['mlflow', 'models', 'serve', '-m', modelUri(target), '--env-manager', 'local', '-h', '0.0.0.0', '-p', String(port)];
}

export const workspaceServeLogFile = (port: number) => `/tmp/mlops-serve-${port}.log`;
const pidFile = (port: number) => `/tmp/mlops-serve-${port}.pid`;

export interface MountInfo {
  Source?: string;
  Destination?: string;
}

/**
 * The registry's tracking URI as the container sees it: a server URL as it is; a sqlite
 * file or file store on this machine through the mount that holds it (the project mounted
 * at /workspace…); undefined when the container cannot see it.
 */
export function containerTrackingUri(uri: string, mounts: readonly MountInfo[]): string | undefined {
  if (/^https?:\/\//i.test(uri) || /^databricks/i.test(uri)) return uri;
  const sqlite = /^sqlite:\/\/\/(.*)$/.exec(uri);
  const file = /^file:\/\/(\/.*)$/.exec(uri) ?? /^file:(\/.*)$/.exec(uri);
  const local = sqlite ? (sqlite[1].startsWith('/') ? sqlite[1] : `/${sqlite[1]}`) : file ? file[1] : uri.startsWith('/') ? uri : undefined;
  if (!local) return undefined;
  // The longest mount source that holds the path wins (a nested mount over the project).
  const m = [...mounts]
    .filter((x) => x.Source && x.Destination && (local === x.Source || local.startsWith(x.Source.endsWith('/') ? x.Source : `${x.Source}/`)))
    .sort((a, b) => b.Source!.length - a.Source!.length)[0];
  if (!m) return undefined;
  const inside = m.Destination!.replace(/\/$/, '') + local.slice(m.Source!.replace(/\/$/, '').length);
  return sqlite ? `sqlite:///${inside.replace(/^\//, '')}` : file ? `file://${inside}` : inside;
}

/**
 * Where the container's `port` is reached from the Docker host: its published port (or
 * itself on the host network), else the container's own address on its network (a Linux
 * engine's bridge is reachable from its host, which is where our SSH forward ends).
 */
export function workspaceServeTarget(info: PortInspect & { NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> | null } | null }, port: number): ForwardTarget | undefined {
  const published = forwardTarget(info, port);
  if (published.ok) return published.target;
  const ip = info.NetworkSettings?.IPAddress || Object.values(info.NetworkSettings?.Networks ?? {}).find((n) => n?.IPAddress)?.IPAddress;
  return ip ? { host: ip, port } : undefined;
}

export type WorkspaceServeStart = { ok: true; logFile: string } | { ok: false; reason: 'missing' | 'failed'; detail: string };

/**
 * Checks the image has `mlflow`, then starts it detached with MLFLOW_TRACKING_URI set. A
 * server we started before on this port is stopped first (by our pid file only). Returns at
 * once: the caller waits for the forwarded `/ping`.
 */
export async function startServeInWorkspace(conn: Pick<HostConnection, 'docker'>, containerId: string, o: { target: ServeTarget; trackingUri: string; port: number }): Promise<WorkspaceServeStart> {
  const run = containerRunner(conn, containerId);
  const check = await run(['sh', '-c', 'command -v mlflow >/dev/null 2>&1 || exit 3'], { timeoutMs: 15000 });
  if (check.code === 3) return { ok: false, reason: 'missing', detail: 'the workspace has no `mlflow` command' };
  if (check.code !== 0) return { ok: false, reason: 'failed', detail: check.stderr.trim() || `the check exited with ${check.code}` };
  await stopServeInWorkspace(conn, containerId, o.port);
  const logFile = workspaceServeLogFile(o.port);
  // `exec` keeps the pid the file names; the argv travels as arguments of sh, never inside the script.
  const script = ['log="$1"; pidf="$2"; export MLFLOW_TRACKING_URI="$3"; shift 3', 'echo $$ >"$pidf"', 'exec "$@" >"$log" 2>&1'].join('\n');
  const exec = await conn.docker().getContainer(containerId).exec({
    Cmd: ['sh', '-c', script, 'sh', logFile, pidFile(o.port), o.trackingUri, ...workspaceServeArgv(o.target, o.port)],
    Env: ['PYTHONUNBUFFERED=1'],
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
  });
  await exec.start({ Detach: true });
  return { ok: true, logFile };
}

// The pid in our file and its descendants (read from /proc, any shell), TERM, then KILL
// after 10 s; the pid file goes. Nobody else's process is touched.
const STOP_SCRIPT = [
  'pidf="$1"; pid=$(cat "$pidf" 2>/dev/null) || exit 0',
  'tree() { echo "$1"; for s in /proc/[0-9]*/stat; do st=$(cat "$s" 2>/dev/null) || continue; r=${st##*) }; set -- "$1" $r; if [ "$3" = "$1" ]; then p=${s%/stat}; tree "${p#/proc/}"; fi; done; }',
  'all=$(tree "$pid")',
  'kill -TERM $all 2>/dev/null',
  'i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 10 ]; do sleep 1; i=$((i+1)); done',
  'kill -KILL $all 2>/dev/null',
  'rm -f "$pidf"',
].join('\n');

/** Stops the server we started on `port` (and what it started); true when one was running. */
export async function stopServeInWorkspace(conn: Pick<HostConnection, 'docker'>, containerId: string, port: number): Promise<boolean> {
  const r = await containerRunner(conn, containerId)(['sh', '-c', `[ -f "$1" ] || exit 5\n${STOP_SCRIPT}`, 'sh', pidFile(port)], { timeoutMs: 30000 });
  return r.code === 0;
}

/** Whether our server on `port` is still running inside. */
export async function serveRunningInWorkspace(conn: Pick<HostConnection, 'docker'>, containerId: string, port: number): Promise<boolean> {
  const r = await containerRunner(conn, containerId)(['sh', '-c', 'pid=$(cat "$1" 2>/dev/null) && kill -0 "$pid" 2>/dev/null', 'sh', pidFile(port)], { timeoutMs: 15000 });
  return r.code === 0;
}

/** The last lines the server wrote inside, for a start that never answered. */
export async function serveOutputInWorkspace(conn: Pick<HostConnection, 'docker'>, containerId: string, port: number, lines = 20): Promise<string> {
  const r = await containerRunner(conn, containerId)(['tail', '-n', String(lines), workspaceServeLogFile(port)], { timeoutMs: 10000, maxBytes: 64 * 1024 });
  return r.stdout.trim();
}

// While waiting for health, how often we ask whether the process inside still runs.
const ALIVE_CHECK_MS = 3000;

/**
 * A server started inside a workspace, reached here through `url` (the published port, or
 * our forward of it). Stop ends the process inside and the forward; detach ends only the
 * forward (the server keeps running in the workspace).
 */
export class WorkspaceServer implements RunningServer {
  readonly argv: string[];
  readonly launch: ServeLaunch;
  readonly pid = undefined;
  private exitReason?: string;
  private tail = '';
  private resolveExit!: () => void;
  private readonly exited = new Promise<void>((r) => (this.resolveExit = r));

  constructor(
    private readonly conn: Pick<HostConnection, 'docker'>,
    private readonly containerId: string,
    readonly plan: Omit<ServePlan, 'mlflow'>,
    readonly url: string,
    readonly where: string,
    private readonly tunnel?: TcpForward,
  ) {
    this.argv = ['docker', 'exec', containerId.slice(0, 12), ...workspaceServeArgv(plan.target, plan.port)];
    this.launch = { argv: this.argv, env: {}, url, healthPath: '/ping', protocol: 'mlflow' };
  }

  get exit(): string | undefined {
    return this.exitReason;
  }

  logTail(lines = 12): string {
    return this.tail.split('\n').slice(-lines).join('\n');
  }

  /** Reads the server's output file inside (for a failure's message). */
  async refreshLog(): Promise<string> {
    this.tail = await serveOutputInWorkspace(this.conn, this.containerId, this.plan.port, 40).catch(() => this.tail);
    return this.tail;
  }

  /** Until `/ping` answers through the forward, the process inside exits, or the deadline. */
  async waitHealthy(deadlineMs: number, cancelled?: () => boolean): Promise<HealthResult> {
    let checking = false;
    const alive = setInterval(() => {
      if (checking || this.exitReason) return;
      checking = true;
      void serveRunningInWorkspace(this.conn, this.containerId, this.plan.port)
        .then(async (up) => {
          if (up) return;
          await this.refreshLog();
          this.gone('the server exited inside the workspace');
        })
        .finally(() => (checking = false));
    }, ALIVE_CHECK_MS);
    try {
      const r = await waitHealthy(this.url, { deadlineMs, abort: () => this.exitReason ?? (cancelled?.() ? 'cancelled' : undefined) });
      if (!r.healthy) await this.refreshLog();
      return r;
    } finally {
      clearInterval(alive);
    }
  }

  private gone(reason: string): void {
    this.exitReason ??= reason;
    void (this.tunnel?.close() ?? Promise.resolve()).finally(() => this.resolveExit());
  }

  async stop(): Promise<void> {
    if (this.exitReason) return this.exited;
    await stopServeInWorkspace(this.conn, this.containerId, this.plan.port).catch(() => false);
    this.gone('stopped');
    return this.exited;
  }

  async detach(): Promise<void> {
    this.gone('left running in the workspace');
    return this.exited;
  }

  whenExited(): Promise<void> {
    return this.exited;
  }
}
