// The Workspaces view's commands (launch and its profiles, start/stop/remove, logs, terminal,
// port forwards, Jupyter, TensorBoard, attach), bundled apart (dist/lazy/workspaceCommandsFeature.js)
// and registered by the first of them to run, through lazy/lazyFeature.ts: activation keeps
// only the view (registerWorkspaces.ts). They get the view's host registry and tree passed in;
// nothing here keeps state of its own at module level.
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showError, showInfo, showWarning } from '../notify';
import { settingChanged } from '../settings';
import type { HostRegistry } from './hosts';
import { Launcher } from './launch';
import type { LaunchProfile } from '../../core/hosts/workspaceSpec';
import { PROJECT_MOUNT } from './model';
import { PortForwards } from './portForwards';
import { ownedWorkspace, refusalMessage, WorkspaceActions } from './workspaceActions';
import { WorkspaceRefusedError } from '../../core/hosts/workspaces';
import { hostOf, hostLabel, type WorkspacesTreeProvider, type WorkspaceNode } from './workspacesTree';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { openWorkspaceTerminal } from './workspaceTerminal';
import { WorkspaceConveniences } from './conveniences';

export function registerWorkspaceCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, registry: HostRegistry, tree: WorkspacesTreeProvider, launched: (host: string, spec: LaunchProfile) => void): void {
  const launcher = new Launcher(registry, tree, log, launched);
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

  const action = (a: 'start' | 'stop' | 'restart' | 'remove') => async (node?: WorkspaceNode, opts?: { confirmed?: boolean }) => {
    const done = await actions.run(a, node, opts);
    // A stopped or removed workspace serves nothing: its forwards would only fail.
    if (done && node && (a === 'stop' || a === 'remove')) await forwards.stopWhere((e) => e.containerId === node.ws.id);
    return done;
  };
  context.subscriptions.push(
    actions,
    forwards,
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The connections are made anew (registerWorkspaces.ts); tunnels over the old ones would only fail.
      if (settingChanged(e, 'hosts', 'docker.host', 'ssh', 'workspaces.callTimeoutSeconds')) void forwards.stopWhere((f) => f.tunnel !== undefined);
    }),
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
}
