import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import type { MetricsTable } from '../../core/data/metricsTable';
import { columnId, parseRevisionMetricsToHost, type HostToRevisionMetrics } from '../../protocol/revisionMetrics';
import { panelHtml, panelOptions } from '../webviews/panelHtml';
import type { DataLib } from './dataTree';

export function tableMessage(project: string, recentCommits: number, table: MetricsTable): Extract<HostToRevisionMetrics, { type: 'table' }> {
  return {
    type: 'table',
    project,
    recentCommits,
    columns: table.columns.map((c) => ({ id: columnId(c.file, c.key), file: c.file, key: c.key, direction: c.direction, best: c.best, bestRevs: c.bestRevs })),
    rows: table.rows.map((r) => ({
      rev: r.rev,
      kind: r.kind,
      commit: r.commit,
      subject: r.subject,
      date: r.date,
      values: Object.fromEntries(Object.entries(r.metrics).flatMap(([file, m]) => Object.entries(m).map(([k, v]) => [columnId(file, k), v]))),
    })),
    problems: table.problems.map((p) => p.message),
  };
}

const RECENT_KEY = 'mlops.data.metricsRecentCommits';

/** The metrics-across-revisions editor panel of one DVC project (one panel per project). */
export class RevisionMetricsPanel {
  private static readonly open = new Map<string, RevisionMetricsPanel>();
  /** The last table sent, for tests and the E2E. */
  lastMessage: HostToRevisionMetrics | undefined;

  static show(context: vscode.ExtensionContext, lib: () => DataLib, root: string, log: vscode.LogOutputChannel): RevisionMetricsPanel {
    const existing = RevisionMetricsPanel.open.get(root);
    if (existing) {
      existing.panel.reveal();
      void existing.update();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel('mlops.revisionMetrics', 'Metrics across Revisions', vscode.ViewColumn.Active, panelOptions(context.extensionUri));
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, 'revisionMetrics', 'Metrics across Revisions');
    const created = new RevisionMetricsPanel(context, panel, lib, root, log);
    RevisionMetricsPanel.open.set(root, created);
    return created;
  }

  private recent: number;
  private markReady!: () => void;
  /** Resolves when the webview's script ran (under the CSP) and asked for the table. */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  private constructor(
    context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    private readonly lib: () => DataLib,
    private readonly root: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.recent = context.workspaceState.get<number>(RECENT_KEY, 10);
    panel.onDidDispose(() => RevisionMetricsPanel.open.delete(root));
    panel.webview.onDidReceiveMessage((raw) => {
      const msg = parseRevisionMetricsToHost(raw);
      if (!msg) return;
      if (msg.type === 'ready') this.markReady();
      if (msg.type === 'setRecentCommits') {
        this.recent = msg.count;
        void context.workspaceState.update(RECENT_KEY, msg.count);
      }
      void this.update();
    });
  }

  async update(): Promise<HostToRevisionMetrics> {
    void this.panel.webview.postMessage({ type: 'loading' } satisfies HostToRevisionMetrics);
    let msg: HostToRevisionMetrics;
    try {
      const table = await this.lib().metricsAcrossRevisions(this.root, { recentCommits: this.recent });
      msg = tableMessage(vscode.workspace.asRelativePath(this.root) || this.root, this.recent, table);
    } catch (err) {
      msg = { type: 'error', message: errorMessage(err) };
      this.log.error(`Data: metrics across revisions of ${this.root}: ${msg.message}`);
    }
    this.lastMessage = msg;
    void this.panel.webview.postMessage(msg);
    return msg;
  }
}
