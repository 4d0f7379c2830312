import * as vscode from 'vscode';
import { showError, showInfo } from '../notify';
import { parseRunFilter, type RunFilter } from '../../core/runs/search';
import { clickSort, columnFromId, exportTable, moveColumn, parseTableState, setPinned, setShown, setWidth, tableColumns, toggleExpanded, type TableColumn, type TableRun, type TableState, type TableView } from '../../core/runs/table';
import { parseTableToHost, type HostToTable, type TableProbe, type TableToHost } from '../../protocol/experimentsTable';
import { ComparePanel } from '../panels/comparePanel';
import { MetricsPanel } from '../panels/metricsPanel';
import { describeError, mapLimit, type PanelDeps } from '../panels/panelRuns';
import type { RunRef } from '../runs/runsModel';
import { OpenPanels, PanelHost } from '../webviews/panelHost';
import { writeReplacing } from './exportFile';
import { rowsMessage } from './tableMessage';
import { tableRuns, type Extremes, type TableCatalog } from './tableRuns';

import { EXPERIMENTS_VIEW_TYPE } from '../panels/panelViewTypes';
// workspaceState is the workspace's own store: the layout is kept per workspace by it.
const STATE_KEY = 'mlops.experimentsTable';
// The runs model fires once per store read; a training run makes that every few seconds.
const LIVE_DEBOUNCE_MS = 300;
/**
 * Rows per message: 100,000 rows' messages made at once were a 64 MB peak of the extension
 * host; in parts of this many the first draws sooner and only one part is held at a time.
 */
const ROWS_PER_MESSAGE = 5000;

export interface ExperimentsDeps extends PanelDeps {
  catalog: TableCatalog;
  state: vscode.Memento;
}

/** One table of every run of every store in the workspace: sort, search, group, export, open in the other panels. */
export class ExperimentsPanel implements vscode.Disposable {
  private static readonly open = new OpenPanels<'table', ExperimentsPanel>();
  private readonly host: PanelHost<TableToHost, HostToTable>;
  private state: TableState;
  private filter: RunFilter | undefined;
  private runs: TableRun[] = [];
  private visible: TableColumn[] = [];
  private view: TableView = { rows: [], matched: 0 };
  /** Parents shown for a matching child and folded by the user: for this search only (they start unfolded). */
  private foldedContext = new Set<string>();
  private readonly extremes = new Map<string, Map<string, Extremes>>();
  private liveTimer: NodeJS.Timeout | undefined;
  /** The last rows sent were a server search's first pages, with more coming. */
  private sentLoading = false;
  /** A send is scheduled on liveTimer. */
  private livePending = false;

  /** The open table, revealed; or a new one. */
  static show(deps: ExperimentsDeps): ExperimentsPanel {
    const open = ExperimentsPanel.open.get('table');
    if (open) {
      open.panel.reveal();
      return open;
    }
    return new ExperimentsPanel(PanelHost.create(EXPERIMENTS_VIEW_TYPE, vscode.l10n.t('Experiments'), deps.extensionUri), deps);
  }

  static revive(panel: vscode.WebviewPanel, deps: ExperimentsDeps): ExperimentsPanel {
    return new ExperimentsPanel(panel, deps);
  }

  static get current(): ExperimentsPanel | undefined {
    return ExperimentsPanel.open.get('table');
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: ExperimentsDeps,
  ) {
    this.state = parseTableState(deps.state.get(STATE_KEY));
    this.filter = this.parseSearch(this.state.search).filter;
    this.host = new PanelHost(panel, {
      extensionUri: deps.extensionUri,
      app: 'experiments',
      label: 'Experiments table',
      parse: parseTableToHost,
      handle: (m) => this.handle(m),
      log: deps.log,
      onDispose: () => {
        clearTimeout(this.liveTimer);
        ExperimentsPanel.open.delete('table', this);
      },
    });
    ExperimentsPanel.open.add('table', this);
    this.host.track(
      deps.catalog.onDidChangeTreeData(() => {
        const loading = !!deps.catalog.loadingMore?.();
        // A server search's first page and its end show at once (the first rows are what the
        // user waits for; at the end the count stops saying "loading more"). Pages between
        // show at most every LIVE_DEBOUNCE_MS (each send makes every row again), and other
        // changes (a training logging) are gathered for that long.
        const now = loading !== this.sentLoading;
        if (!now && loading && this.livePending) return;
        clearTimeout(this.liveTimer);
        this.livePending = true;
        this.liveTimer = setTimeout(() => {
          this.livePending = false;
          if (this.host.ready) void this.host.queue(() => this.send());
        }, now ? 0 : LIVE_DEBOUNCE_MS);
      }),
    );
  }

