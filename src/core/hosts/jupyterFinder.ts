// Finds the Jupyter server of a running workspace: its startup lines in the container's
// log first (no process started inside), then `jupyter server list` exec'd inside (the
// log may have been rotated away, or the server started from a terminal).
import type { HostConnection } from './hostConnection';
import { recentLogs } from './containerLogs';
import { jupyterFromLog, jupyterFromServerList, mlWorkspaceJupyter, type JupyterServer } from './jupyterServer';
import { exposedPorts, type PortInspect } from './portForward';
import { containerRunner } from '../provenance/containerRunner';

export type JupyterFound = { ok: true; server: JupyterServer; from: 'log' | 'server list' | 'env' } | { ok: false; why: string };

export async function findJupyter(conn: Pick<HostConnection, 'docker'>, containerId: string, opts: { timeoutMs?: number } = {}): Promise<JupyterFound> {
  const info = (await conn.docker().getContainer(containerId).inspect()) as PortInspect & { Config?: { Env?: string[] | null; Tty?: boolean; ExposedPorts?: Record<string, unknown> | null } };
  // ML Workspace's own proxy comes first: its log names the inner Jupyter port, not 8080.
  const ml = mlWorkspaceJupyter(info.Config?.Env, exposedPorts(info));
  if (ml) return { ok: true, server: ml, from: 'env' };
  const fromLog = jupyterFromLog(await recentLogs(conn, containerId, { tty: info.Config?.Tty ?? false }));
  if (fromLog) return { ok: true, server: fromLog, from: 'log' };
  const run = containerRunner(conn, containerId);
  let lastErr = '';
  for (const argv of [
    ['jupyter', 'server', 'list', '--json'],
    ['jupyter', 'notebook', 'list', '--json'],
  ]) {
    const r = await run(argv, { timeoutMs: opts.timeoutMs ?? 15000, maxBytes: 256 * 1024 });
    const s = r.code === 0 ? jupyterFromServerList(r.stdout) : undefined;
    if (s) return { ok: true, server: s, from: 'server list' };
    if (r.code === 126 || r.code === 127 || /executable file not found|not found/.test(r.stderr)) {
      return { ok: false, why: 'no Jupyter in this workspace: its log shows no Jupyter server and the image has no `jupyter` command.' };
    }
    lastErr = r.stderr.trim().split('\n').pop() ?? '';
  }
  return { ok: false, why: `no running Jupyter server found (not in the log, and \`jupyter server list\` lists none${lastErr ? `: ${lastErr}` : ''}).` };
}
