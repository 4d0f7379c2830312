import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { IsolatedWorker } from '../../core/common/isolatedWorker';
import type { PipelineSnapshot } from '../../core/pipelines/status/pipelineSnapshot';
import { PipelinesTreeProvider } from '../views/pipelinesTree';
import { PipelineFiles } from './pipelineFiles';
import { registerMlflowEntryPoints } from './mlflowEntryPoints';
import { registerReruns } from './reruns';
import type { ProvenanceLauncher } from '../provenance/launch';

/** The Pipelines view, what keeps it current, and the reruns it offers (its DAG panel loads on first use: panels/registerPanels.ts). */
export function registerPipelines(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, provenance: ProvenanceLauncher): PipelinesTreeProvider {
  const files = new PipelineFiles();
  // dvc.yaml and the files it names are anyone's: parsed in a worker thread with a heap cap
  // and a deadline; the thread starts on the first load and stops when idle (its hash cache
  // then starts over).
  const worker = new IsolatedWorker({
    name: 'the pipeline loader',
    script: context.asAbsolutePath('dist/lazy/pipelinesWorker.js'),
    heapMb: 512,
    deadlineMs: 60_000,
    idleStopMs: 10 * 60_000,
    log: (line) => log.warn(`Pipelines: ${line}`),
  });
  const pipelines = new PipelinesTreeProvider(log, files, (dir, text, root) => worker.call<PipelineSnapshot>('load', { dir, text, root }));

  // Any file may be a stage's dep, out or params file; bursts (a `dvc repro`) coalesce
  // into one refresh, unchanged files are not re-hashed, and run stores that no stage
  // names (a training run writing mlruns/ every step) do not refresh at all.
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  const onFile = (uri: vscode.Uri) => {
    if (pipelines.matters(uri.fsPath)) pipelines.refresh(500);
  };
  context.subscriptions.push(
    worker,
    files,
    vscode.window.createTreeView('mlops.pipelines', { treeDataProvider: pipelines, showCollapseAll: true }),
    pipelines,
    watcher,
    watcher.onDidCreate(onFile),
    watcher.onDidChange(onFile),
    watcher.onDidDelete(onFile),
    registerCommand('mlops.refreshPipelines', () => pipelines.refresh()),
  );
  registerReruns(context, log, pipelines, files, provenance);
  registerMlflowEntryPoints(context, log, files, provenance);
  return pipelines;
}
