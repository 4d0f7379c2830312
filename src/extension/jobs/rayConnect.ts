// A Ray cluster's backend: its dashboard reached directly or through an SSH host (a local
// port forwarded over that host's one SSH connection, as `ssh -L` would), with the auth
// token for a dashboard behind a proxy from SecretStorage (never from settings).
import { userInfo } from 'node:os';
import * as vscode from 'vscode';
import { startTcpForward, type TcpForward } from '../../core/hosts/portForward';
import type { RayBackend } from '../../core/jobs/ray/rayBackend';
import { loadLazy } from '../lazy/load';
import { setting } from '../settings';
import type { HostRegistry } from '../workspaces/hosts';
import type { ClusterSetting } from './clusterSettings';

type JobsLib = typeof import('../lazy/jobsLib');
const jobsLib = (): JobsLib => loadLazy<JobsLib>('jobsLib');

const tokenKey = (cluster: string) => `mlops.ray.token.${cluster}`;

export async function rayToken(secrets: vscode.SecretStorage, cluster: string): Promise<string | undefined> {
  return secrets.get(tokenKey(cluster));
}

/** *MLOps: Set Ray Cluster Token…*: stores (or, left empty, removes) the token of one Ray cluster. */
export async function setRayToken(secrets: vscode.SecretStorage, clusters: ClusterSetting[], name?: string): Promise<string | undefined> {
  const ray = clusters.filter((c) => c.ray);
  const chosen = name ? ray.find((c) => c.name === name) : ray.length === 1 ? ray[0] : (await vscode.window.showQuickPick(ray.map((c) => ({ label: c.name, description: c.ray!.address, c })), { placeHolder: vscode.l10n.t('Ray cluster whose token to set') }))?.c;
  if (!chosen) return undefined;
  const token = await vscode.window.showInputBox({
    title: vscode.l10n.t('Auth token for {0}', chosen.name),
    prompt: vscode.l10n.t('Sent as "Authorization: Bearer <token>" to the dashboard (for a cluster behind an authenticating proxy). Leave empty to remove it.'),
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return undefined;
  if (token.trim()) await secrets.store(tokenKey(chosen.name), token.trim());
  else await secrets.delete(tokenKey(chosen.name));
  return chosen.name;
}

export interface RayConnection {
  backend: RayBackend;
  dispose(): Promise<void>;
}

/** The backend for a Ray entry; with `sshHost`, a forward to the dashboard as that host sees it. */
export async function connectRay(cluster: ClusterSetting, registry: HostRegistry, secrets: vscode.SecretStorage): Promise<RayConnection> {
  const ray = cluster.ray!;
  const url = new URL(ray.address);
  let forward: TcpForward | undefined;
  if (ray.sshHost) {
    const host = await registry.find(ray.sshHost);
    if (!host || host.kind !== 'ssh') throw new Error(vscode.l10n.t('Cluster {0}: its sshHost {1} is not an SSH host of MLOps › Hosts or ~/.ssh/config.', cluster.name, ray.sshHost));
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    // The connection is looked up per socket: the Workspaces view may have made it anew.
    forward = await startTcpForward(
      (h, p) => {
        const c = registry.connection(host);
        if (!c.openTcp) throw new Error(vscode.l10n.t('{0} cannot forward ports.', host.name));
        return c.openTcp(h, p);
      },
      { host: url.hostname, port },
    );
    url.hostname = '127.0.0.1';
    url.port = String(forward.localPort);
  }
  const token = await rayToken(secrets, cluster.name);
  const backend = new (jobsLib().RayBackend)({
    address: url.href,
    user: userInfo().username,
    name: cluster.name,
    timeoutMs: Math.max(1, setting('workspaces.callTimeoutSeconds')) * 1000,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    // Through a forward the URL names 127.0.0.1: https still checks the certificate against the dashboard's own name.
    ...(forward ? { servername: new URL(ray.address).hostname } : {}),
  });
  return {
    backend,
    dispose: async () => {
      backend.dispose();
      await forward?.close();
    },
  };
}
