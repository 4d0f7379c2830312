// The Workspaces view. Nothing here loads ssh2 or dockerode: the host layer comes from
// dist/lazy/hostsLib.js the first time the view lists its hosts. Its commands (launch,
// actions, port forwards...) are in workspaceCommands.ts, loaded by the first one to run.
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { setting, settingChanged } from '../settings';
import { HostRegistry } from './hosts';
import { WorkspacesTreeProvider, type WorkspaceNode } from './workspacesTree';
import { IdleWatch } from './idleWatch';
import type { LaunchProfile } from '../../core/hosts/workspaceSpec';

export interface WorkspacesView {
  tree: WorkspacesTreeProvider;
  /** For the launch flow (workspaceCommands.ts): a workspace launched with an idle limit is watched at once, even with the view hidden. */
  launched: (host: string, spec: LaunchProfile) => void;
}

export function registerWorkspacesView(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): WorkspacesView {
  const registry = new HostRegistry(log);
  const tree = new WorkspacesTreeProvider(registry, log);
  const view = vscode.window.createTreeView('mlops.workspaces', { treeDataProvider: tree, showCollapseAll: true });
  tree.attach(view);

  // GPU use and workspace state change on their own: poll them only while someone looks.
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearInterval(timer);
    timer = undefined;
    const seconds = setting('workspaces.gpuRefreshSeconds');
    if (view.visible && seconds > 0) timer = setInterval(() => tree.refreshLive(), Math.max(2, seconds) * 1000);
  };
  arm();

  // The idle stop goes through the menu's Stop command (its owner check, its forwards closed).
  const stop = async (node: WorkspaceNode) => (await vscode.commands.executeCommand<boolean | undefined>('mlops.workspace.stop', node)) === true;
  const idle = new IdleWatch(tree, stop, log, context.globalState);
  context.subscriptions.push(
    idle,
    view,
    tree,
    registry,
    { dispose: () => clearInterval(timer) },
    view.onDidChangeVisibility(arm),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'workspaces.gpuRefreshSeconds')) arm();
      // Who "me" is decides Mine/Team and the menus.
      if (settingChanged(e, 'user')) tree.refreshLive();
      // The connections are made anew (port forwards over the old ones stop: workspaceCommands.ts).
      if (settingChanged(e, 'hosts', 'docker.host', 'ssh', 'workspaces.callTimeoutSeconds')) tree.refresh(true);
    }),
    registerCommand('mlops.refreshWorkspaces', () => tree.refresh()),
  );
  return {
    tree,
    launched: (host, spec) => {
      if ((spec.idleStopMinutes ?? 0) > 0) idle.launched(host);
    },
  };
}
