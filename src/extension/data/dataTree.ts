import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import type { Artifact } from '../../core/data/artifacts';
import type { ArtifactState, ArtifactStateKind } from '../../core/data/artifactState';
import type { DataProblem } from '../../core/data/dataErrors';
import type { DvcConfig } from '../../core/data/dvcConfig';
import type { RepoInfo } from '../../core/data/gitRepo';
import type { ArtifactVersion, VersionListing } from '../../core/data/versionHistory';
import type { HashCache } from '../../core/pipelines/status/dvcHash';
import { artifactDescription, artifactTooltip, manifestChildren, pathTree, versionDescription, versionTooltip, type PathFolder } from './dataFormat';
import { pushAll } from '../../core/common/arrays';

export type DataLib = typeof import('../lazy/dataLib');

/** One DVC project (a folder holding .dvc/) of the workspace and what its last listing gave. */
export interface DataProject {
  root: string;
  name: string;
  artifacts: Artifact[];
  states: Map<string, ArtifactState>;
  problems: DataProblem[];
  config?: DvcConfig;
  repo?: RepoInfo;
  /** Why the project could not be listed at all. */
  error?: string;
  versions: Map<string, Promise<VersionListing>>;
}

export type ProjectNode = { kind: 'project'; project: DataProject };
export type FolderNode = { kind: 'folder'; project: DataProject; folder: PathFolder };
export type ArtifactNode = { kind: 'artifact'; project: DataProject; artifact: Artifact };
export type VersionNode = { kind: 'version'; project: DataProject; artifact: Artifact; version: ArtifactVersion; newer?: ArtifactVersion; older?: ArtifactVersion };
export type FilesNode = { kind: 'files'; project: DataProject; artifact: Artifact; prefix: string; relpaths: string[]; label?: string };
export type FileNode = { kind: 'file'; project: DataProject; artifact: Artifact; relpath: string };
export type ProblemNode = { kind: 'problem'; problem: DataProblem; project?: DataProject };
export type DataNode = ProjectNode | FolderNode | ArtifactNode | VersionNode | FilesNode | FileNode | ProblemNode;

export interface DataTreeDeps {
  log: vscode.LogOutputChannel;
  lib(): DataLib;
  /** Folders to look for DVC projects in (the workspace folders). */
  folders(): string[];
  hashes(): HashCache;
}

const STATE_ICON: Record<ArtifactStateKind, [string, string]> = {
  'in-sync': ['pass', 'testing.iconPassed'],
  modified: ['diff-modified', 'gitDecoration.modifiedResourceForeground'],
  missing: ['circle-slash', 'gitDecoration.deletedResourceForeground'],
  'not-cached': ['cloud-download', 'list.warningForeground'],
  'not-pushed': ['cloud-upload', 'gitDecoration.untrackedResourceForeground'],
};

const PROBLEM_ICON: Partial<Record<DataProblem['code'], string>> = { 'detached-head': 'git-commit', 'shallow-clone': 'history', 'not-git': 'source-control' };

