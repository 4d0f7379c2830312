import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { listDvcStages, type StageSummary } from '../../core/pipelines/dvcStages';
import { HashCache } from '../../core/pipelines/status/dvcHash';
import { describeStageChanges } from '../../core/pipelines/status/describe';
import { computePipelineStatus, type PipelineStatus } from '../../core/pipelines/status/stageStatus';

/** undefined status: it could not be computed (the reason is in the log). */
type FileNode = { kind: 'file'; uri: vscode.Uri; stages: StageSummary[]; status?: PipelineStatus; hasLock: boolean };
type Node = FileNode | { kind: 'stage'; uri: vscode.Uri; stage: StageSummary; file: FileNode };

const EXCLUDE = '**/{node_modules,.git,.dvc,.venv*,venv}/**';

/** The stages of every dvc.yaml in the workspace; one file's stages sit at the top level. */
export class PipelinesTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private refreshTimer: NodeJS.Timeout | undefined;
  // Unchanged files are not hashed again: a refresh after an edit costs a stat per dep.
  private readonly hashes = new HashCache();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Coalesces bursts of file events (a `dvc repro` touches many files). */
  refresh(delayMs = 0): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.changed.fire(undefined), delayMs);
  }

  async getChildren(element?: Node): Promise<Node[]> {
    if (element?.kind === 'file') return element.stages.map((stage) => ({ kind: 'stage', uri: element.uri, stage, file: element }));
    if (element) return [];
    const files = await vscode.workspace.findFiles('**/dvc.yaml', EXCLUDE, 200);
    files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const nodes: Node[] = [];
    for (const uri of files) {
      try {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        const dir = vscode.Uri.joinPath(uri, '..');
        const hasLock = await vscode.workspace.fs.stat(vscode.Uri.joinPath(dir, 'dvc.lock')).then(() => true, () => false);
        const status = await computePipelineStatus({ dir: dir.fsPath, hashes: this.hashes }).catch((err) => {
          this.log.warn(`Pipelines: stage status of ${uri.fsPath} unavailable: ${errorMessage(err)}`);
          return undefined;
        });
        nodes.push({ kind: 'file', uri, stages: listDvcStages(text), status, hasLock });
      } catch (err) {
        this.log.warn(`Pipelines: cannot read ${uri.fsPath}: ${errorMessage(err)}`);
      }
    }
    if (nodes.length === 1 && nodes[0].kind === 'file') return this.getChildren(nodes[0]);
    return nodes;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(vscode.workspace.asRelativePath(node.uri), vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = node.uri;
      item.contextValue = 'dvcYaml';
      item.description = `${node.stages.length} stage${node.stages.length === 1 ? '' : 's'}`;
      return item;
    }
    const { stage, file } = node;
    const item = new vscode.TreeItem(stage.name, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.uri.toString()}#${stage.name}`;
    const tooltip = new vscode.MarkdownString().appendMarkdown(`**${stage.name}**`);
    let state: string;
    if (stage.templated || !file.status) {
      state = stage.templated ? 'foreach/matrix' : 'status unknown';
      item.iconPath = new vscode.ThemeIcon(stage.templated ? 'symbol-array' : 'question');
    } else if (!file.status[stage.name]) {
      state = 'up to date';
      item.iconPath = new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    } else {
      const changes = describeStageChanges(file.status[stage.name]);
      state = file.hasLock ? 'changed' : 'not run yet';
      item.iconPath = new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.yellow'));
      tooltip.appendMarkdown('\n\n' + changes.map((c) => `- ${c}`).join('\n'));
    }
    tooltip.appendMarkdown(` — ${state}\n\n`).appendCodeblock(stage.cmd ?? '(no cmd)', 'shell');
    if (stage.desc) tooltip.appendMarkdown(stage.desc);
    item.description = `${state} · ${stage.desc ?? stage.cmd ?? ''}`;
    item.tooltip = tooltip;
    item.contextValue = `dvcStage.${state === 'up to date' ? 'upToDate' : 'changed'}`;
    const { start, end } = stage.range;
    item.command = {
      command: 'vscode.open',
      title: 'Open Stage',
      arguments: [node.uri, { selection: new vscode.Range(start.line, start.character, end.line, end.character) }],
    };
    return item;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.changed.dispose();
  }
}
