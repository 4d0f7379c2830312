import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { listDvcStages, type StageSummary } from '../../core/pipelines/dvcStages';

type Node = { kind: 'file'; uri: vscode.Uri; stages: StageSummary[] } | { kind: 'stage'; uri: vscode.Uri; stage: StageSummary };

const EXCLUDE = '**/{node_modules,.git,.dvc,.venv*,venv}/**';

/** The stages of every dvc.yaml in the workspace; one file's stages sit at the top level. */
export class PipelinesTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Coalesces bursts of file events (a `dvc repro` touches many files). */
  refresh(delayMs = 0): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.changed.fire(undefined), delayMs);
  }

  async getChildren(element?: Node): Promise<Node[]> {
    if (element?.kind === 'file') return element.stages.map((stage) => ({ kind: 'stage', uri: element.uri, stage }));
    if (element) return [];
    const files = await vscode.workspace.findFiles('**/dvc.yaml', EXCLUDE, 200);
    files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const nodes: Node[] = [];
    for (const uri of files) {
      try {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        nodes.push({ kind: 'file', uri, stages: listDvcStages(text) });
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
    const { stage } = node;
    const item = new vscode.TreeItem(stage.name, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.uri.toString()}#${stage.name}`;
    item.iconPath = new vscode.ThemeIcon(stage.templated ? 'symbol-array' : 'symbol-event');
    item.description = stage.desc ?? stage.cmd;
    item.tooltip = new vscode.MarkdownString().appendMarkdown(`**${stage.name}**\n\n`).appendCodeblock(stage.cmd ?? '(no cmd)', 'shell');
    item.contextValue = 'dvcStage';
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
