// The Models view and its commands. Registries are the Runs view's MLflow stores (mlflow.db,
// mlruns/), the configured tracking server, and DVC projects (dvc.yaml artifacts + GTO tags);
// the readers load lazily (dist/lazy/modelsLib.js) and read files in their own worker.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readBoundedText, YAML_JSON_CAP } from '../../core/common/boundedRead';
import type { ModelVersion } from '../../core/models/types';
import { registerCommand } from '../commandWrapper';
import { loadLazy } from '../lazy/load';
import { discoverStores } from '../runs/discovery';
import { MlflowCredentials, serverSpecs } from '../runs/mlflowServerAccess';
import type { RunsTreeProvider } from '../runs/runsTree';
import { setting, settingChanged } from '../settings';
import { showError } from '../notify';
import { ModelsActions, trackingUriOf } from './modelsActions';
import { ModelsTreeProvider, type ModelsNode, type RegistryKind, type RegistryState } from './modelsTree';
import { ServedEndpoints } from './servedEndpoints';
import { ModelServing } from './serveModel';
import { ServeInWorkspace } from './serveInWorkspace';
import type { WorkspaceNode, WorkspacesTreeProvider } from '../workspaces/workspacesTree';
import { TryModelPanel } from './tryModelPanel';

type ModelsLib = typeof import('../lazy/modelsLib');
const DIFF_SCHEME = 'mlops-model';
// A training run registers its model at its end: one refresh per burst of writes.
const REFRESH_DELAY_MS = 1000;

