// The Workspaces view and its commands. Nothing here loads ssh2 or dockerode: the host
// layer comes from dist/lazy/hostsLib.js the first time the view lists its hosts.
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showError, showInfo, showWarning } from '../notify';
import { setting, settingChanged } from '../settings';
import { HostRegistry } from './hosts';
import { Launcher } from './launch';
import { PROJECT_MOUNT } from './model';
import { PortForwards } from './portForwards';
import { ownedWorkspace, refusalMessage, WorkspaceActions } from './workspaceActions';
import { WorkspaceRefusedError } from '../../core/hosts/workspaces';
import { hostOf, hostLabel, WorkspacesTreeProvider, type WorkspaceNode } from './workspacesTree';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { openWorkspaceTerminal } from './workspaceTerminal';
import { WorkspaceConveniences } from './conveniences';
import { IdleWatch } from './idleWatch';

export function registerWorkspacesView(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): WorkspacesTreeProvider {
  const registry = new HostRegistry(log);
  const tree = new WorkspacesTreeProvider(registry, log);
  const view = vscode.window.createTreeView('mlops.workspaces', { treeDataProvider: tree, showCollapseAll: true });
  tree.attach(view);
  const actions = new WorkspaceActions(registry, tree, log);
  const forwards = new PortForwards(registry, log);
  const conveniences = new WorkspaceConveniences(registry, forwards, log);

  /** Checks the label first, then opens the shell; returns the terminal's name (tests use it). */
  const openTerminal = async (node?: WorkspaceNode): Promise<string | undefined> => {
    if (node?.kind !== 'workspace') {
      void showInfo(vscode.l10n.t('choose a running workspace in the Workspaces view to open a terminal in it.'));
      return undefined;
    }
    const where = hostLabel(hostOf(node));
    try {
      // A shell can stop anything inside: a teammate's workspace is read-only, so no terminal.
      const { conn, info } = await ownedWorkspace(registry, node, { change: true });
      const mounted = (info.Mounts ?? []).some((m) => m.Destination === PROJECT_MOUNT);
      const t = openWorkspaceTerminal(async () => conn, { containerId: node.ws.id, name: node.ws.name, where, ...(mounted ? { workingDir: PROJECT_MOUNT } : {}) }, log);
      return t.name;
    } catch (err) {
      if (err instanceof WorkspaceRefusedError) {
        void showWarning(refusalMessage(node.ws.name, err.refusal));
        return undefined;
      }
      const p = describeEngineError(err, where);
      void showError(`${vscode.l10n.t('could not open a terminal in {0}.', node.ws.name)} ${p.message} ${p.nextStep}`);
      return undefined;
    }
  };

  // GPU use and workspace state change on their own: poll them only while someone looks.
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearInterval(timer);
    timer = undefined;
    const seconds = setting('workspaces.gpuRefreshSeconds');
    if (view.visible && seconds > 0) timer = setInterval(() => tree.refreshLive(), Math.max(2, seconds) * 1000);
  };
  arm();

  const action = (a: 'start' | 'stop' | 'restart' | 'remove') => async (node?: WorkspaceNode, opts?: { confirmed?: boolean }) => {
    const done = await actions.run(a, node, opts);
    // A stopped or removed workspace serves nothing: its forwards would only fail.
    if (done && node && (a === 'stop' || a === 'remove')) await forwards.stopWhere((e) => e.containerId === node.ws.id);
    return done;
  };
  const idle = new IdleWatch(tree, (node) => action('stop')(node), log, context.globalState);
  // A workspace launched with an idle limit is watched at once, even with the view hidden.
  const launcher = new Launcher(registry, tree, log, (host, spec) => {
    if ((spec.idleStopMinutes ?? 0) > 0) idle.launched(host);
  });
  context.subscriptions.push(
    idle,
    view,
    tree,
    registry,
    actions,
    forwards,
    { dispose: () => clearInterval(timer) },
    view.onDidChangeVisibility(arm),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'workspaces.gpuRefreshSeconds')) arm();
      // Who "me" is decides Mine/Team and the menus.
      if (settingChanged(e, 'user')) tree.refreshLive();
      if (settingChanged(e, 'hosts', 'docker.host', 'ssh', 'workspaces.callTimeoutSeconds')) {
        // The connections are made anew; tunnels over the old ones would only fail.
        void forwards.stopWhere((f) => f.tunnel !== undefined);
        tree.refresh(true);
      }
    }),
    registerCommand('mlops.refreshWorkspaces', () => tree.refresh()),
    registerCommand('mlops.launchWorkspace', (arg) => launcher.command(arg)),
    registerCommand('mlops.relaunchProfile', (arg) => launcher.relaunch(arg)),
    registerCommand('mlops.workspace.start', action('start')),
    registerCommand('mlops.workspace.stop', action('stop')),
    registerCommand('mlops.workspace.restart', action('restart')),
    registerCommand('mlops.workspace.remove', action('remove')),
    registerCommand('mlops.workspace.logs', (node?: WorkspaceNode) => actions.logs(node)),
    registerCommand('mlops.workspace.copyDockerRun', (node?: WorkspaceNode) => actions.copyDockerRun(node)),
    registerCommand('mlops.workspace.openTerminal', openTerminal),
    registerCommand('mlops.workspace.forwardPort', (node?: WorkspaceNode, opts?: { port?: number; open?: boolean }) => forwards.forward(node, opts)),
    registerCommand('mlops.showPortForwards', () => forwards.show()),
    registerCommand('mlops.workspace.openJupyter', (node?: WorkspaceNode) => conveniences.openJupyter(node)),
    registerCommand('mlops.workspace.startTensorBoard', (node?: WorkspaceNode, logdir?: string) => conveniences.startTensorBoard(node, logdir)),
    registerCommand('mlops.workspace.attachVsCode', (node?: WorkspaceNode) => conveniences.attach(node)),
  );
  return tree;
}