/** DVC-tracked data and models as a path tree; each artifact → its versions in git history. */
export class DataTreeProvider implements vscode.TreeDataProvider<DataNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DataNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private projects: DataProject[] = [];
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly waiters: (() => void)[] = [];

  /** Set by registerDataView once the view exists. */
  view: vscode.TreeView<DataNode> | undefined;

  constructor(private readonly deps: DataTreeDeps) {}

  get allProjects(): readonly DataProject[] {
    return this.projects;
  }

  private historyChanged = true;

  /**
   * Lists again after `delayMs` (bursts of file events coalesce); resolves when the view
   * shows it. Versions are read from git again only when `history` says a .dvc file,
   * dvc.lock or a git ref may have changed (an edited data file changes only states).
   */
  refresh(delayMs = 0, history = true): Promise<void> {
    this.historyChanged ||= history;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const waiters = this.waiters.splice(0);
      void this.reload().then(() => {
        this.changed.fire(undefined);
        for (const w of waiters) w();
      });
    }, delayMs);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async whenLoaded(): Promise<void> {
    if (!this.loading) await this.reload();
    else await this.loading;
  }

  private reload(): Promise<void> {
    const next = (this.loading ?? Promise.resolve()).then(() => vscode.window.withProgress({ location: { viewId: 'mlops.data' } }, () => this.load()));
    this.loading = next.catch((err) => this.deps.log.error(`Data: listing failed: ${errorMessage(err)}`));
    return this.loading;
  }

  private async load(): Promise<void> {
    const lib = this.deps.lib();
    const roots = new Set<string>();
    for (const f of this.deps.folders()) {
      const r = lib.findDvcRoot(f);
      if (r) roots.add(r);
    }
    const projects: DataProject[] = [];
    const keepVersions = !this.historyChanged;
    this.historyChanged = false;
    for (const root of roots) {
      const old = keepVersions ? this.projects.find((p) => p.root === root) : undefined;
      const project: DataProject = { root, name: path.basename(root), artifacts: [], states: new Map(), problems: [], versions: old?.versions ?? new Map() };
      projects.push(project);
      try {
        const listing = await lib.listArtifacts(root);
        project.artifacts = listing.artifacts;
        project.problems = [...listing.problems];
        project.config = await lib.readDvcConfig(root);
        for (const a of listing.artifacts) {
          try {
            project.states.set(a.path, await lib.artifactState(root, a, project.config, this.deps.hashes()));
          } catch (err) {
            this.deps.log.warn(`Data: state of ${a.path}: ${errorMessage(err)}`);
          }
        }
        try {
          project.repo = await lib.openRepo(root);
          pushAll(project.problems, project.repo.problems);
        } catch (err) {
          project.problems.push(err instanceof lib.DataError ? err.problem : { code: 'not-git', message: errorMessage(err) });
        }
      } catch (err) {
        project.error = errorMessage(err);
        this.deps.log.error(`Data: cannot list ${root}: ${project.error}`);
      }
      for (const p of project.problems) this.deps.log.warn(`Data: ${p.message}`);
    }
    this.projects = projects;
    // The Explorer's "Track with DVC" shows only where there is a DVC project.
    void vscode.commands.executeCommand('setContext', 'mlops.data.hasDvcProject', projects.length > 0);
  }

  /** Applies what `dvc data status --not-in-remote` said for remotes we cannot read natively. */
  applyRemoteStatus(project: DataProject, notInRemote: Set<string>): void {
    for (const [p, s] of project.states) {
      const a = project.artifacts.find((x) => x.path === p);
      const pushed = !notInRemote.has(p) && !(a?.isDir && [...notInRemote].some((n) => n.startsWith(`${p}/`)));
      s.pushed = pushed;
      if (s.kind === 'in-sync' && !pushed) s.kind = 'not-pushed';
    }
    this.changed.fire(undefined);
  }

  versionsOf(project: DataProject, artifact: Artifact): Promise<VersionListing> {
    let p = project.versions.get(artifact.path);
    if (!p) {
      const lib = this.deps.lib();
      p = project.repo ? lib.listVersions(project.root, artifact, { repo: project.repo }) : Promise.resolve({ versions: [], problems: [] });
      project.versions.set(artifact.path, p);
      p.catch(() => project.versions.delete(artifact.path));
    }
    return p;
  }

  async getChildren(element?: DataNode): Promise<DataNode[]> {
    if (!element) {
      await this.whenLoaded();
      if (this.projects.length === 1) return this.projectChildren(this.projects[0]);
      return this.projects.map((project) => ({ kind: 'project', project }));
    }
    switch (element.kind) {
      case 'project':
        return this.projectChildren(element.project);
      case 'folder':
        return this.folderChildren(element.project, element.folder);
      case 'artifact':
        return this.artifactChildren(element.project, element.artifact);
      case 'files': {
        const { dirs, files } = manifestChildren(element.relpaths, element.prefix);
        const join = (n: string) => (element.prefix ? `${element.prefix}/${n}` : n);
        return [
          ...dirs.map((d): DataNode => ({ kind: 'files', project: element.project, artifact: element.artifact, prefix: join(d), relpaths: element.relpaths, label: d })),
          ...files.map((f): DataNode => ({ kind: 'file', project: element.project, artifact: element.artifact, relpath: join(f) })),
        ];
      }
      default:
        return [];
    }
  }

  private projectChildren(project: DataProject): DataNode[] {
    if (project.error) return [{ kind: 'problem', project, problem: { code: 'no-dvc', message: project.error } }];
    // Nothing tracked and nothing broken: the welcome text says how to start.
    const repoCodes = new Set(project.repo?.problems.map((p) => p.code));
    if (!project.artifacts.length && project.problems.every((p) => repoCodes.has(p.code) || p.code === 'not-git')) return [];
    const problems = project.problems.map((problem): DataNode => ({ kind: 'problem', project, problem }));
    return [...problems, ...this.folderChildren(project, pathTree(project.artifacts))];
  }

  private folderChildren(project: DataProject, folder: PathFolder): DataNode[] {
    return [
      ...folder.folders.map((f): DataNode => ({ kind: 'folder', project, folder: f })),
      ...folder.artifacts.map((artifact): DataNode => ({ kind: 'artifact', project, artifact })),
    ];
  }

  private async artifactChildren(project: DataProject, artifact: Artifact): Promise<DataNode[]> {
    const out: DataNode[] = [];
    const manifest = project.states.get(artifact.path)?.manifest;
    if (artifact.isDir && manifest) out.push({ kind: 'files', project, artifact, prefix: '', relpaths: manifest.map((m) => m.relpath) });
    if (!project.repo) {
      const why = project.problems.find((p) => p.code === 'not-git');
      if (why) out.push({ kind: 'problem', project, problem: why });
      return out;
    }
    try {
      const { versions } = await this.versionsOf(project, artifact);
      versions.forEach((version, i) => out.push({ kind: 'version', project, artifact, version, newer: versions[i - 1], older: versions[i + 1] }));
      if (!versions.length) out.push({ kind: 'problem', project, problem: { code: 'not-git', message: vscode.l10n.t('No committed version yet: commit {0} to start its history.', artifact.source.file) } });
    } catch (err) {
      out.push({ kind: 'problem', project, problem: { code: 'not-git', message: vscode.l10n.t('Cannot read the versions of {0}: {1}', artifact.path, errorMessage(err)) } });
    }
    return out;
  }

  /** For TreeView.reveal: the chain artifact → folders (versions and file lists → artifact). */
  getParent(node: DataNode): DataNode | undefined {
    const { project } = node as { project?: DataProject };
    if (!project) return undefined;
    const top = this.projects.length > 1 ? ({ kind: 'project', project } as const) : undefined;
    const folderOf = (match: (f: PathFolder) => boolean): DataNode | undefined => {
      // The folder whose direct children include the node.
      const walk = (f: PathFolder): PathFolder | undefined => {
        if (match(f)) return f;
        for (const c of f.folders) {
          const hit = walk(c);
          if (hit) return hit;
        }
        return undefined;
      };
      const root = pathTree(project.artifacts);
      const parent = walk(root);
      return parent && parent !== root ? { kind: 'folder', project, folder: parent } : top;
    };
    switch (node.kind) {
      case 'version':
      case 'file':
        return { kind: 'artifact', project, artifact: node.artifact };
      case 'files':
        return { kind: 'artifact', project, artifact: node.artifact };
      case 'artifact':
        return folderOf((f) => f.artifacts.some((a) => a.path === node.artifact.path));
      case 'folder':
        return folderOf((f) => f.folders.some((c) => c.path === node.folder.path));
      default:
        return top;
    }
  }

  /** Shows an artifact's versions expanded in the view (the E2E screenshot, and after a checkout). */
  async revealVersions(view: vscode.TreeView<DataNode>, artifactPath: string): Promise<boolean> {
    await this.whenLoaded();
    const project = this.projects.find((p) => p.artifacts.some((a) => a.path === artifactPath));
    const artifact = project?.artifacts.find((a) => a.path === artifactPath);
    if (!project || !artifact) return false;
    await this.versionsOf(project, artifact);
    await view.reveal({ kind: 'artifact', project, artifact }, { expand: true, select: false, focus: false });
    return true;
  }

  getTreeItem(node: DataNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(node.project.name, C.Expanded);
        item.id = node.project.root;
        item.description = vscode.l10n.t('{0} tracked', node.project.artifacts.length);
        item.iconPath = new vscode.ThemeIcon('database');
        item.tooltip = node.project.root;
        return item;
      }
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, C.Expanded);
        item.id = `${node.project.root}\0dir\0${node.folder.path}`;
        item.iconPath = vscode.ThemeIcon.Folder;
        item.resourceUri = vscode.Uri.file(path.join(node.project.root, node.folder.path));
        item.contextValue = 'mlops.dataFolder';
        return item;
      }
      case 'artifact': {
        const a = node.artifact;
        const state = node.project.states.get(a.path);
        const item = new vscode.TreeItem(path.posix.basename(a.path), C.Collapsed);
        item.id = `${node.project.root}\0${a.path}`;
        item.description = artifactDescription(a, state);
        item.tooltip = new vscode.MarkdownString(artifactTooltip(a, state));
        const [icon, color] = STATE_ICON[state?.kind ?? 'in-sync'];
        item.iconPath = state ? new vscode.ThemeIcon(icon, new vscode.ThemeColor(color)) : new vscode.ThemeIcon(a.isDir ? 'folder' : 'file');
        item.contextValue = `mlops.dataArtifact${a.isDir ? '.dir' : ''}.${state?.kind ?? 'unknown'}`;
        return item;
      }
      case 'version': {
        const v = node.version;
        const item = new vscode.TreeItem(v.subject || v.commit.slice(0, 7), C.None);
        item.id = `${node.project.root}\0${node.artifact.path}\0${v.commit}`;
        item.description = versionDescription(v);
        item.tooltip = new vscode.MarkdownString(versionTooltip(node.artifact, v));
        const current = node.project.states.get(node.artifact.path)?.workspaceMd5 === v.md5;
        item.iconPath = new vscode.ThemeIcon(current ? 'pass-filled' : v.tags.length ? 'tag' : 'git-commit', current ? new vscode.ThemeColor('testing.iconPassed') : undefined);
        item.contextValue = `mlops.dataVersion${node.older ? '.hasOlder' : ''}`;
        item.accessibilityInformation = { label: current ? vscode.l10n.t('{0}, commit {1}, in the workspace', v.subject, v.commit.slice(0, 7)) : vscode.l10n.t('{0}, commit {1}', v.subject, v.commit.slice(0, 7)) };
        return item;
      }
      case 'files': {
        const item = new vscode.TreeItem(node.label ?? vscode.l10n.t('Files'), C.Collapsed);
        if (!node.label) item.description = vscode.l10n.t('{0} in this version', node.relpaths.length);
        item.iconPath = node.label ? vscode.ThemeIcon.Folder : new vscode.ThemeIcon('files');
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(path.posix.basename(node.relpath), C.None);
        item.resourceUri = vscode.Uri.file(path.join(node.project.root, node.artifact.path, node.relpath));
        item.iconPath = vscode.ThemeIcon.File;
        item.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [item.resourceUri] };
        return item;
      }
      case 'problem': {
        const p = node.problem;
        // A problem of a file is named by the file; one of the repository by what it is; any other says itself (no bare "Problem").
        const label = p.file ?? (p.code === 'detached-head' ? vscode.l10n.t('Detached HEAD') : p.code === 'shallow-clone' ? vscode.l10n.t('Shallow clone') : p.message);
        const item = new vscode.TreeItem(label, C.None);
        if (label !== p.message) item.description = p.message;
        item.tooltip = p.message;
        item.iconPath = new vscode.ThemeIcon(PROBLEM_ICON[p.code] ?? 'warning', new vscode.ThemeColor('list.warningForeground'));
        item.contextValue = 'mlops.dataProblem';
        if (p.file && node.project) item.command = { command: 'vscode.open', title: vscode.l10n.t('Open'), arguments: [vscode.Uri.file(path.join(node.project.root, p.file))] };
        return item;
      }
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }
}

