// The Data view's actions. Each one that changes the workspace first makes sure nothing
// can be lost: a modified or uncached workspace copy is cached before a checkout
// replaces it, and a failed checkout puts the .dvc file / dvc.lock back as it was.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { readBoundedText, YAML_JSON_CAP } from '../../core/common/boundedRead';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showError, showInfo, showWarning } from '../notify';
import { errorMessage } from '../../core/common/errors';
import type { HashCache } from '../../core/pipelines/status/dvcHash';
import { comparisonMarkdown } from './dataFormat';
import type { ArtifactNode, DataLib, DataNode, DataProject, DataTreeProvider, FolderNode, VersionNode } from './dataTree';
import { requireCli } from '../pipelines/cliTools';
import { RevisionMetricsPanel } from './revisionMetricsPanel';

export interface DataActionDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  tree: DataTreeProvider;
  view: vscode.TreeView<DataNode>;
  lib(): DataLib;
  hashes(): HashCache;
}

/** Programmatic answers to the questions a command would ask (tests, other extensions). */
export interface CheckoutOptions {
  /** When the workspace copy is modified or not cached: cache it first, or stop. Asked when absent. */
  ifUnsaved?: 'cache' | 'cancel';
}

const isVersion = (n: unknown): n is VersionNode => (n as DataNode | undefined)?.kind === 'version';

