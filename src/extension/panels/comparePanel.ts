import * as vscode from 'vscode';
import { setting, settingChanged } from '../settings';
import { downsampleColumns } from '../../core/runs/downsample';
import type { RunSummary } from '../../core/runs/types';
import { parseCompareToHost, type ProvenanceRow, type CompareProbe, type CompareRun, type CompareToHost, type HostToCompare, type MetricDirectionPrefs, type MetricStats } from '../../protocol/panels';
import { OpenPanels, PanelHost } from '../webviews/panelHost';
import type { RunRef } from '../runs/runsModel';
import { describeError, mapLimit, panelRun, type PanelDeps } from './panelRuns';
import { provenanceRows } from './provenanceRows';

import { COMPARE_VIEW_TYPE } from './panelViewTypes';
// The tags that say which commit a run came from, by tool.
const COMMIT_TAGS = ['mlflow.source.git.commit', 'git.commit', 'git_commit', 'commit'];
// Tags that hold whole documents (MLflow's model history): no use in a table cell.
const NOISY_TAGS = new Set(['mlflow.log-model.history']);
const MAX_TAG_CHARS = 300;
// Past this many runs the min/max read takes long enough to want a progress bar.
const PROGRESS_FROM = 40;

/** Side-by-side comparison of runs: info, params, metrics (last/min/max), tags, and charts. */
export class ComparePanel implements vscode.Disposable {
  private static readonly open = new OpenPanels<ComparePanel, ComparePanel>();
  private readonly host: PanelHost<CompareToHost, HostToCompare>;
  private runs: CompareRun[] = [];
  private problems: string[] = [];
  private provenance: ProvenanceRow[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private chart: { metric: string; width: number } | undefined;

  static show(deps: PanelDeps, refs: RunRef[]): ComparePanel {
    return new ComparePanel(PanelHost.create(COMPARE_VIEW_TYPE, title(refs.length), deps.extensionUri), deps, refs);
  }

  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, refs: RunRef[]): ComparePanel {
    return new ComparePanel(panel, deps, refs);
  }