  whenReady(timeoutMs = 30000): Promise<void> {
    return this.host.whenReady(timeoutMs);
  }

  /** Test-only (E2E, MLOPS_E2E=1): what the webview holds and draws. */
  probe(): Promise<TableProbe> {
    return this.host.probe();
  }

  /** The runs the table shows now, in order (for tests and the API). */
  get shownRunIds(): string[] {
    return this.view.rows.flatMap((r) => (r.kind === 'run' ? [this.runs[r.run].run.id] : []));
  }

  private parseSearch(text: string): { filter?: RunFilter; error: { message: string; column: number } | null } {
    const parsed = parseRunFilter(text);
    return parsed.ok ? { filter: parsed.filter.clauses.length ? parsed.filter : undefined, error: null } : { error: parsed.error };
  }

  private async save(next: TableState): Promise<void> {
    this.state = next;
    await this.deps.state.update(STATE_KEY, next);
  }

  private async handle(m: TableToHost): Promise<void> {
    const s = this.state;
    const col = (id: string) => columnFromId(id);
    switch (m.type) {
      case 'ready': {
        this.host.post({ type: 'search', text: s.search, error: this.parseSearch(s.search).error });
        await this.deps.catalog.whenLoaded();
        for (const metric of s.minMax) if (!this.extremes.has(metric)) await this.readExtremes(metric);
        break;
      }
      case 'search': {
        const { filter, error } = this.parseSearch(m.text);
        this.host.post({ type: 'search', text: m.text, error });
        await this.save({ ...s, search: m.text });
        // A filter that does not parse leaves the last one that did: the rows stay while the user types.
        if (error) return;
        this.filter = filter;
        this.foldedContext.clear();
        break;
      }
      case 'sortClick':
        await this.save({ ...s, sort: clickSort(s.sort, m.column, m.additive) });
        break;
      case 'show': {
        const c = col(m.column);
        if (!c) return;
        await this.save({ ...s, layout: setShown(s.layout, c, m.shown) });
        break;
      }
      case 'pin':
        await this.save({ ...s, layout: setPinned(s.layout, m.column, m.pinned) });
        break;
      case 'move':
        await this.save({ ...s, layout: moveColumn(tableColumns(this.runs), s.layout, m.column, m.before ?? undefined) });
        break;
      case 'resize':
        // The webview already drew the new width: only remember it.
        await this.save({ ...s, layout: setWidth(s.layout, m.column, m.width) });
        return;
      case 'groupBy':
        await this.save({ ...s, groupBy: m.column ?? undefined, collapsed: [] });
        break;
      case 'toggleGroup':
        await this.save({ ...s, collapsed: s.collapsed.includes(m.id) ? s.collapsed.filter((c) => c !== m.id) : [...s.collapsed, m.id] });
        break;
      case 'toggleNest': {
        const row = this.view.rows.find((r) => r.kind === 'run' && this.runs[r.run].key === m.key);
        if (row && 'context' in row && row.context) {
          if (!this.foldedContext.delete(m.key)) this.foldedContext.add(m.key);
        } else await this.save(toggleExpanded(s, m.key));
        break;
      }
      case 'minMax':
        if (m.on && !(await this.readExtremes(m.metric))) return;
        if (!m.on) this.extremes.delete(m.metric);
        await this.save({ ...s, minMax: m.on ? [...new Set([...s.minMax, m.metric])] : s.minMax.filter((x) => x !== m.metric) });
        break;
      case 'open':
        this.openIn(m.action, m.keys);
        return;
      case 'export':
        await this.export(m.format);
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        vscode.window.setStatusBarMessage(vscode.l10n.t('MLOps: copied'), 2000);
        return;
      default:
        return;
    }
    await this.send();
  }

