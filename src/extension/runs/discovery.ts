import * as vscode from 'vscode';
import { setting } from '../settings';
import { DISCOVERY_EXCLUDE, DISCOVERY_GLOBS, SETTING_OF, storesFromFiles, type SourceSetting, type StoreKind, type StoreSpec } from './runsModel';

// Enough for any real project; a workspace with more marker files than this is a dataset.
const MAX_FILES = 2000;

export function enabledKinds(): Record<SourceSetting, boolean> {
  return {
    mlflow: setting('runs.sources.mlflow'),
    dvcExperiments: setting('runs.sources.dvcExperiments'),
    dvclive: setting('runs.sources.dvclive'),
    tensorboard: setting('runs.sources.tensorboard'),
  };
}

/** The run stores in the workspace folders, the kinds turned off in the settings left out. */
export async function discoverStores(): Promise<StoreSpec[]> {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  if (!roots.length) return [];
  const enabled = enabledKinds();
  const found: Partial<Record<StoreKind, string[]>> = {};
  await Promise.all(
    (Object.keys(DISCOVERY_GLOBS) as StoreKind[]).filter((kind) => enabled[SETTING_OF[kind]]).map(async (kind) => {
      const uris = await vscode.workspace.findFiles(DISCOVERY_GLOBS[kind], DISCOVERY_EXCLUDE, MAX_FILES);
      found[kind] = uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath);
    }),
  );
  return storesFromFiles(found, roots, enabled);
}

/** What to watch in one store for its listing to follow new runs and metrics. */
export function storeWatchPattern(spec: StoreSpec): vscode.RelativePattern {
  switch (spec.kind) {
    case 'mlflow-sqlite':
      // The database and its -wal / -journal beside it.
      return new vscode.RelativePattern(vscode.Uri.joinPath(vscode.Uri.file(spec.location), '..'), `${spec.location.split(/[\\/]/).pop()}*`);
    case 'tensorboard':
      return new vscode.RelativePattern(vscode.Uri.file(spec.location), '**/*tfevents*');
    case 'dvc-experiments':
      // Only what a listing reads: refs/exps and the queue's reflog (a new, queued or failed
      // experiment), dvc.lock, params and metrics files, DVCLive's plots, and DVC's
      // .run/.json files of a run starting or ending. Not every file of the project: data
      // written during training would keep postponing the debounced refresh.
      return new vscode.RelativePattern(
        vscode.Uri.file(spec.location),
        '{**/*.json,**/*.yaml,**/*.yml,**/*.tsv,**/*.toml,**/*.lock,**/*.run,.git/refs/exps/**,.git/packed-refs,.git/logs/refs/exps/**}',
      );
    default:
      return new vscode.RelativePattern(vscode.Uri.file(spec.location), '**');
  }
}
