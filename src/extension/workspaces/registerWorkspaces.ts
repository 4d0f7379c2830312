// The Workspaces view and its commands. Nothing here loads ssh2 or dockerode: the host
// layer comes from dist/lazy/hostsLib.js the first time the view lists its hosts.
import * as vscode from 'vscode';
import { HostRegistry } from './hosts';
import { Launcher } from './launch';
import { WorkspaceActions } from './workspaceActions';
import { WorkspacesTreeProvider, type WorkspaceNode } from './workspacesTree';

export function registerWorkspacesView(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): WorkspacesTreeProvider {
  const registry = new HostRegistry(log);
  const tree = new WorkspacesTreeProvider(registry, log);
  const view = vscode.window.createTreeView('mlops.workspaces', { treeDataProvider: tree, showCollapseAll: true });
  tree.attach(view);
  const launcher = new Launcher(registry, tree, log);
  const actions = new WorkspaceActions(registry, tree, log);

  // GPU use and workspace state change on their own: poll them only while someone looks.
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearInterval(timer);
    timer = undefined;
    const seconds = vscode.workspace.getConfiguration('mlops').get<number>('workspaces.gpuRefreshSeconds', 10);
    if (view.visible && seconds > 0) timer = setInterval(() => tree.refreshLive(), Math.max(2, seconds) * 1000);
  };
  arm();

  const action = (a: 'start' | 'stop' | 'restart' | 'remove') => (node?: WorkspaceNode, opts?: { confirmed?: boolean }) => actions.run(a, node, opts);
  context.subscriptions.push(
    view,
    tree,
    registry,
    actions,
    { dispose: () => clearInterval(timer) },
    view.onDidChangeVisibility(arm),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mlops.workspaces.gpuRefreshSeconds')) arm();
      if (['mlops.hosts', 'mlops.docker.host', 'mlops.ssh'].some((s) => e.affectsConfiguration(s))) tree.refresh(true);
    }),
    vscode.commands.registerCommand('mlops.refreshWorkspaces', () => tree.refresh()),
    vscode.commands.registerCommand('mlops.launchWorkspace', (arg) => launcher.command(arg)),
    vscode.commands.registerCommand('mlops.relaunchProfile', (arg) => launcher.relaunch(arg)),
    vscode.commands.registerCommand('mlops.workspace.start', action('start')),
    vscode.commands.registerCommand('mlops.workspace.stop', action('stop')),
    vscode.commands.registerCommand('mlops.workspace.restart', action('restart')),
    vscode.commands.registerCommand('mlops.workspace.remove', action('remove')),
    vscode.commands.registerCommand('mlops.workspace.logs', (node?: WorkspaceNode) => actions.logs(node)),
    vscode.commands.registerCommand('mlops.workspace.copyDockerRun', (node?: WorkspaceNode) => actions.copyDockerRun(node)),
  );
  return tree;
}
