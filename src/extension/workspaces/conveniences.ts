// Open Jupyter, Start TensorBoard here and Attach VS Code on a workspace of the user's own
// (a teammate's is read-only: its Jupyter token is not ours to use, nor its container).
import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from '../notify';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { WorkspaceRefusedError } from '../../core/hosts/workspaces';
import { exposedPorts, type PortInspect } from '../../core/hosts/portForward';
import { jupyterUrl } from '../../core/hosts/jupyterServer';
import type { HostRegistry } from './hosts';
import { findJupyter } from '../../core/hosts/jupyterFinder';
import { startTensorBoard, tensorboardOutput } from '../../core/hosts/tensorboardInWorkspace';
import type { PortForwards } from './portForwards';
import { ownedWorkspace, refusalMessage } from './workspaceActions';
import { hostLabel, hostOf, type WorkspaceNode } from './workspacesTree';
import { attachPlan } from './attachPlan';
import { PROJECT_MOUNT } from './model';

const TB_PORT = 6006;

export class WorkspaceConveniences {
  constructor(
    private readonly registry: HostRegistry,
    private readonly forwards: PortForwards,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private choose(node: WorkspaceNode | undefined, what: string): node is WorkspaceNode {
    if (node?.kind === 'workspace') return true;
    void showInfo(vscode.l10n.t('choose a running workspace of yours in the Workspaces view to {0}.', what));
    return false;
  }

  private failed(node: WorkspaceNode, sentence: string, err: unknown): void {
    if (err instanceof WorkspaceRefusedError) {
      void showWarning(refusalMessage(node.ws.name, err.refusal));
      return;
    }
    const p = describeEngineError(err, hostLabel(hostOf(node)));
    this.log.error(`Workspaces: ${sentence} (${node.ws.name}): ${p.detail}`);
    void showError(`${sentence} ${p.message} ${p.nextStep}`, vscode.l10n.t('Show Log')).then((c) => c && this.log.show());
  }

  /** Finds the server, forwards its port and opens it with the token; returns the URL opened (tests). */
  async openJupyter(node?: WorkspaceNode): Promise<string | undefined> {
    if (!this.choose(node, vscode.l10n.t('open its Jupyter'))) return undefined;
    try {
      const { conn } = await ownedWorkspace(this.registry, node, { change: true });
      const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('MLOps: looking for Jupyter in {0}', node.ws.name) }, () =>
        findJupyter(conn, node.ws.id),
      );
      if (!found.ok) {
        this.log.info(`Workspaces: Jupyter in ${node.ws.name}: ${found.why}`);
        void showWarning(vscode.l10n.t('{0}: {1} Start it inside (jupyter lab --ip 0.0.0.0 --port 8888) or launch an image that runs it, with 8888 among its ports.', node.ws.name, found.why));
        return undefined;
      }
      const entry = await this.forwards.forward(node, { port: found.server.port, open: false });
      if (!entry) return undefined;
      const url = jupyterUrl(found.server, entry.url);
      this.log.info(`Workspaces: Jupyter of ${node.ws.name} (from its ${found.from}) at ${entry.url}${found.server.path}`);
      await this.forwards.open(entry, url);
      return url;
    } catch (err) {
      this.failed(node, vscode.l10n.t('could not open Jupyter of {0}.', node.ws.name), err);
      return undefined;
    }
  }

  /** Runs TensorBoard inside on `logdir` (asked when absent), forwards and opens it. */
  async startTensorBoard(node?: WorkspaceNode, logdir?: string): Promise<string | undefined> {
    if (!this.choose(node, vscode.l10n.t('start TensorBoard in it'))) return undefined;
    try {
      const { conn, info } = await ownedWorkspace(this.registry, node, { change: true });
      const ports = exposedPorts(info as PortInspect);
      const port = ports.includes(TB_PORT) ? TB_PORT : (info as PortInspect).HostConfig?.NetworkMode === 'host' ? TB_PORT : undefined;
      if (port === undefined) {
        void showWarning(vscode.l10n.t('{0} publishes no port {1} for TensorBoard. Launch it again with {1} among its ports (the launch flow\'s Ports step).', node.ws.name, TB_PORT));
        return undefined;
      }
      const mounted = (info.Mounts ?? []).some((m) => m.Destination === PROJECT_MOUNT);
      const dir =
        logdir ??
        (await vscode.window.showInputBox({
          title: vscode.l10n.t('MLOps: Start TensorBoard in {0}', node.ws.name),
          prompt: vscode.l10n.t('The runs\' log folder, as a path inside the workspace'),
          value: mounted ? `${PROJECT_MOUNT}/runs` : '/',
          validateInput: (v) => (v.trim().startsWith('/') ? undefined : vscode.l10n.t('Write an absolute path inside the container, such as {0}/runs.', PROJECT_MOUNT)),
        }));
      if (!dir) return undefined;
      const started = await startTensorBoard(conn, node.ws.id, { logdir: dir.trim(), port });
      if (!started.ok) {
        const next =
          started.reason === 'missing'
            ? vscode.l10n.t('Install it in the workspace (pip install tensorboard, in its terminal) or use an image that has it, then try again.')
            : started.reason === 'no-logdir'
              ? vscode.l10n.t('Choose a folder that exists inside the workspace (the project is at {0} when mounted).', PROJECT_MOUNT)
              : vscode.l10n.t('See the log for details.');
        this.log.warn(`Workspaces: TensorBoard in ${node.ws.name}: ${started.detail}`);
        void showWarning(vscode.l10n.t('could not start TensorBoard in {0}: {1}. {2}', node.ws.name, started.detail, next));
        return undefined;
      }
      this.log.info(`Workspaces: TensorBoard in ${node.ws.name} on ${dir} (port ${port}, output in ${started.logFile})`);
      const entry = await this.forwards.forward(node, { port, open: false });
      if (!entry) return undefined;
      // TensorBoard takes a few seconds to read the folder before it answers.
      const ok = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: waiting for TensorBoard in {0}', node.ws.name), cancellable: true },
        (_p, token) => waitForHttp(entry.url, 60000, token),
      );
      if (!ok) {
        const out = await tensorboardOutput(conn, node.ws.id, port).catch(() => '');
        this.log.warn(`Workspaces: TensorBoard in ${node.ws.name} did not answer:\n${out}`);
        void showWarning(vscode.l10n.t('TensorBoard in {0} did not answer on port {1}. Its output is in the log.', node.ws.name, port), vscode.l10n.t('Show Log')).then((c) => c && this.log.show());
        return undefined;
      }
      await this.forwards.open(entry);
      return entry.url;
    } catch (err) {
      this.failed(node, vscode.l10n.t('could not start TensorBoard in {0}.', node.ws.name), err);
      return undefined;
    }
  }

  /** Hands the workspace to Dev Containers (local) or opens its host in Remote-SSH. */
  async attach(node?: WorkspaceNode): Promise<string | undefined> {
    if (!this.choose(node, vscode.l10n.t('attach VS Code to it'))) return undefined;
    try {
      await ownedWorkspace(this.registry, node, { change: true });
      const host = hostOf(node);
      const ssh = host.ssh;
      const sshHost = ssh ? (ssh.source === 'ssh-config' ? ssh.name : `${ssh.user ? `${ssh.user}@` : ''}${ssh.hostName}${ssh.port !== 22 ? `:${ssh.port}` : ''}`) : undefined;
      const plan = attachPlan({
        hostKind: host.kind,
        containerId: node.ws.id,
        ...(sshHost ? { sshHost } : {}),
        ...(host.projectPath ? { remoteFolder: host.projectPath } : {}),
        installed: (id) => vscode.extensions.getExtension(id) !== undefined,
      });
      if (plan.kind === 'install') {
        const install = vscode.l10n.t('Install');
        const why = plan.extension.endsWith('remote-containers')
          ? vscode.l10n.t('Attaching VS Code to a container needs the Dev Containers extension.')
          : vscode.l10n.t('Opening a GPU server in VS Code needs the Remote - SSH extension.');
        const c = await showInfo(why, install);
        if (c === install) await vscode.commands.executeCommand('extension.open', plan.extension);
        return `install:${plan.extension}`;
      }
      if (plan.kind === 'open-folder') {
        await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.parse(plan.uri), { forceNewWindow: true });
        return plan.uri;
      }
      await vscode.commands.executeCommand(plan.command, ...plan.args);
      return plan.command;
    } catch (err) {
      this.failed(node, vscode.l10n.t('could not attach VS Code to {0}.', node.ws.name), err);
      return undefined;
    }
  }
}

/** Polls `url` until it answers (any status), the deadline passes or the user cancels. */
async function waitForHttp(url: string, timeoutMs: number, token: vscode.CancellationToken): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !token.isCancellationRequested) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(3000), redirect: 'manual' }).then(
      () => true,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
