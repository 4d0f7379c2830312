import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { describeStageChanges } from '../../core/pipelines/status/describe';
import type { LoadedStage, PipelineSnapshot } from '../../core/pipelines/status/pipelineSnapshot';
import type { PipelineStatus } from '../../core/pipelines/status/stageStatus';
import { readPipelineText, readRootOf, type PipelineFiles } from '../pipelines/pipelineFiles';

/** One dvc.yaml, expanded (in the pipelines worker). undefined status: it could not be computed (the reason is in the log). */
export interface PipelineFile {
  uri: vscode.Uri;
  stages: LoadedStage[];
  upstream: Map<string, string[]>;
  status?: PipelineStatus;
  hasLock: boolean;
}
type FileNode = { kind: 'file'; file: PipelineFile };
/** A stage row; `chain` is the path from the top-level row, so upstream rows stay unique and cycles end. */
export type StageNode = { kind: 'stage'; uri: vscode.Uri; stage: LoadedStage; file: PipelineFile; chain: string[] };
type Node = FileNode | StageNode;

export type StageState = 'up to date' | 'changed' | 'not run yet' | 'frozen' | 'status unknown';

/** A state as the view shows it (the states themselves stay English: contextValue and the DAG use them). */
const STATE_TEXT: Record<StageState, () => string> = {
  'up to date': () => vscode.l10n.t('up to date'),
  changed: () => vscode.l10n.t('changed'),
  'not run yet': () => vscode.l10n.t('not run yet'),
  frozen: () => vscode.l10n.t('frozen'),
  'status unknown': () => vscode.l10n.t('status unknown'),
};

export function stageState(file: PipelineFile, stage: LoadedStage): StageState {
  if (!file.status) return 'status unknown';
  if (stage.frozen) return 'frozen';
  if (!file.status[stage.name]) return 'up to date';
  return file.hasLock ? 'changed' : 'not run yet';
}

// Tracking stores that runs write to continuously; a change there matters only when a
// stage declares the path (DVCLive's metrics often are a stage's outs).
const RUN_STORE = /[\\/](mlruns|dvclive)([\\/]|$)|tfevents|[\\/]mlflow\.db(-journal|-wal)?$/;

