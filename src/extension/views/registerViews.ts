import * as vscode from 'vscode';
import type { MlopsApi } from '../api';
import { EmptyTreeProvider } from './emptyTree';
import { registerWorkspacesView } from '../workspaces/registerWorkspaces';
import { PipelinesTreeProvider } from './pipelinesTree';
import { registerRunsView } from '../runs/registerRuns';
import { registerReruns } from '../pipelines/reruns';

/** Registers the four MLOps views and what keeps them current. */
export function registerViews(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): MlopsApi['views'] {
  const workspaces = registerWorkspacesView(context, log);
  const runs = registerRunsView(context, log);
  const data = new EmptyTreeProvider();
  const pipelines = new PipelinesTreeProvider(log);

  // Any file may be a stage's dep, out or params file; bursts (a `dvc repro`) coalesce
  // into one refresh, and unchanged files are not re-hashed.
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  const refreshPipelines = (uri: vscode.Uri) => {
    if (!/[\\/]\.(git|dvc)[\\/]/.test(uri.fsPath)) pipelines.refresh(500);
  };
  context.subscriptions.push(
    vscode.window.createTreeView('mlops.data', { treeDataProvider: data }),
    vscode.window.createTreeView('mlops.pipelines', { treeDataProvider: pipelines, showCollapseAll: true }),
    pipelines,
    watcher,
    watcher.onDidCreate(refreshPipelines),
    watcher.onDidChange(refreshPipelines),
    watcher.onDidDelete(refreshPipelines),
    vscode.commands.registerCommand('mlops.refreshPipelines', () => pipelines.refresh()),
  );
  registerReruns(context, log, () => pipelines.refresh());
  return { workspaces, runs, data, pipelines };
}
