import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { PipelinesTreeProvider } from '../views/pipelinesTree';
import { PipelineFiles } from './pipelineFiles';
import { registerDagPanel } from './dagPanel';
import { registerMlflowEntryPoints } from './mlflowEntryPoints';
import { registerReruns } from './reruns';

/** The Pipelines view, what keeps it current, and the reruns it offers. */
export function registerPipelines(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): PipelinesTreeProvider {
  const files = new PipelineFiles();
  const pipelines = new PipelinesTreeProvider(log, files);

  // Any file may be a stage's dep, out or params file; bursts (a `dvc repro`) coalesce
  // into one refresh, unchanged files are not re-hashed, and run stores that no stage
  // names (a training run writing mlruns/ every step) do not refresh at all.
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  const onFile = (uri: vscode.Uri) => {
    if (pipelines.matters(uri.fsPath)) pipelines.refresh(500);
  };
  context.subscriptions.push(
    files,
    vscode.window.createTreeView('mlops.pipelines', { treeDataProvider: pipelines, showCollapseAll: true }),
    pipelines,
    watcher,
    watcher.onDidCreate(onFile),
    watcher.onDidChange(onFile),
    watcher.onDidDelete(onFile),
    registerCommand('mlops.refreshPipelines', () => pipelines.refresh()),
  );
  registerReruns(context, log, pipelines, files);
  registerMlflowEntryPoints(context, log, files);
  registerDagPanel(context, pipelines, log);
  return pipelines;
}
