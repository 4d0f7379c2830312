import * as vscode from 'vscode';
import { downsampleHeld, downsampleHeldRange, type XKey } from '../../core/runs/downsample';
import { columnAt, heldHistory, type HeldSeries } from '../../core/runs/heldSeries';
import { metricCsv } from '../../core/runs/metricsCsv';
import { parseMetricsToHost, type HostToMetrics, type MetricsProbe, type MetricsToHost, type MetricsViewState, type PanelRun, type XAxis } from '../../protocol/panels';
import { axisSecondsToTime, relativeTimeOrigin } from '../../protocol/relativeTime';
import { OpenPanels, PanelHost } from '../webviews/panelHost';
import { refreshSeries, seriesMessage } from './metricsRefresh';
import type { RunRef } from '../runs/runsModel';
import { describeError, groupFields, mapLimit, panelRun, runKey, saveExport, type PanelDeps } from './panelRuns';

import { METRICS_VIEW_TYPE } from './panelViewTypes';

interface Shown {
  ref: RunRef;
  run: PanelRun;
  metrics: string[];
}

/** The metrics panel of some runs: one chart per metric, kept live while they train. */
export class MetricsPanel implements vscode.Disposable {
  private static readonly open = new OpenPanels<MetricsPanel, MetricsPanel>();
  private shown: Shown[] = [];
  private metrics: string[] = [];
  private width = 800;
  /**
   * Full histories by `runKey\tmetric`, for zooms, appends and the CSV: held as typed
   * columns (20 runs × 1,000,000 points as objects would hold 1.7 GB of the host's heap).
   */
  private readonly histories = new Map<string, HeldSeries>();
  /** Points appended per series since the last full send. */
  private readonly appended = new Map<string, number>();
  private readonly host: PanelHost<MetricsToHost, HostToMetrics>;

  /** `groupBy`: a param or tag (`param:seed`) to average the runs by, as a grouped experiments table passes on. */
  static show(deps: PanelDeps, refs: RunRef[], groupBy?: string): MetricsPanel {
    const panel = new MetricsPanel(PanelHost.create(METRICS_VIEW_TYPE, title(refs.length), deps.extensionUri), deps, refs);
    panel.groupBy = groupBy ?? null;
    return panel;
  }

  /** Sent with the first init only: after that the webview's own choice stands. */
  private groupBy: string | null | undefined;

