import * as vscode from 'vscode';
import { layoutDag } from '../../core/pipelines/dagLayout';
import { parseDagToHost, type HostToDag } from '../../protocol/dag';
import { panelHtml, panelOptions } from '../webviews/panelHtml';
import { stageState, type PipelineFile, type PipelinesTreeProvider } from '../views/pipelinesTree';

export const DAG_VIEW_TYPE = 'mlops.pipelineDag';

/**
 * The pipeline as a graph: stages in layers, coloured by state, following the Pipelines
 * view's reloads. Clicking a stage reveals it in dvc.yaml; one panel per dvc.yaml.
 */
export class DagPanel {
  private static readonly open = new Map<string, DagPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  static show(extensionUri: vscode.Uri, pipelines: PipelinesTreeProvider, file: PipelineFile): DagPanel {
    const key = file.uri.toString();
    const existing = DagPanel.open.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DAG_VIEW_TYPE, `DAG: ${vscode.workspace.asRelativePath(file.uri)}`, vscode.ViewColumn.Active, panelOptions(extensionUri));
    const dag = new DagPanel(panel, extensionUri, pipelines, file);
    DagPanel.open.set(key, dag);
    return dag;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    pipelines: PipelinesTreeProvider,
    private file: PipelineFile,
  ) {
    panel.webview.html = panelHtml(panel.webview, extensionUri, 'dag', panel.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
      pipelines.onDidLoad((files) => {
        const next = files.find((f) => f.uri.toString() === this.file.uri.toString());
        if (next) {
          this.file = next;
          void this.post();
        }
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The message the webview draws; exposed for tests. */
  graph(): HostToDag {
    const f = this.file;
    const ids = f.stages.map((s) => s.name);
    const { nodes, width, height } = layoutDag(ids, f.upstream);
    const byId = new Map(f.stages.map((s) => [s.name, s]));
    return {
      type: 'graph',
      title: vscode.workspace.asRelativePath(f.uri),
      width,
      height,
      nodes: nodes.map((n) => ({ id: n.id, x: n.x, y: n.y, width: n.width, height: n.height, state: stageState(f, byId.get(n.id)!), cmd: byId.get(n.id)!.cmd })),
      edges: [...f.upstream].flatMap(([to, ups]) => ups.map((from) => ({ from, to }))),
      problem: f.stages.length ? undefined : 'This dvc.yaml has no stages yet.',
    };
  }

  private post(): Thenable<boolean> {
    return this.panel.webview.postMessage(this.graph());
  }

  private async onMessage(raw: unknown): Promise<void> {
    const m = parseDagToHost(raw);
    if (!m) return;
    if (m.type === 'ready') {
      await this.post();
      return;
    }
    const stage = this.file.stages.find((s) => s.name === m.stage);
    if (!stage) return;
    if (m.type === 'run') {
      await vscode.commands.executeCommand('mlops.runStage', this.file.uri, stage.name);
      return;
    }
    const r = this.file.model.parsed.lines.rangeOf(stage.source.keySpan[0], stage.source.keySpan[1]);
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    // Beside the graph, so it stays visible while the user clicks through stages.
    await vscode.window.showTextDocument(this.file.uri, { selection: range, viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
  }

  dispose(): void {
    DagPanel.open.delete(this.file.uri.toString());
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** "MLOps: Show Pipeline DAG": for the active dvc.yaml, the only one, or a picked one. */
export function registerDagPanel(context: vscode.ExtensionContext, pipelines: PipelinesTreeProvider): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.showPipelineDag', async (arg?: vscode.Uri | { file?: PipelineFile }) => {
      const files = await pipelines.pipelines();
      const wanted = arg instanceof vscode.Uri ? arg : arg && typeof arg === 'object' && 'file' in arg ? arg.file?.uri : vscode.window.activeTextEditor?.document.uri;
      let file = files.find((f) => f.uri.toString() === wanted?.toString());
      if (!file && files.length === 1) file = files[0];
      if (!file && files.length > 1) {
        file = (await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f.uri), description: `${f.stages.length} stages`, f })), { placeHolder: 'Which pipeline?' }))?.f;
      }
      if (!file) {
        if (!files.length) void vscode.window.showInformationMessage('MLOps: no dvc.yaml in this workspace. "MLOps: Create dvc.yaml" starts one.');
        return undefined;
      }
      return DagPanel.show(context.extensionUri, pipelines, file).panel.viewType;
    }),
  );
}