  /** Reads every run's history of `metric` for its min/max columns, with progress and cancel; false when cancelled. */
  private async readExtremes(metric: string): Promise<boolean> {
    const runs = this.deps.catalog.allRuns().filter((r) => Object.hasOwn(r.run.metrics, metric));
    const found = new Map<string, Extremes>();
    const done = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: reading min and max of {0} in {1} runs', metric, runs.length), cancellable: true },
      async (progress, token) => {
        let n = 0;
        await mapLimit(runs, 6, async ({ ref, run }) => {
          if (token.isCancellationRequested) return;
          const f = this.deps.catalog.lookup(ref);
          try {
            const history = 'error' in f ? [] : await f.source.metricHistory(ref.runId, metric);
            let min = Infinity;
            let max = -Infinity;
            for (const p of history) {
              if (p.value < min) min = p.value;
              if (p.value > max) max = p.value;
            }
            if (min <= max) found.set(`${ref.sourceId}\n${ref.runId}`, { min, max });
          } catch (err) {
            this.deps.log.warn(`Experiments table: ${metric} of run ${run.id}: ${describeError(err)}`);
          }
          n++;
          if (n % 50 === 0) progress.report({ increment: (50 / runs.length) * 100 });
        });
        return !token.isCancellationRequested;
      },
    );
    if (done) this.extremes.set(metric, found);
    return done;
  }

  private send(): void {
    this.runs = tableRuns(this.deps.catalog, this.extremes);
    const { message, visible, view, rest } = rowsMessage(this.runs, this.state, this.filter, Date.now(), vscode.l10n.t('(none)'), this.foldedContext, ROWS_PER_MESSAGE);
    this.visible = visible;
    this.view = view;
    this.sentLoading = !!this.deps.catalog.loadingMore?.();
    if (this.sentLoading) message.loadingMore = true;
    this.host.post(message);
    // Each part is serialised as it is posted and dropped before the next is made.
    for (const part of rest()) this.host.post(part);
  }

  private openIn(action: 'compare' | 'charts', keys: string[]): void {
    const refs: RunRef[] = keys.map((k) => {
      const nl = k.lastIndexOf('\n');
      return { sourceId: k.slice(0, nl), runId: k.slice(nl + 1) };
    });
    if (!refs.length) {
      void showInfo(vscode.l10n.t('select runs in the table first (click a row, or Enter on it).'));
      return;
    }
    if (action === 'compare') ComparePanel.show(this.deps, refs);
    // A table grouped by a param or tag opens charts that average the same groups.
    else MetricsPanel.show(this.deps, refs, this.state.groupBy && /^(param|tag):/.test(this.state.groupBy) ? this.state.groupBy : undefined);
  }

  private async export(format: 'csv' | 'markdown'): Promise<void> {
    const ext = format === 'csv' ? 'csv' : 'md';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, `experiments.${ext}`) : undefined,
      filters: { [format === 'csv' ? 'CSV' : 'Markdown']: [ext] },
      title: vscode.l10n.t('Export the experiments table'),
    });
    if (!target) return;
    const text = exportTable(format, this.runs, this.visible, this.view.rows, Date.now());
    try {
      await writeReplacing(target, new TextEncoder().encode(text));
    } catch (err) {
      void showError(vscode.l10n.t('could not write {0}: {1}. Pick another place, or check the folder can be written to.', target.fsPath, describeError(err)));
      return;
    }
    const open = vscode.l10n.t('Open');
    void showInfo(vscode.l10n.t('saved {0}', vscode.workspace.asRelativePath(target)), open).then((a) => {
      if (a === open) void vscode.commands.executeCommand('vscode.open', target);
    });
  }

  dispose(): void {
    this.host.dispose();
  }
}
