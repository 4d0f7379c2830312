// A run's artifacts, browsed folder by folder in a QuickPick and opened in an editor:
// from the tracking server (downloaded to a temp file) or, for a local store, right
// where MLflow wrote them.
import { formatBytes } from '../../core/common/format';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showError, showInfo } from '../notify';
import { errorMessage } from '../../core/common/errors';
import { artifactFile } from '../../core/runs/mlflow/artifactPaths';
import { downloadArtifactTo } from '../../core/runs/mlflow/artifactDownload';
import { listLocalArtifacts, localArtifactRoot } from '../../core/runs/mlflow/localArtifacts';
import type { ArtifactEntry, MlflowRestSource } from '../../core/runs/mlflow/mlflowRestSource';
import type { RunSummary } from '../../core/runs/types';
import type { SourceState } from './runsTree';

interface ArtifactAccess {
  list(dir: string, signal: AbortSignal): Promise<ArtifactEntry[]>;
  /** A file the editor can open. */
  fetch(entry: ArtifactEntry, signal: AbortSignal): Promise<vscode.Uri>;
}

function access(state: SourceState, run: RunSummary): ArtifactAccess | { error: string } {
  if (state.spec.kind === 'mlflow-rest') {
    const source = state.source as MlflowRestSource;
    return {
      list: (dir, signal) => source.listArtifacts(run.id, dir, signal),
      // One folder per run: a second open of the same artifact overwrites the copy, not piles up.
      fetch: async (entry, signal) => vscode.Uri.file(await downloadArtifactTo(source, run.id, entry.path, path.join(tmpdir(), 'mlops-artifacts'), signal)),
    };
  }
  if (state.spec.kind !== 'mlflow-sqlite' && state.spec.kind !== 'mlflow-file') return { error: vscode.l10n.t('only MLflow runs have artifacts') };
  const root = localArtifactRoot(state.spec.kind, state.spec.location, run);
  if (typeof root !== 'string') return root;
  return {
    list: (dir) => listLocalArtifacts(root, dir),
    fetch: async (entry) => {
      const file = artifactFile(root, entry.path);
      if (!file) throw new Error(`refused the artifact path ${JSON.stringify(entry.path)}: it leaves the run's artifact folder`);
      return vscode.Uri.file(file);
    },
  };
}

type Pick = vscode.QuickPickItem & { entry?: ArtifactEntry; up?: true };

/** `MLOps: Show Run Artifacts`: folders open in place, a file opens in an editor. */
export async function browseArtifacts(state: SourceState, run: RunSummary, log: vscode.LogOutputChannel): Promise<vscode.Uri | undefined> {
  const a = access(state, run);
  if ('error' in a) {
    void showInfo(`${a.error}.`);
    return undefined;
  }
  let dir = '';
  for (;;) {
    const ctl = new AbortController();
    let entries: ArtifactEntry[];
    try {
      entries = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Listing artifacts of {0}…', dir ? `${run.name}/${dir}` : run.name), cancellable: true },
        (_p, token) => (token.onCancellationRequested(() => ctl.abort()), a.list(dir, ctl.signal)),
      );
    } catch (err) {
      log.warn(`Runs: artifacts of ${run.id}: ${errorMessage(err)}`);
      void showError(vscode.l10n.t('cannot list the artifacts of {0}: {1}', run.name, errorMessage(err)));
      return undefined;
    }
    const items: Pick[] = [];
    if (dir) items.push({ label: '$(arrow-up) ..', description: dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : vscode.l10n.t('artifacts'), up: true });
    const sorted = [...entries].sort((x, y) => Number(y.isDir) - Number(x.isDir) || x.path.localeCompare(y.path));
    for (const e of sorted) items.push({ label: `$(${e.isDir ? 'folder' : 'file'}) ${e.path.split('/').pop()}`, description: e.isDir ? '' : formatBytes(e.size), entry: e });
    if (!entries.length && !dir) {
      void showInfo(vscode.l10n.t('run {0} has no artifacts.', run.name));
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Artifacts of {0}', dir ? `${run.name} / ${dir}` : run.name), placeHolder: vscode.l10n.t('Pick a file to open, or a folder to look inside') });
    if (!pick) return undefined;
    if (pick.up) {
      dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
      continue;
    }
    if (pick.entry!.isDir) {
      dir = pick.entry!.path;
      continue;
    }
    return openArtifact(a, pick.entry!, run, log);
  }
}

async function openArtifact(a: ArtifactAccess, entry: ArtifactEntry, run: RunSummary, log: vscode.LogOutputChannel): Promise<vscode.Uri | undefined> {
  const ctl = new AbortController();
  try {
    const uri = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Opening {0}…', entry.path), cancellable: true },
      (_p, token) => (token.onCancellationRequested(() => ctl.abort()), a.fetch(entry, ctl.signal)),
    );
    await vscode.commands.executeCommand('vscode.open', uri);
    return uri;
  } catch (err) {
    log.warn(`Runs: artifact ${entry.path} of ${run.id}: ${errorMessage(err)}`);
    void showError(vscode.l10n.t('cannot open {0}: {1}', entry.path, errorMessage(err)));
    return undefined;
  }
}