async function runWithProgress<T>(title: string, work: (signal: AbortSignal, report: (line: string) => void) => Promise<T>): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLOps: ${title}`, cancellable: true }, (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return work(abort.signal, (line) => progress.report({ message: line.length > 120 ? `${line.slice(0, 117)}…` : line }));
  });
}

const COMPARE_SCHEME = 'mlops-data-compare';

export function registerDataActions(deps: DataActionDeps): void {
  const { log, tree, lib } = deps;
  const reports = new Map<string, string>();
  const reportChanged = new vscode.EventEmitter<vscode.Uri>();
  deps.context.subscriptions.push(
    reportChanged,
    vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, { onDidChange: reportChanged.event, provideTextDocumentContent: (uri) => reports.get(uri.toString()) ?? '' }),
  );
  /** `what` names the failure in the log (English); `shown` is the same, translated, for the user. */
  const fail = (what: string, shown: string, err: unknown) => {
    const message = errorMessage(err);
    log.error(`Data: ${what}: ${message}`);
    void showError(`${shown}: ${message}`, vscode.l10n.t('Show Log')).then((p) => p && log.show());
  };

  async function pickVersion(title: string): Promise<VersionNode | undefined> {
    const selected = deps.view.selection.find(isVersion);
    if (selected) return selected;
    void showInfo(vscode.l10n.t('{0}: select a version under an artifact in the Data view.', title));
    return undefined;
  }

  async function checkoutVersion(node?: VersionNode, options: CheckoutOptions = {}): Promise<boolean> {
    node = isVersion(node) ? node : await pickVersion(vscode.l10n.t('Check Out Data Version'));
    if (!node) return false;
    const { project, artifact, version } = node;
    const dvc = await requireCli('dvc', vscode.l10n.t('check out a data version'));
    if (!dvc || !project.config || !project.repo) return false;
    const l = lib();
    const short = version.commit.slice(0, 7);
    const state = await l.artifactState(project.root, artifact, project.config, deps.hashes());

    // The copy in the workspace must be recoverable before anything replaces it.
    if (state.workspaceMd5 && state.workspaceMd5 !== version.md5) {
      const inCache = state.workspaceMd5 === artifact.md5 ? state.cached : await isCached(project, state.workspaceMd5);
      if (!inCache) {
        let answer = options.ifUnsaved;
        if (!answer) {
          const pick = await showWarning(
            state.workspace === 'modified'
              ? vscode.l10n.t('{0} is modified in the workspace: checking out {1} would replace the only copy. Cache it first? It stays recoverable by its hash {2}.', artifact.path, short, state.workspaceMd5)
              : vscode.l10n.t('{0} is not in the DVC cache: checking out {1} would replace the only copy. Cache it first? It stays recoverable by its hash {2}.', artifact.path, short, state.workspaceMd5),
            { modal: true },
            vscode.l10n.t('Cache It, Then Check Out'),
          );
          answer = pick ? 'cache' : 'cancel';
        }
        if (answer !== 'cache') return false;
        const md5 = await l.cacheWorkspaceCopy(project.config.cacheDir, path.join(project.root, artifact.path), deps.hashes());
        log.info(`Data: cached the workspace copy of ${artifact.path} as ${md5} before checking out ${short}`);
      }
    }

    const target = await isCached(project, version.md5, version.legacy);
    if (!target && !project.config.remote) {
      void showError(
        vscode.l10n.t('version {0} of {1} is not in the local DVC cache and no default remote is configured, so it cannot be checked out. Nothing was changed.', short, artifact.path),
      );
      return false;
    }
    const recordFile = path.join(project.root, artifact.source.file);
    const before = await readBoundedText(recordFile, { cap: YAML_JSON_CAP, root: project.root });
    try {
      await l.restoreRecord(project.repo, artifact, version);
      const targetArg = artifact.source.kind === 'dvc-file' ? artifact.source.file : artifact.path;
      await runWithProgress(target ? vscode.l10n.t('Checking out {0} at {1}', artifact.path, short) : vscode.l10n.t('Pulling {0} at {1}', artifact.path, short), (signal, report) =>
        l.runDvc(dvc, target ? ['checkout', '--force', targetArg] : ['pull', '--force', targetArg], { cwd: project.root, signal, onLine: report }),
      );
    } catch (err) {
      // Put the record back: the workspace data was not replaced, or was cached above.
      await writeFile(recordFile, before);
      fail(
        `checking out ${artifact.path} at ${short} failed; ${artifact.source.file} is unchanged`,
        vscode.l10n.t('checking out {0} at {1} failed; {2} is unchanged', artifact.path, short, artifact.source.file),
        err,
      );
      return false;
    } finally {
      await tree.refresh();
    }
    log.info(`Data: checked out ${artifact.path} at ${version.commit}`);
    void showInfo(
      vscode.l10n.t(
        '{0} is now version {1} ({2}). {3} changed accordingly: commit it to keep this version, or check out the newest version to go back.',
        artifact.path,
        short,
        version.subject,
        artifact.source.file,
      ),
    );
    return true;
  }

  async function isCached(project: DataProject, md5: string, legacy = false): Promise<boolean> {
    const l = lib();
    const cacheDir = project.config!.cacheDir;
    if (!md5.endsWith('.dir')) return existsSync(l.objectPath(cacheDir, md5, legacy));
    try {
      const manifest = await l.readDirManifest(cacheDir, md5, legacy);
      return manifest.every((e) => existsSync(l.objectPath(cacheDir, e.md5, legacy)));
    } catch {
      return false;
    }
  }

  async function getVersion(node?: VersionNode, options: { dest?: string } = {}): Promise<string | undefined> {
    node = isVersion(node) ? node : await pickVersion(vscode.l10n.t('Get Data Version'));
    if (!node) return undefined;
    const { project, artifact, version } = node;
    const dvc = await requireCli('dvc', vscode.l10n.t('get a data version'));
    if (!dvc) return undefined;
    const short = version.commit.slice(0, 7);
    const ext = path.posix.extname(artifact.path);
    const suggestion = `${artifact.path.slice(0, artifact.path.length - ext.length)}@${short}${ext}`;
    const rel =
      options.dest ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Get {0} at {1} into a new path', artifact.path, short),
        value: suggestion,
        prompt: vscode.l10n.t('Path relative to the project; it must not exist yet.'),
        validateInput: (v) => (!v.trim() ? vscode.l10n.t('Enter a path') : existsSync(path.resolve(project.root, v)) ? vscode.l10n.t('{0} already exists: choose a new path', v) : undefined),
      }));
    if (!rel) return undefined;
    const dest = path.resolve(project.root, rel);
    if (existsSync(dest)) {
      void showError(vscode.l10n.t('{0} already exists; choose a new path so nothing is overwritten.', rel));
      return undefined;
    }
    try {
      await runWithProgress(vscode.l10n.t('Getting {0} at {1}', artifact.path, short), (signal, report) =>
        lib().runDvc(dvc, ['get', project.root, artifact.path, '--rev', version.commit, '-o', dest], { cwd: project.root, signal, onLine: report }),
      );
    } catch (err) {
      fail(`getting ${artifact.path} at ${short}`, vscode.l10n.t('getting {0} at {1}', artifact.path, short), err);
      return undefined;
    }
    log.info(`Data: got ${artifact.path} at ${version.commit} into ${dest}`);
    void showInfo(vscode.l10n.t('{0} at {1} is in {2} (not tracked by DVC).', artifact.path, short, rel), vscode.l10n.t('Reveal')).then((p) => {
      if (p) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dest));
    });
    return dest;
  }

  async function compareVersions(node?: VersionNode, other?: VersionNode | VersionNode[]): Promise<string | undefined> {
    node = isVersion(node) ? node : await pickVersion(vscode.l10n.t('Compare Data Versions'));
    if (!node) return undefined;
    let b = Array.isArray(other) ? other.find((o) => isVersion(o) && o.version.commit !== node!.version.commit && o.artifact.path === node!.artifact.path) : isVersion(other) ? other : undefined;
    if (!b) {
      const { versions } = await tree.versionsOf(node.project, node.artifact);
      const others = versions.filter((v) => v.commit !== node!.version.commit);
      if (!others.length) {
        void showInfo(vscode.l10n.t('{0} has only one version.', node.artifact.path));
        return undefined;
      }
      // The previous version first: the usual question is "what changed in this commit".
      const older = node.older;
      const ordered = older ? [older, ...others.filter((v) => v !== older)] : others;
      const pick = (
        await vscode.window.showQuickPick(
          ordered.map((v) => ({ label: v.subject, description: `${v.commit.slice(0, 7)} · ${v.date.slice(0, 10)}${v === older ? ` · ${vscode.l10n.t('previous version')}` : ''}`, v })),
          { title: vscode.l10n.t('Compare {0} at {1} with…', node.artifact.path, node.version.commit.slice(0, 7)) },
        )
      )?.v;
      if (!pick) return undefined;
      b = { ...node, version: pick };
    }
    // Older first, so the report reads as a change.
    const [from, to] = Date.parse(b.version.date) <= Date.parse(node.version.date) ? [b.version, node.version] : [node.version, b.version];
    try {
      const c = await lib().compareVersions(node.project.config!.cacheDir, from, to, node.artifact.path);
      const md = comparisonMarkdown(node.artifact.path, from, to, c);
      // A read-only document: closing the report never asks to save it.
      const uri = vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${node.artifact.path} ${from.commit.slice(0, 7)}..${to.commit.slice(0, 7)}.md` });
      reports.set(uri.toString(), md);
      reportChanged.fire(uri);
      await vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, async () => vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri)));
      return md;
    } catch (err) {
      fail(`comparing versions of ${node.artifact.path}`, vscode.l10n.t('comparing versions of {0}', node.artifact.path), err);
      return undefined;
    }
  }

  function projectOf(node?: DataNode): DataProject | undefined {
    if (node && 'project' in node && node.project) return node.project;
    return tree.allProjects[0];
  }

  async function transfer(kind: 'pull' | 'push', node?: ArtifactNode | FolderNode): Promise<boolean> {
    const project = projectOf(node);
    if (!project) {
      void showInfo(vscode.l10n.t('no DVC project in this workspace.'));
      return false;
    }
    const dvc = await requireCli('dvc', kind === 'pull' ? vscode.l10n.t('pull data') : vscode.l10n.t('push data'));
    if (!dvc) return false;
    const targets = node?.kind === 'artifact' ? [node.artifact.source.kind === 'dvc-file' ? node.artifact.source.file : node.artifact.path] : node?.kind === 'folder' ? node.folder.artifacts.map((a) => a.path) : [];
    const what = targets.length ? targets.join(', ') : vscode.l10n.t('all tracked data');
    try {
      const title = kind === 'pull' ? vscode.l10n.t('Pulling {0}', what) : vscode.l10n.t('Pushing {0}', what);
      await runWithProgress(title, (signal, report) => lib().runDvc(dvc, [kind, ...targets], { cwd: project.root, signal, onLine: report }));
      void vscode.window.setStatusBarMessage(kind === 'pull' ? vscode.l10n.t('MLOps: pull of {0} done', what) : vscode.l10n.t('MLOps: push of {0} done', what), 5000);
      return true;
    } catch (err) {
      fail(`dvc ${kind} of ${what}`, kind === 'pull' ? vscode.l10n.t('dvc pull of {0}', what) : vscode.l10n.t('dvc push of {0}', what), err);
      return false;
    } finally {
      await tree.refresh();
    }
  }

  async function addToDvc(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<boolean> {
    let targets = (uris?.length ? uris : uri ? [uri] : []).filter((u) => u instanceof vscode.Uri);
    if (!targets.length) {
      targets =
        (await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: vscode.l10n.t('Track with DVC'), defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri })) ?? [];
    }
    if (!targets.length) return false;
    const root = lib().findDvcRoot(path.dirname(targets[0].fsPath));
    if (!root) {
      void showError(vscode.l10n.t('{0} is not inside a DVC project. Run "dvc init" in its git repository first.', targets[0].fsPath));
      return false;
    }
    const dvc = await requireCli('dvc', vscode.l10n.t('add data to DVC'));
    if (!dvc) return false;
    const rels = targets.map((t) => path.relative(root, t.fsPath));
    try {
      await runWithProgress(vscode.l10n.t('Tracking {0} with DVC', rels.join(', ')), (signal, report) => lib().runDvc(dvc, ['add', ...rels], { cwd: root, signal, onLine: report }));
      void showInfo(vscode.l10n.t('{0} tracked by DVC. Commit the new .dvc file(s) and .gitignore to record this version.', rels.join(', ')));
      return true;
    } catch (err) {
      fail(`dvc add ${rels.join(' ')}`, `dvc add ${rels.join(' ')}`, err);
      return false;
    } finally {
      await tree.refresh();
    }
  }

  async function showMetricsTable(node?: DataNode): Promise<RevisionMetricsPanel | undefined> {
    const project = projectOf(node);
    if (!project) {
      void showInfo(vscode.l10n.t('no DVC project in this workspace.'));
      return undefined;
    }
    return RevisionMetricsPanel.show(deps.context, lib, project.root, log);
  }

  deps.context.subscriptions.push(
    registerCommand('mlops.data.refresh', () => tree.refresh()),
    registerCommand('mlops.data.checkoutVersion', checkoutVersion),
    registerCommand('mlops.data.getVersion', getVersion),
    registerCommand('mlops.data.compareVersions', compareVersions),
    registerCommand('mlops.data.pull', (n?: ArtifactNode | FolderNode) => transfer('pull', n)),
    registerCommand('mlops.data.push', (n?: ArtifactNode | FolderNode) => transfer('push', n)),
    registerCommand('mlops.data.add', addToDvc),
    registerCommand('mlops.data.showMetricsTable', showMetricsTable),
  );
}