  /** After a window reload: the webview's saved state says which runs it showed. */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, state: MetricsViewState | undefined): MetricsPanel {
    return new MetricsPanel(panel, deps, state?.runs ?? []);
  }

  /** The open panels, for tests. */
  static get panels(): readonly MetricsPanel[] {
    return MetricsPanel.open.values();
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    private refs: RunRef[],
  ) {
    this.host = new PanelHost(panel, {
      extensionUri: deps.extensionUri,
      app: 'metrics',
      label: 'Metrics panel',
      parse: parseMetricsToHost,
      handle: (m) => this.handle(m),
      log: deps.log,
      onDispose: () => MetricsPanel.open.delete(this, this),
    });
    MetricsPanel.open.add(this, this);
    this.host.track(deps.catalog.onDidChangeTreeData(() => void this.host.queue(() => this.update())));
  }

  get runKeys(): string[] {
    return this.shown.map((s) => s.run.key);
  }

  get metricNames(): string[] {
    return [...this.metrics];
  }

  /** Resolves once the panel's webview asked for its data and got it. */
  whenReady(timeoutMs = 30000): Promise<void> {
    return this.host.whenReady(timeoutMs);
  }

  /** Test-only (E2E, MLOPS_E2E=1): what the webview's charts hold now. */
  probe(): Promise<MetricsProbe> {
    return this.host.probe();
  }

  private post(m: HostToMetrics): void {
    this.host.post(m);
  }

  private async handle(m: MetricsToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.width = clampWidth(m.width);
        await this.sendAll();
        return;
      case 'range':
        return this.sendRange(m.metric, m.axis, m.lo, m.hi, clampWidth(m.width));
      case 'exportCsv': {
        const runs = this.shown.map((s) => ({ name: s.run.name, id: s.ref.runId, points: this.histories.get(seriesKey(s.run.key, m.metric)) ?? [] }));
        await saveExport(`${m.metric}`, vscode.l10n.t('CSV'), 'csv', new TextEncoder().encode(metricCsv(m.metric, runs)));
        return;
      }
      case 'exportPng':
        await saveExport(`${m.metric}`, vscode.l10n.t('PNG image'), 'png', Buffer.from(m.dataUrl.slice('data:image/png;base64,'.length), 'base64'));
        return;
      case 'probeReply':
        return; // answered by the channel (probe())
    }
  }

  /** The runs, the union of their metrics, and every series downsampled to the chart width. */
  private async sendAll(): Promise<void> {
    await this.deps.catalog.whenLoaded();
    const problems: string[] = [];
    this.shown = [];
    this.deps.colors.ensure(this.refs);
    for (const ref of this.refs) {
      const found = this.deps.catalog.lookup(ref);
      if ('error' in found) {
        problems.push(vscode.l10n.t('Run {0} cannot be shown: {1}.', ref.runId, found.error));
        continue;
      }
      this.shown.push({ ref, run: { ...panelRun(ref, found.run, found.sourceLabel, this.deps.colors), fields: groupFields(found.run) }, metrics: Object.keys(found.run.metrics) });
    }
    this.metrics = [...new Set(this.shown.flatMap((s) => s.metrics))].sort();
    this.panel.title = title(this.shown.length);
    this.histories.clear();
    this.appended.clear();
    const pairs = this.shown.flatMap((s) => s.metrics.map((metric) => ({ s, metric })));
    await mapLimit(pairs, 4, async ({ s, metric }) => {
      try {
        this.histories.set(seriesKey(s.run.key, metric), await this.history(s.ref, metric));
      } catch (err) {
        problems.push(vscode.l10n.t('{0} of {1} could not be read: {2}. See MLOps: Show Log.', metric, s.run.name, describeError(err)));
        this.deps.log.warn(`Metrics panel: ${metric} of run ${s.ref.runId} (${s.ref.sourceId}): ${describeError(err)}`);
      }
    });
    const groupBy = this.groupBy;
    this.groupBy = undefined;
    this.post({ type: 'init', runs: this.shown.map((s) => s.run), metrics: this.metrics, problems, refs: this.refs.map((r) => ({ sourceId: r.sourceId, runId: r.runId })), ...(groupBy !== undefined ? { groupBy } : {}) });
    for (const { s, metric } of pairs) {
      const points = this.histories.get(seriesKey(s.run.key, metric));
      if (points) this.post(seriesMessage(metric, s.run.key, points, this.width));
    }
  }

  private async history(ref: RunRef, metric: string): Promise<HeldSeries> {
    const found = this.deps.catalog.lookup(ref);
    if ('error' in found) throw new Error(found.error);
    return heldHistory(found.source, ref.runId, metric);
  }

  /** The detail of a zoomed chart: the range and one range-width either side, so a pan has data to show at once. */
  private async sendRange(metric: string, axis: XAxis, lo: number | null, hi: number | null, width: number): Promise<void> {
    const key: XKey = axis === 'step' ? 'step' : 'timestamp';
    for (const s of this.shown) {
      const points = this.histories.get(seriesKey(s.run.key, metric));
      if (!points) continue;
      if (lo === null || hi === null) {
        this.appended.delete(seriesKey(s.run.key, metric));
        this.post({ type: 'series', metric, run: s.run.key, data: downsampleHeld(points, width, key), total: points.length });
        continue;
      }
      const origin = axis === 'relative' ? relativeTimeOrigin(s.run.startTime, points.length, (i) => columnAt(points.timestamp, i)) : 0;
      const toX = (v: number) => (axis === 'step' ? v : axisSecondsToTime(v, origin));
      const span = hi - lo;
      const detail = downsampleHeldRange(points, width * 3, toX(lo - span), toX(hi + span), key);
      this.post({ type: 'series', metric, run: s.run.key, data: detail, total: points.length, range: [lo, hi] });
    }
  }

  /**
   * After the stores were read again: new points of shown series are appended (only what
   * is new is sent), a run's new status is passed on, and a new metric rebuilds the panel.
   */
  private async update(): Promise<void> {
    if (!this.host.ready) return;
    const metricsNow = new Set<string>();
    for (const s of this.shown) {
      const found = this.deps.catalog.lookup(s.ref);
      if ('error' in found) continue;
      for (const k of Object.keys(found.run.metrics)) metricsNow.add(k);
      if (found.run.status !== s.run.status || found.run.endTime !== s.run.endTime) {
        s.run.status = found.run.status;
        s.run.endTime = found.run.endTime;
        this.post({ type: 'status', run: s.run.key, status: found.run.status, endTime: found.run.endTime });
      }
      s.metrics = Object.keys(found.run.metrics);
    }
    if ([...metricsNow].some((m) => !this.metrics.includes(m))) return this.sendAll();
    const pairs = this.shown.flatMap((s) => s.metrics.map((metric) => ({ s, metric })));
    await mapLimit(pairs, 4, async ({ s, metric }) => {
      const key = seriesKey(s.run.key, metric);
      const summary = this.deps.catalog.lookup(s.ref);
      let next;
      try {
        next = await refreshSeries({
          metric,
          run: s.run.key,
          before: this.histories.get(key),
          latest: 'error' in summary ? undefined : summary.run.metrics[metric],
          appended: this.appended.get(key) ?? 0,
          width: this.width,
          read: () => this.history(s.ref, metric),
        });
      } catch {
        return;
      }
      if (!next) return;
      this.histories.set(key, next.history);
      if (next.message.type === 'append') this.appended.set(key, next.appended);
      else this.appended.delete(key);
      this.post(next.message);
    });
  }

  /** Shows other runs in the same panel (a second "Open Metric Charts" with the panel open). */
  async setRuns(refs: RunRef[]): Promise<void> {
    this.refs = refs;
    this.panel.reveal();
    if (this.host.ready) await this.host.queue(() => this.sendAll());
  }

  dispose(): void {
    this.host.dispose();
  }
}

const seriesKey = (run: string, metric: string) => `${run}\t${metric}`;
const clampWidth = (w: number) => Math.min(8000, Math.max(100, Math.round(w)));
const title = (n: number) => (n === 1 ? vscode.l10n.t('Metrics (1 run)') : vscode.l10n.t('Metrics ({0} runs)', n));

export { runKey };