export function registerModelsView(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, runs: RunsTreeProvider, workspaces?: WorkspacesTreeProvider): ModelsTreeProvider {
  const wasmPath = context.asAbsolutePath('dist/sql-wasm.wasm');
  const credentials = new MlflowCredentials(context.secrets);
  let lib: ModelsLib | undefined;
  const modelsLib = () => (lib ??= loadLazy<ModelsLib>('modelsLib'));
  context.subscriptions.push({ dispose: () => lib?.disposeModelsWorker() });
  const readOptions = (location: string) => ({
    wasmPath,
    cacheDir: context.globalStorageUri.fsPath,
    auth: () => credentials.get(location),
    log: (line: string) => log.warn(`Models: ${line}`),
  });
  const runById = (id: string) => runs.allRuns().find((r) => r.run.id === id);
  // Disposed with the window: every server this window started is stopped.
  const endpoints = new ServedEndpoints(log);

  const tree = new ModelsTreeProvider({
    log,
    discover: async () => {
      // Source runs' key metrics and names come from the Runs view's listing, which has not
      // happened while that view was never shown.
      void runs.whenLoaded().then(() => tree.redrawSoon());
      const stores = await discoverStores();
      const out: { kind: RegistryKind; location: string }[] = serverSpecs().map((s) => ({ kind: 'mlflow-rest' as const, location: s.location }));
      for (const s of stores) {
        if (s.kind === 'mlflow-sqlite' || s.kind === 'mlflow-file') out.push({ kind: s.kind, location: s.location });
        if (s.kind === 'dvc-experiments') out.push({ kind: 'gto', location: s.location });
      }
      return out;
    },
    read: (kind, location) => modelsLib().readRegistry(kind, location, readOptions(location)),
    run: (id) => runById(id)?.run,
    keyMetric: () => setting('runs.keyMetric').trim(),
    endpoints: (key) => endpoints.forVersion(key),
    mlmodel: async (reg, v) => {
      const folder = versionFolder(reg, v);
      if (!folder) return undefined;
      const info = await modelsLib().readMlModelIn(folder, readOptions(reg.location));
      return {
        flavors: info.flavors,
        signature: modelsLib().signatureLines(info),
      };
    },
  });
  const view = vscode.window.createTreeView<ModelsNode>('mlops.models', {
    treeDataProvider: tree,
    showCollapseAll: true,
  });

  const versionFolder = (reg: RegistryState, v: ModelVersion): string | undefined => {
    if (reg.kind === 'mlflow-rest') return undefined;
    const local = modelsLib().localFolder(v.storageLocation);
    if (local) return local;
    // MLflow 2: source runs:/<run>/<path> → the run's local artifacts.
    const m = /^runs:\/([^/]+)\/(.+)$/.exec(v.source);
    const run = m ? runById(m[1])?.run : undefined;
    const root = modelsLib().localFolder(run?.artifactUri);
    return root && m ? path.join(root, m[2]) : undefined;
  };

  // Compare Versions' two documents: read-only, named for the version.
  const diffDocs = new Map<string, string>();
  const provider: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent: (uri) => diffDocs.get(uri.path) ?? '',
  };

  const actions = new ModelsActions({
    tree,
    log,
    runs: async () => {
      // The Runs view's first listing (a server can take a while): shown on the Models view too.
      await vscode.window.withProgress({ location: { viewId: 'mlops.models' } }, () => runs.whenLoaded());
      return runs.allRuns();
    },
    write: (reg, w, python) =>
      reg.kind === 'mlflow-rest'
        ? modelsLib().writeRegistry({ server: reg.location, auth: () => credentials.get(reg.location) }, w)
        : modelsLib().writeRegistry(
            {
              python: python ?? 'python3',
              trackingUri: trackingUriOf(reg),
              cwd: path.dirname(reg.location),
            },
            w,
          ),
    showDiff: async (left, right) => {
      const uri = (d: { title: string; text: string }) => {
        const p = `/${d.title.replace(/[^\w.@-]+/g, '_')}.txt`;
        diffDocs.set(p, d.text);
        return vscode.Uri.from({ scheme: DIFF_SCHEME, path: p });
      };
      await vscode.commands.executeCommand('vscode.diff', uri(left), uri(right), vscode.l10n.t('{0} ↔ {1}', left.title, right.title));
    },
    versionFiles: async (reg, v) => {
      const lines = [`# ${v.name} ${v.version}`, `source: ${v.source}`, `run: ${v.runId ?? ''}`, ''];
      const folder = versionFolder(reg, v);
      if (!folder) return [...lines, '(the model files are not on this machine)'].join('\n');
      try {
        const info = await modelsLib().readMlModelIn(folder, readOptions(reg.location));
        lines.push(`flavors: ${info.flavors.join(', ')}`, '', '## signature', ...modelsLib().signatureLines(info));
      } catch (err) {
        lines.push(`MLmodel: ${err instanceof Error ? err.message : String(err)}`);
      }
      const requirements = await readBoundedText(path.join(folder, 'requirements.txt'), { cap: YAML_JSON_CAP }).catch(() => undefined);
      lines.push('', '## requirements.txt', ...(requirements?.split('\n').filter(Boolean).sort() ?? ['(none)']));
      return lines.join('\n') + '\n';
    },
  });

  const tryDeps = { extensionUri: context.extensionUri, log, endpoints };
  const serving = new ModelServing({
    tree,
    endpoints,
    log,
    versionFolder: (reg, v) => versionFolder(reg, v),
    tryModel: async (e) => void TryModelPanel.show(tryDeps, e),
    inWorkspace: workspaces && new ServeInWorkspace(workspaces, log),
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const refreshSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void tree.refresh(), REFRESH_DELAY_MS);
  };
  const watchers = ['**/mlflow.db', '**/mlruns/models/**/meta.yaml', '**/dvc.yaml', '**/.git/refs/tags/**', '**/.git/packed-refs'].map((g) => vscode.workspace.createFileSystemWatcher(g));
  for (const w of watchers) context.subscriptions.push(w, w.onDidCreate(refreshSoon), w.onDidChange(refreshSoon), w.onDidDelete(refreshSoon));

  const mustBe =
    <T>(f: (node: T) => Promise<void>) =>
    async (node?: T) => {
      const target = node ?? (view.selection[0] as T | undefined);
      try {
        await f(target as T);
      } catch (err) {
        // MLflow's words verbatim (a 403 says what permission is missing).
        if (err instanceof modelsLib().RegistryWriteError) {
          void showError(vscode.l10n.t('MLflow refused: {0}', err.message));
          return;
        }
        throw err;
      }
    };

  context.subscriptions.push(
    endpoints,
    endpoints.onDidChange(() => tree.endpointsChanged()),
    tree,
    view,
    { dispose: () => clearTimeout(timer) },
    vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, provider),
    runs.onDidChangeTreeData(() => tree.redrawSoon()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'mlflow.trackingUri', 'runs')) void tree.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void tree.refresh()),
    registerCommand('mlops.refreshModels', () => tree.refresh()),
    registerCommand(
      'mlops.model.showSourceRun',
      mustBe((n) => actions.showSourceRun(n)),
    ),
    registerCommand(
      'mlops.model.setAlias',
      mustBe((n) => actions.setAlias(n)),
    ),
    registerCommand(
      'mlops.model.removeAlias',
      mustBe((n) => actions.removeAlias(n)),
    ),
    registerCommand(
      'mlops.model.setTag',
      mustBe((n) => actions.setTag(n)),
    ),
    registerCommand(
      'mlops.model.deleteVersion',
      mustBe((n) => actions.deleteVersion(n)),
    ),
    registerCommand(
      'mlops.model.registerFromRun',
      mustBe((n) => actions.registerFromRun(n)),
    ),
    registerCommand(
      'mlops.model.compareVersions',
      mustBe((n) => actions.compareVersions(n)),
    ),
    registerCommand(
      'mlops.model.registerDvcVersion',
      mustBe((n) => actions.registerDvcVersion(n)),
    ),
    // A second argument 'mlflow' | 'mlserver' skips the server pick (a tree menu passes the selection there instead).
    registerCommand('mlops.model.serve', (n?: ModelsNode, how?: unknown) => serving.serve(n ?? (view.selection[0] as ModelsNode | undefined), how === 'mlflow' || how === 'mlserver' || how === 'workspace' ? how : undefined)),
    // From a running workspace in the Workspaces view: pick the version, serve it in there.
    registerCommand('mlops.workspace.serveModel', (w?: WorkspaceNode) => serving.serve(undefined, 'workspace', w?.kind === 'workspace' ? w : undefined)),
    registerCommand('mlops.model.stopServing', (n?: ModelsNode) => serving.stop(n ?? (view.selection[0] as ModelsNode | undefined))),
    registerCommand('mlops.model.tryModel', async (n?: ModelsNode) => {
      const e = await serving.endpointOf(n ?? (view.selection[0] as ModelsNode | undefined));
      // The panel is returned for the E2E suite (it probes what the webview shows).
      return e ? TryModelPanel.show(tryDeps, e) : undefined;
    }),
    registerCommand(
      'mlops.model.assignStage',
      mustBe((n) => actions.assignStage(n)),
    ),
  );
  return tree;
}