  static get panels(): readonly ComparePanel[] {
    return ComparePanel.open.values();
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    private readonly refs: RunRef[],
  ) {
    this.host = new PanelHost(panel, {
      extensionUri: deps.extensionUri,
      app: 'compare',
      label: 'Compare panel',
      parse: parseCompareToHost,
      handle: (m) => this.handle(m),
      log: deps.log,
      onDispose: () => {
        clearTimeout(this.refreshTimer);
        ComparePanel.open.delete(this, this);
      },
    });
    ComparePanel.open.add(this, this);
    this.host.track(
      // A run still training changes its last/min/max: re-read, at most every two seconds.
      deps.catalog.onDidChangeTreeData(() => {
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => this.host.ready && void this.host.queue(() => this.sendCompare()), 2000);
      }),
      // Which way a metric improves decides the marks: redraw them when the user says otherwise.
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (this.host.ready && settingChanged(e, 'metrics')) this.post({ type: 'compare', runs: this.runs, problems: this.problems, direction: metricDirection(), provenance: this.provenance });
      }),
    );
  }

  get compared(): readonly CompareRun[] {
    return this.runs;
  }

  whenReady(timeoutMs = 30000): Promise<void> {
    return this.host.whenReady(timeoutMs);
  }

  /** Test-only (E2E, MLOPS_E2E=1): what the webview's table holds now. */
  probe(): Promise<CompareProbe> {
    return this.host.probe();
  }

  private post(m: HostToCompare): void {
    this.host.post(m);
  }

  private async handle(m: CompareToHost): Promise<void> {
    if (m.type === 'ready') {
      await this.sendCompare();
      return;
    }
    if (m.type !== 'chart') return; // a probe reply: answered by the channel (probe())
    this.chart = { metric: m.metric, width: Math.min(8000, Math.max(100, Math.round(m.width))) };
    await this.sendChart();
  }

  private async sendCompare(): Promise<void> {
    await this.deps.catalog.whenLoaded();
    const problems: string[] = [];
    const found: { ref: RunRef; run: RunSummary; sourceLabel: string }[] = [];
    this.deps.colors.ensure(this.refs);
    for (const ref of this.refs) {
      const f = this.deps.catalog.lookup(ref);
      if ('error' in f) problems.push(vscode.l10n.t('Run {0} cannot be compared: {1}.', ref.runId, f.error));
      else found.push({ ref, ...f });
    }
    const read = () =>
      mapLimit(found, 6, async ({ ref, run, sourceLabel }) => {
        const metrics: Record<string, MetricStats> = {};
        for (const [key, latest] of Object.entries(run.metrics)) {
          let min = latest.value;
          let max = latest.value;
          try {
            const f = this.deps.catalog.lookup(ref);
            const history = 'error' in f ? [] : await f.source.metricHistory(ref.runId, key);
            for (const p of history) {
              if (p.value < min || Number.isNaN(min)) min = p.value;
              if (p.value > max || Number.isNaN(max)) max = p.value;
            }
          } catch (err) {
            problems.push(vscode.l10n.t('{0} of {1}: min and max unknown ({2}).', key, run.name, describeError(err)));
          }
          metrics[key] = { last: latest.value, min, max, step: latest.step };
        }
        const tags = Object.fromEntries(
          Object.entries(run.tags)
            .filter(([k]) => !NOISY_TAGS.has(k))
            .map(([k, v]) => [k, v.length > MAX_TAG_CHARS ? `${v.slice(0, MAX_TAG_CHARS)}…` : v]),
        );
        const commit = COMMIT_TAGS.map((t) => run.tags[t]).find(Boolean);
        return { ...panelRun(ref, run, sourceLabel, this.deps.colors), params: { ...run.params }, tags, metrics, commit } satisfies CompareRun;
      });
    this.runs =
      found.length >= PROGRESS_FROM
        ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: reading {0} runs to compare', found.length) }, read)
        : await read();
    this.panel.title = title(this.runs.length);
    this.problems = problems;
    // From the whole tags (the table's copies are cut at MAX_TAG_CHARS).
    this.provenance = provenanceRows(
      vscode.l10n,
      found.map((f) => {
        const shown = this.runs.find((r) => r.runId === f.ref.runId && r.sourceId === f.ref.sourceId);
        return { key: shown?.key ?? f.ref.runId, name: shown?.name ?? f.run.name, tags: f.run.tags };
      }),
    );
    this.post({ type: 'compare', runs: this.runs, problems, direction: metricDirection(), provenance: this.provenance });
    if (this.chart) await this.sendChart();
  }

  /** The overlaid chart of one metric: every compared run's series, downsampled to the chart's width. */
  private async sendChart(): Promise<void> {
    const chart = this.chart;
    if (!chart) return;
    await mapLimit(this.runs, 6, async (r) => {
      if (!(chart.metric in r.metrics)) return;
      const f = this.deps.catalog.lookup({ sourceId: r.sourceId, runId: r.runId });
      if ('error' in f) return;
      try {
        const points = await f.source.metricHistory(r.runId, chart.metric);
        this.post({ type: 'series', metric: chart.metric, run: r.key, data: downsampleColumns(points, chart.width), total: points.length });
      } catch (err) {
        this.deps.log.warn(`Compare panel: ${chart.metric} of run ${r.runId}: ${describeError(err)}`);
      }
    });
  }

  dispose(): void {
    this.host.dispose();
  }
}

/** The user's `mlops.metrics.lowerIsBetter` / `higherIsBetter` patterns. */
function metricDirection(): MetricDirectionPrefs {
  const list = (key: 'metrics.lowerIsBetter' | 'metrics.higherIsBetter') => setting(key).filter((p): p is string => typeof p === 'string');
  return { lower: list('metrics.lowerIsBetter'), higher: list('metrics.higherIsBetter') };
}

const title = (n: number) => (n === 1 ? vscode.l10n.t('Compare 1 run') : vscode.l10n.t('Compare {0} runs', n));
