// Serve Model Version… → "Inside a running workspace": `mlflow models serve` run in one of
// the user's running workspace containers (this machine's engine or an SSH host's), its
// port reached here (published port, host network, or the container's address through the
// host's SSH connection), listed under the version like a local server. It is stopped when
// the window closes unless the user chose to keep it running in the workspace.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import {
  WorkspaceServer,
  containerTrackingUri,
  startServeInWorkspace,
  workspaceServeTarget,
  type MountInfo,
} from '../../core/hosts/modelServeInWorkspace';
import { startTcpForward, type PortInspect, type TcpForward } from '../../core/hosts/portForward';
import { DEFAULT_SERVE_PORT, servableWorkspaces, servePortChoice } from '../../core/models/workspaceServePicks';
import { findFreePort, servingUrl, type ServeTarget } from '../../core/models/serving';
import { showError, showInfo } from '../notify';
import { ownedWorkspace } from '../workspaces/workspaceActions';
import { hostLabel, hostOf, type WorkspaceNode, type WorkspacesTreeProvider } from '../workspaces/workspacesTree';

export interface WorkspaceServeResult {
  server: WorkspaceServer;
  keepRunning: boolean;
}

/** The user's running workspaces on every connected host (a host not yet connected is tried). */
export async function runningWorkspaces(tree: WorkspacesTreeProvider): Promise<WorkspaceNode[]> {
  const out: WorkspaceNode[] = [];
  for (const host of await tree.getChildren()) {
    if (host.kind !== 'host') continue;
    const kids = await tree.getChildren(host);
    if (!kids.includes(host.workspaces)) continue;
    out.push(...servableWorkspaces<WorkspaceNode>(await tree.getChildren(host.workspaces)));
  }
  return out;
}

export class ServeInWorkspace {
  constructor(
    private readonly tree: WorkspacesTreeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Asks where and how, starts it inside, and returns the server (not yet healthy). */
  async start(o: { target: ServeTarget; trackingUri: string; label: string; node?: WorkspaceNode }): Promise<WorkspaceServeResult | undefined> {
    const node = o.node ?? (await this.pickWorkspace(o.label));
    if (!node) return undefined;
    const where = vscode.l10n.t('workspace {0} on {1}', node.ws.name, hostLabel(hostOf(node)));
    try {
      const { host, conn, info } = await ownedWorkspace(this.tree.registry, node, { change: true });
      const trackingUri = containerTrackingUri(o.trackingUri, (info.Mounts ?? []) as MountInfo[]);
      if (!trackingUri) {
        void showError(
          vscode.l10n.t(
            'The registry {0} is not visible inside {1}: launch the workspace with the project mounted (its profile\'s mountProject) or use an MLflow tracking server (mlops.mlflow.trackingUri), then serve again.',
            o.trackingUri,
            node.ws.name,
          ),
        );
        return undefined;
      }
      const port = await this.pickPort(info as PortInspect, host.kind === 'local', node.ws.name);
      if (port === undefined) return undefined;
      const target = workspaceServeTarget(info as PortInspect, port);
      if (!target) {
        void showError(vscode.l10n.t('{0} publishes no port and has no network address to reach: launch it again with a port (such as {1}) in the Ports step, then serve again.', node.ws.name, DEFAULT_SERVE_PORT));
        return undefined;
      }
      const keep = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Stop it when this window closes'), keep: false },
          { label: vscode.l10n.t('Keep it running in the workspace'), detail: vscode.l10n.t('It stays up after the window closes; stop it from the Models view, or in the workspace.'), keep: true },
        ],
        { title: vscode.l10n.t('Serve {0} in {1}', o.label, node.ws.name) },
      );
      if (!keep) return undefined;
      const started = await startServeInWorkspace(conn, node.ws.id, { target: o.target, trackingUri, port });
      if (!started.ok) {
        const next =
          started.reason === 'missing'
            ? vscode.l10n.t('Install it in the workspace (pip install mlflow and the model\'s requirements, in its terminal) or launch one from an image that has it, then serve again.')
            : vscode.l10n.t('See the log for details.');
        this.log.warn(`Serving ${o.label} in ${where}: ${started.detail}`);
        void showError(vscode.l10n.t('cannot serve {0} in {1}: {2}. {3}', o.label, node.ws.name, started.detail, next));
        return undefined;
      }
      let tunnel: TcpForward | undefined;
      let url = servingUrl(target.host, target.port);
      if (host.kind !== 'local') {
        if (!conn.openTcp) throw new Error(vscode.l10n.t('{0} cannot forward ports.', hostLabel(host)));
        tunnel = await startTcpForward((h, p) => conn.openTcp!(h, p), target, { onError: (e) => this.log.warn(`Serving ${o.label}: forward: ${e.message}`) });
        url = servingUrl('127.0.0.1', tunnel.localPort);
      }
      this.log.info(`Serving ${o.label} in ${where}: port ${port} → ${url} (MLFLOW_TRACKING_URI=${trackingUri} inside, output in ${started.logFile})`);
      return { server: new WorkspaceServer(conn, node.ws.id, { target: o.target, trackingUri, host: '0.0.0.0', port }, url, where, tunnel), keepRunning: keep.keep };
    } catch (err) {
      this.log.error(`Serving ${o.label} in ${where}: ${errorMessage(err)}`);
      void showError(vscode.l10n.t('cannot serve {0} in {1}: {2}', o.label, node.ws.name, errorMessage(err)));
      return undefined;
    }
  }

  private async pickWorkspace(label: string): Promise<WorkspaceNode | undefined> {
    const list = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Looking for running workspaces…') }, () => runningWorkspaces(this.tree));
    if (!list.length) {
      void showInfo(vscode.l10n.t('No running workspace of yours. Launch one whose image has mlflow (MLOps: Launch Workspace…), then serve again.'));
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      list.map((n) => ({ label: n.ws.name, description: hostLabel(hostOf(n)), detail: n.ws.image, n })),
      { title: vscode.l10n.t('Serve {0} in which workspace?', label) },
    );
    return pick?.n;
  }

  /** servePortChoice's answer; several published ports are asked. */
  private async pickPort(info: PortInspect, local: boolean, name: string): Promise<number | undefined> {
    const choice = servePortChoice(info, local);
    if (choice.kind === 'port') return choice.port;
    if (choice.kind === 'free-local') return findFreePort();
    const pick = await vscode.window.showQuickPick(
      choice.ports.map((p) => ({ label: String(p.port), description: p.use ? vscode.l10n.t('published for {0}', p.use) : '', p: p.port })),
      { title: vscode.l10n.t('Serve on which port of {0}?', name) },
    );
    return pick?.p;
  }
}