/** The stages of every dvc.yaml in the workspace, each with its upstream stages below it. */
export class PipelinesTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loadedEmitter = new vscode.EventEmitter<PipelineFile[]>();
  /** Fires after each reload with the files' stages and status (the DAG panel follows it). */
  readonly onDidLoad = this.loadedEmitter.event;
  private refreshTimer: NodeJS.Timeout | undefined;
  private loading: Promise<PipelineFile[]> | undefined;
  private lastFiles: PipelineFile[] = [];
  /** Absolute paths every stage declares (deps, outs, params files), for the event filter. */
  private referenced: string[] = [];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly files: PipelineFiles,
    /** Parses, expands and computes the status of one dvc.yaml: in the pipelines worker (registerPipelines). */
    private readonly loadFile: (dir: string, text: string, root: string) => Promise<PipelineSnapshot>,
  ) {
    files.onDidChange(() => this.refresh());
  }

  /** Coalesces bursts of file events (a `dvc repro` touches many files). */
  refresh(delayMs = 0): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.loading = undefined;
      this.changed.fire(undefined);
    }, delayMs);
  }

  /** Whether a changed file can change a stage's state: run stores only when a stage names them. */
  matters(fsPath: string): boolean {
    if (/[\\/]\.(git|dvc)[\\/]/.test(fsPath)) return false;
    if (!RUN_STORE.test(fsPath)) return true;
    const p = fsPath.split(path.sep).join('/');
    return this.referenced.some((r) => r === p || p.startsWith(r + '/') || r.startsWith(p + '/'));
  }

  /** The current pipelines, loading them once per refresh. */
  pipelines(): Promise<PipelineFile[]> {
    return (this.loading ??= this.load());
  }

  private async load(): Promise<PipelineFile[]> {
    const uris = await this.files.dvcYamls();
    let gone = false;
    const out: PipelineFile[] = [];
    const referenced: string[] = [];
    for (const uri of uris) {
      try {
        const dir = path.dirname(uri.fsPath);
        // A repository's files are read bounded and only inside its workspace folder.
        const root = readRootOf(uri);
        const text = await readPipelineText(uri);
        const { stages, upstream, status, statusError, refused } = await this.loadFile(dir, text, root);
        for (const why of refused) this.log.warn(`Pipelines: ${uri.fsPath}: ${why}`);
        if (statusError) this.log.warn(`Pipelines: stage status of ${uri.fsPath} unavailable: ${statusError}`);
        const hasLock = await vscode.workspace.fs.stat(vscode.Uri.joinPath(uri, '..', 'dvc.lock')).then(() => true, () => false);
        out.push({ uri, stages, upstream: new Map(upstream), status, hasLock });
        for (const s of stages) {
          const base = path.resolve(dir, s.wdir);
          for (const p of [...s.deps, ...s.outs.map((o) => o.path), ...s.params.map((q) => q.file)]) {
            referenced.push(path.resolve(base, p).split(path.sep).join('/'));
          }
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') gone = true;
        else this.log.warn(`Pipelines: cannot read ${uri.fsPath}: ${errorMessage(err)}`);
      }
    }
    // A listed dvc.yaml went away with its folder: search again (the refresh that follows
    // no longer lists it) rather than warn on every refresh.
    if (gone) this.files.invalidate();
    this.referenced = referenced;
    this.lastFiles = out;
    this.loadedEmitter.fire(out);
    return out;
  }

  /** The last loaded pipelines without waiting (empty before the first load). */
  get current(): PipelineFile[] {
    return this.lastFiles;
  }

  async getChildren(element?: Node): Promise<Node[]> {
    if (element?.kind === 'file') return element.file.stages.map((stage) => ({ kind: 'stage', uri: element.file.uri, stage, file: element.file, chain: [stage.name] }));
    if (element?.kind === 'stage') {
      const ups = element.file.upstream.get(element.stage.name) ?? [];
      return ups
        .filter((name) => !element.chain.includes(name))
        .map((name) => element.file.stages.find((s) => s.name === name))
        .filter((s): s is LoadedStage => !!s)
        .map((stage) => ({ kind: 'stage', uri: element.uri, stage, file: element.file, chain: [...element.chain, stage.name] }));
    }
    const files = await this.pipelines();
    if (files.length === 1) return this.getChildren({ kind: 'file', file: files[0] });
    return files.map((file) => ({ kind: 'file', file }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(vscode.workspace.asRelativePath(node.file.uri), vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = node.file.uri;
      item.contextValue = 'dvcYaml';
      const n = node.file.stages.length;
      item.description = n === 1 ? vscode.l10n.t('1 stage') : vscode.l10n.t('{0} stages', n);
      return item;
    }
    const { stage, file } = node;
    const hasUpstream = (file.upstream.get(stage.name) ?? []).some((n) => !node.chain.includes(n));
    const item = new vscode.TreeItem(stage.name, hasUpstream ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `${node.uri.toString()}#${node.chain.join('<')}`;
    const state = stageState(file, stage);
    const tooltip = new vscode.MarkdownString().appendMarkdown(`**${stage.name}** — ${STATE_TEXT[state]()}\n\n`);
    if (state === 'up to date') item.iconPath = new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    else if (state === 'changed' || state === 'not run yet') {
      item.iconPath = new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.yellow'));
      tooltip.appendMarkdown(describeStageChanges(file.status![stage.name]).map((c) => `- ${c}`).join('\n') + '\n\n');
    } else item.iconPath = new vscode.ThemeIcon(state === 'frozen' ? 'lock' : 'question');
    tooltip.appendCodeblock(stage.cmd || vscode.l10n.t('(no cmd)'), 'shell');
    const desc = stage.desc;
    if (desc) tooltip.appendMarkdown(desc);
    if (node.chain.length > 1) tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Upstream of {0}', node.chain[node.chain.length - 2])}`);
    item.description = `${STATE_TEXT[state]()} · ${desc ?? stage.cmd}`;
    item.tooltip = tooltip;
    item.contextValue = `dvcStage.${state === 'up to date' ? 'upToDate' : 'changed'}`;
    const range = stage.keyRange;
    item.command = {
      command: 'vscode.open',
      title: vscode.l10n.t('Open Stage'),
      arguments: [node.uri, { selection: new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character) }],
    };
    return item;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.changed.dispose();
    this.loadedEmitter.dispose();
  }
}
