import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showInfo } from '../notify';
import { layoutDag } from '../../core/pipelines/dagLayout';
import { parseDagToHost, type DagToHost, type HostToDag } from '../../protocol/dag';
import { OpenPanels, PanelHost } from '../webviews/panelHost';
import { stageState, type PipelineFile, type PipelinesTreeProvider } from '../views/pipelinesTree';

export const DAG_VIEW_TYPE = 'mlops.pipelineDag';

/**
 * The pipeline as a graph: stages in layers, coloured by state, following the Pipelines
 * view's reloads. Clicking a stage reveals it in dvc.yaml; one panel per dvc.yaml.
 */
export class DagPanel {
  private static readonly open = new OpenPanels<string, DagPanel>();
  private readonly host: PanelHost<DagToHost, HostToDag>;

  static show(extensionUri: vscode.Uri, pipelines: PipelinesTreeProvider, file: PipelineFile, log: vscode.LogOutputChannel): DagPanel {
    const existing = DagPanel.open.get(file.uri.toString());
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = PanelHost.create(DAG_VIEW_TYPE, vscode.l10n.t('DAG: {0}', vscode.workspace.asRelativePath(file.uri)), extensionUri);
    return new DagPanel(panel, extensionUri, pipelines, file, log);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    pipelines: PipelinesTreeProvider,
    private file: PipelineFile,
    log: vscode.LogOutputChannel,
  ) {
    const key = file.uri.toString();
    this.host = new PanelHost(panel, {
      extensionUri,
      app: 'dag',
      label: 'DAG panel',
      parse: parseDagToHost,
      handle: (m) => this.handle(m),
      log,
      onDispose: () => DagPanel.open.delete(key, this),
    });
    DagPanel.open.add(key, this);
    this.host.track(
      pipelines.onDidLoad((files) => {
        const next = files.find((f) => f.uri.toString() === this.file.uri.toString());
        if (next) {
          this.file = next;
          this.host.post(this.graph());
        }
      }),
    );
  }

  whenReady(timeoutMs?: number): Promise<void> {
    return this.host.whenReady(timeoutMs);
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
      problem: f.stages.length ? undefined : vscode.l10n.t('This dvc.yaml has no stages yet.'),
    };
  }

  private async handle(m: DagToHost): Promise<void> {
    if (m.type === 'ready') {
      this.host.post(this.graph());
      return;
    }
    const stage = this.file.stages.find((s) => s.name === m.stage);
    if (!stage) return;
    if (m.type === 'run') {
      await vscode.commands.executeCommand('mlops.runStage', this.file.uri, stage.name);
      return;
    }
    const r = stage.keyRange;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    // Beside the graph, so it stays visible while the user clicks through stages.
    await vscode.window.showTextDocument(this.file.uri, { selection: range, viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
  }

  dispose(): void {
    this.host.dispose();
  }
}

/** "MLOps: Show Pipeline DAG": for the active dvc.yaml, the only one, or a picked one. */
export function registerDagPanel(context: vscode.ExtensionContext, pipelines: PipelinesTreeProvider, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    registerCommand('mlops.showPipelineDag', async (arg?: vscode.Uri | { file?: PipelineFile }) => {
      const files = await pipelines.pipelines();
      const wanted = arg instanceof vscode.Uri ? arg : arg && typeof arg === 'object' && 'file' in arg ? arg.file?.uri : vscode.window.activeTextEditor?.document.uri;
      let file = files.find((f) => f.uri.toString() === wanted?.toString());
      if (!file && files.length === 1) file = files[0];
      if (!file && files.length > 1) {
        file = (await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f.uri), description: f.stages.length === 1 ? vscode.l10n.t('1 stage') : vscode.l10n.t('{0} stages', f.stages.length), f })), { placeHolder: vscode.l10n.t('Which pipeline?') }))?.f;
      }
      if (!file) {
        if (!files.length) void showInfo(vscode.l10n.t('no dvc.yaml in this workspace. "MLOps: Create dvc.yaml" starts one.'));
        return undefined;
      }
      return DagPanel.show(context.extensionUri, pipelines, file, log).panel.viewType;
    }),
  );
}
