// The Runs view itself: its tree, the run sources behind it, and what keeps the listing
// current (store watchers, settings, workspace folders, Refresh). The rule for this
// folder's three files: here only what builds the view and keeps its listing live;
// runsViewFeatures.ts wires every other command and event of the view, one short entry
// each; runsViewCommands.ts holds what those commands do (their QuickPicks, checks and
// messages) and registers nothing.
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { setting, settingChanged } from '../settings';
import { loadLazy } from '../lazy/load';
import { discoverStores, storeWatchPattern } from './discovery';
import type { RunColorStore } from './runColorStore';
import { MlflowCredentials, serverSpecs } from './mlflowServerAccess';
import { DISCOVERY_GLOBS, type RunRef } from './runsModel';
import { RunsTreeProvider, type RunsNode } from './runsTree';
import { FILE_EVENT_DELAY_MS } from './refreshScheduler';
import { RunsViewStateStore } from './runsViewCommands';
import { LocalMarkStore, markOf } from './runMarkCommands';
import { registerRunsViewFeatures, serverPollSeconds } from './runsViewFeatures';

const SELECTION_KEY = 'mlops.runs.selection';
/** Whether the last search found a store in files: the next window starts their worker while it searches. */
const FILE_STORES_KEY = 'mlops.runs.hadFileStores';

/** The Runs view, its commands, and the watchers that keep it live. */
export function registerRunsView(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, colors?: RunColorStore): RunsTreeProvider {
  const wasmPath = context.asAbsolutePath('dist/sql-wasm.wasm');
  const credentials = new MlflowCredentials(context.secrets);
  const viewState = new RunsViewStateStore(context.workspaceState);
  const marks = new LocalMarkStore(context.workspaceState);
  // Loaded on the first listing, not at activation.
  let runsLib: typeof import('../lazy/runsLib') | undefined;
  const lib = () => (runsLib ??= loadLazy<typeof import('../lazy/runsLib')>('runsLib'));
  context.subscriptions.push({ dispose: () => runsLib?.disposeRunsWorker() });
  const workerOptions = {
    wasmPath,
    // What each DVC experiment commit holds is kept here between sessions.
    cacheDir: context.globalStorageUri.fsPath,
    log: (line: string) => log.warn(`Runs: ${line}`),
  };
  const runs = new RunsTreeProvider({
    log,
    // The configured tracking server first, then the stores found in the folders.
    discover: async () => [...serverSpecs(), ...(await discoverStores())],
    // The worker's start (a thread, its bundle parsed) then overlaps the search (findFiles).
    discovering: () => {
      if (context.workspaceState.get<boolean>(FILE_STORES_KEY, false)) lib().startRunsWorker(workerOptions);
    },
    discovered: (specs) => {
      const had = specs.some((s) => s.kind !== 'mlflow-rest');
      if (had !== context.workspaceState.get<boolean>(FILE_STORES_KEY, false)) void context.workspaceState.update(FILE_STORES_KEY, had);
    },
    createSource: (spec) =>
      lib().createRunSource(spec.kind, spec.location, {
        ...workerOptions,
        auth: () => credentials.get(spec.location),
        maxRuns: () => setting('mlflow.maxRuns'),
        filter: () => viewState.current.search,
      }),
    viewState: () => viewState.current,
    keyMetric: () => setting('runs.keyMetric').trim(),
    selectionStore: {
      get: () => context.workspaceState.get<RunRef[]>(SELECTION_KEY, []),
      set: (refs) => context.workspaceState.update(SELECTION_KEY, refs),
    },
    colors,
    serverPollMs: () => Math.max(2, serverPollSeconds()) * 1000,
    mark: (state, run) => markOf(marks, state.spec.kind, state.id, run),
  });
  const view = vscode.window.createTreeView<RunsNode>('mlops.runs', {
    treeDataProvider: runs,
    showCollapseAll: true,
    // Several DVC experiments at once: Remove, Kill and Push take the selection.
    canSelectMany: true,
    // Checking a parent run selects that run only, not its nested runs as well.
    manageCheckboxStateManually: true,
  });

  // A new or removed store (the first training run writes mlflow.db) means searching again.
  const rediscover = () => void runs.refresh({ rediscover: true, delayMs: FILE_EVENT_DELAY_MS, cause: 'file event' });
  const discoveryWatchers = Object.values(DISCOVERY_GLOBS).map((glob) => vscode.workspace.createFileSystemWatcher(glob, false, true, false));
  for (const w of discoveryWatchers) context.subscriptions.push(w, w.onDidCreate(rediscover), w.onDidDelete(rediscover));

  // Inside a known store any change (a metric line, a WAL write) means reading it again.
  let storeWatchers: vscode.Disposable[] = [];
  const relist = () => void runs.refresh({ delayMs: FILE_EVENT_DELAY_MS, cause: 'file event' });
  context.subscriptions.push(
    runs.onDidChangeStores((specs) => {
      for (const d of storeWatchers) d.dispose();
      // A tracking server is polled instead (runsViewFeatures).
      storeWatchers = specs.flatMap((spec) => {
        if (spec.kind === 'mlflow-rest') return [];
        const w = vscode.workspace.createFileSystemWatcher(storeWatchPattern(spec));
        return [w, w.onDidCreate(relist), w.onDidChange(relist), w.onDidDelete(relist)];
      });
    }),
    { dispose: () => storeWatchers.forEach((d) => d.dispose()) },
  );

  context.subscriptions.push(
    runs,
    view,
    view.onDidChangeCheckboxState((e) => runs.applyCheckboxes(e.items)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'runs')) void runs.refresh({ rediscover: true, cause: 'setting' });
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void runs.refresh({ rediscover: true, cause: 'workspace folders' })),
    registerCommand('mlops.refreshRuns', () => {
      runs.retryFailed();
      return runs.refresh({ rediscover: true, cause: 'command' });
    }),
    // For the comparison and chart panels: the runs checked in the view, in the order checked.
    registerCommand('mlops.getSelectedRuns', (): RunRef[] => runs.selection),
    // For the Models view: a version's source run, shown and selected here.
    registerCommand('mlops.revealRun', async (ref?: RunRef) => {
      await runs.whenLoaded();
      const node = ref && runs.runNode(ref);
      if (!node) return false;
      await view.reveal(node, { select: true, focus: true, expand: true });
      return true;
    }),
  );
  registerRunsViewFeatures(context, { runs, view, log, viewState, credentials, marks });
  return runs;
}
