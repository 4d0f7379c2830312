import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import type { MetricsTable } from '../../core/data/metricsTable';
import { columnId, parseRevisionMetricsToHost, type HostToRevisionMetrics, type RevisionMetricsToHost } from '../../protocol/revisionMetrics';
import { OpenPanels, PanelHost } from '../webviews/panelHost';
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
  private static readonly open = new OpenPanels<string, RevisionMetricsPanel>();
  /** The last table sent, for tests and the E2E. */
  lastMessage: HostToRevisionMetrics | undefined;
  private readonly host: PanelHost<RevisionMetricsToHost, HostToRevisionMetrics>;

  static show(context: vscode.ExtensionContext, lib: () => DataLib, root: string, log: vscode.LogOutputChannel): RevisionMetricsPanel {
    const existing = RevisionMetricsPanel.open.get(root);
    if (existing) {
      existing.panel.reveal();
      void existing.update();
      return existing;
    }
    const panel = PanelHost.create('mlops.revisionMetrics', vscode.l10n.t('Metrics across Revisions'), context.extensionUri);
    return new RevisionMetricsPanel(context, panel, lib, root, log);
  }

  private recent: number;

  private constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    private readonly lib: () => DataLib,
    private readonly root: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.recent = context.workspaceState.get<number>(RECENT_KEY, 10);
    this.host = new PanelHost(panel, {
      extensionUri: context.extensionUri,
      app: 'revisionMetrics',
      label: 'Metrics across Revisions panel',
      parse: parseRevisionMetricsToHost,
      handle: (m) => this.handle(m),
      log,
      onDispose: () => RevisionMetricsPanel.open.delete(root, this),
    });
    RevisionMetricsPanel.open.add(root, this);
  }

  /** Resolves when the webview's script ran (under the CSP), asked for the table and got it. */
  whenReady(timeoutMs?: number): Promise<void> {
    return this.host.whenReady(timeoutMs);
  }

  private async handle(m: RevisionMetricsToHost): Promise<void> {
    if (m.type === 'setRecentCommits') {
      this.recent = m.count;
      await this.context.workspaceState.update(RECENT_KEY, m.count);
    }
    await this.update();
  }

  async update(): Promise<HostToRevisionMetrics> {
    this.host.post({ type: 'loading' });
    let msg: HostToRevisionMetrics;
    try {
      const table = await this.lib().metricsAcrossRevisions(this.root, { recentCommits: this.recent });
      msg = tableMessage(vscode.workspace.asRelativePath(this.root) || this.root, this.recent, table);
    } catch (err) {
      msg = { type: 'error', message: errorMessage(err) };
      this.log.error(`Data: metrics across revisions of ${this.root}: ${msg.message}`);
    }
    this.lastMessage = msg;
    this.host.post(msg);
    return msg;
  }
}
