// Workspace ports on this machine, opened in the browser. Locally the published port is
// already here; an SSH host's port comes through a local listener and ssh2's forwarding on
// the host's one connection. The list stays for the window's life, each with Stop.
import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from '../notify';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { exposedPorts, forwardTarget, startTcpForward, type PortInspect, type TcpForward } from '../../core/hosts/portForward';
import type { HostRegistry } from './hosts';
import { ownedWorkspace } from './workspaceActions';
import { hostOf, hostLabel, type WorkspaceNode } from './workspacesTree';

export interface ForwardEntry {
  host: string;
  workspace: string;
  containerId: string;
  containerPort: number;
  /** http://localhost:<port> on this machine. */
  url: string;
  localPort: number;
  /** Absent for a local workspace: its published port needs no forward. */
  tunnel?: TcpForward;
}

const key = (host: string, id: string, port: number) => `${host}\n${id}\n${port}`;

export class PortForwards implements vscode.Disposable {
  private readonly entries = new Map<string, ForwardEntry>();

  constructor(
    private readonly registry: HostRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  list(): ForwardEntry[] {
    return [...this.entries.values()];
  }

  /** Forwards (or reuses the forward of) a workspace port, then opens it unless `open: false`. */
  async forward(node: WorkspaceNode | undefined, opts: { port?: number; open?: boolean } = {}): Promise<ForwardEntry | undefined> {
    if (node?.kind !== 'workspace') {
      void showInfo(vscode.l10n.t('choose a running workspace in the Workspaces view to forward one of its ports.'));
      return undefined;
    }
    const where = hostLabel(hostOf(node));
    try {
      const { host, conn, info } = await ownedWorkspace(this.registry, node);
      const port = opts.port ?? (await this.pickPort(info as PortInspect, node.ws.name));
      if (port === undefined) return undefined;
      const k = key(host.name, node.ws.id, port);
      let entry = this.entries.get(k);
      if (!entry) {
        const t = forwardTarget(info as PortInspect, port);
        if (!t.ok) {
          void showWarning(`${t.error}`);
          return undefined;
        }
        const base = { host: host.name, workspace: node.ws.name, containerId: node.ws.id, containerPort: port };
        if (host.kind === 'local') {
          // A local engine on tcp:// publishes on that machine, not on loopback.
          const remote = /^tcp:\/\/([^:/]+)/.exec(host.address)?.[1];
          const h = remote && t.target.host === '127.0.0.1' ? remote : t.target.host === '127.0.0.1' ? 'localhost' : t.target.host;
          entry = { ...base, url: `http://${h}:${t.target.port}`, localPort: t.target.port };
        } else {
          if (!conn.openTcp) throw new Error(vscode.l10n.t('{0} cannot forward ports.', where));
          const tunnel = await startTcpForward((h, p) => conn.openTcp!(h, p), t.target, {
            onError: (e) => this.log.warn(`Workspaces: forward of ${node.ws.name}:${port}: ${e.message}`),
          });
          entry = { ...base, url: `http://localhost:${tunnel.localPort}`, localPort: tunnel.localPort, tunnel };
        }
        this.entries.set(k, entry);
        this.log.info(`Workspaces: port ${port} of ${node.ws.name} on ${host.name} → ${entry.url}`);
      }
      if (opts.open !== false) await this.open(entry);
      return entry;
    } catch (err) {
      const p = describeEngineError(err, where);
      this.log.error(`Workspaces: forwarding a port of ${node.ws.name}: ${p.detail}`);
      void showError(`${vscode.l10n.t('could not forward a port of {0}.', node.ws.name)} ${p.message} ${p.nextStep}`);
      return undefined;
    }
  }

  private async pickPort(info: PortInspect, name: string): Promise<number | undefined> {
    const ports = exposedPorts(info);
    if (!ports.length) {
      void showWarning(vscode.l10n.t('{0} publishes no ports. Launch it again with ports (Jupyter 8888, TensorBoard 6006) in the Ports step.', name));
      return undefined;
    }
    if (ports.length === 1) return ports[0];
    const known: Record<number, string> = { 8888: 'Jupyter', 6006: 'TensorBoard', 8080: 'HTTP', 5000: 'MLflow' };
    const pick = await vscode.window.showQuickPick(
      ports.map((p) => ({ label: String(p), description: known[p] ?? '', port: p })),
      { title: vscode.l10n.t('MLOps: Forward a port of {0}', name), placeHolder: vscode.l10n.t('Which container port?') },
    );
    return pick?.port;
  }

  /** Opens the forward in the browser; `url` a page of it (Jupyter's /lab?token=…). */
  async open(e: ForwardEntry, url = e.url): Promise<void> {
    // In a browser-hosted VS Code, the port of "this machine" is reached through its proxy.
    const uri = await vscode.env.asExternalUri(vscode.Uri.parse(url));
    await vscode.env.openExternal(uri);
  }

  async stop(e: ForwardEntry): Promise<void> {
    this.entries.delete(key(e.host, e.containerId, e.containerPort));
    await e.tunnel?.close();
    this.log.info(`Workspaces: stopped forwarding ${e.workspace}:${e.containerPort} (${e.url})`);
  }

  /** The forward list: open or stop each. */
  async show(): Promise<void> {
    if (!this.entries.size) {
      void showInfo(vscode.l10n.t('no forwarded ports. Use "Forward Port…" on a running workspace in the Workspaces view.'));
      return;
    }
    const stopButton = { iconPath: new vscode.ThemeIcon('debug-stop'), tooltip: vscode.l10n.t('Stop forwarding') };
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { entry: ForwardEntry }>();
    qp.title = vscode.l10n.t('MLOps: Forwarded Ports');
    qp.placeholder = vscode.l10n.t('Open one in the browser, or stop it with the button');
    const refill = () =>
      (qp.items = this.list().map((e) => ({
        label: `${e.workspace}:${e.containerPort}`,
        description: `${e.url} · ${e.host} · ${e.tunnel ? vscode.l10n.t('{0} open connection(s)', e.tunnel.active) : vscode.l10n.t('published port')}`,
        buttons: [stopButton],
        entry: e,
      })));
    refill();
    qp.onDidTriggerItemButton(async (b) => {
      await this.stop(b.item.entry);
      if (!this.entries.size) qp.hide();
      else refill();
    });
    qp.onDidAccept(() => {
      const e = qp.selectedItems[0]?.entry;
      qp.hide();
      if (e) void this.open(e);
    });
    qp.onDidHide(() => qp.dispose());
    qp.show();
  }

  /** Forwards of a workspace that was removed, or of a host whose connection was reset. */
  async stopWhere(pred: (e: ForwardEntry) => boolean): Promise<void> {
    await Promise.all(this.list().filter(pred).map((e) => this.stop(e)));
  }

  dispose(): void {
    void this.stopWhere(() => true);
  }
}
