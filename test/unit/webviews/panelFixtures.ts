// The messages the metrics and comparison panels post to their webviews
// (src/extension/panels/metricsPanel.ts, comparePanel.ts), built the way the host builds
// them: runs as panelRun() makes them (key `sourceId\nrunId`, a palette colour), series by
// the host's own downsampleColumns, and each message passed through the webview's parse
// check first, as the webview does, so a fixture the webview would drop fails here.
import { strict as assert } from 'node:assert';
import { downsampleColumns } from '../../../src/core/runs/downsample';
import { colorOf } from '../../../src/core/runs/runColors';
import type { MetricPoint } from '../../../src/core/runs/types';
import { parseHostToCompare, parseHostToMetrics, type CompareRun, type HostToCompare, type HostToMetrics, type MetricStats, type PanelRun } from '../../../src/protocol/panels';

const SOURCE = 'mlflow-file:/work/project/mlruns';

/** A run as the panels know it; `i` picks its palette colour, as the Runs view assigns them. */
export function panelRun(i: number, name: string, status = 'FINISHED'): PanelRun {
  const runId = `${name}-id`;
  return { key: `${SOURCE}\n${runId}`, sourceId: SOURCE, runId, name, color: colorOf(i), source: 'MLflow (file store)', status, startTime: 1_700_000_000_000 + i * 1000 };
}

export const BASELINE = panelRun(0, 'baseline');
export const WIDE = panelRun(1, 'wide');
export const LIVE = panelRun(2, 'live', 'RUNNING');

const checked = (m: HostToMetrics): HostToMetrics => {
  const parsed = parseHostToMetrics(m);
  assert.ok(parsed, `the webview would drop ${m.type}`);
  return parsed;
};

export function metricsInit(runs: PanelRun[], metrics: string[], problems: string[] = [], missing: { sourceId: string; runId: string }[] = []): HostToMetrics {
  // The host's refs: every run the panel was opened on, the unread ones too.
  const refs = [...runs.map((r) => ({ sourceId: r.sourceId, runId: r.runId })), ...missing];
  return checked({ type: 'init', runs, metrics, problems, refs });
}

export function points(n: number, from = 0): MetricPoint[] {
  return Array.from({ length: n }, (_, i) => ({ step: from + i, timestamp: 1_700_000_000_000 + (from + i) * 1000, value: 1 / (from + i + 1) }));
}

export function metricsSeries(run: PanelRun, metric: string, history: MetricPoint[], width = 800): HostToMetrics {
  return checked({ type: 'series', metric, run: run.key, data: downsampleColumns(history, width), total: history.length });
}

export function metricsStatus(run: PanelRun, status: string, endTime?: number): HostToMetrics {
  return checked({ type: 'status', run: run.key, status, endTime });
}

const stats = (last: number, min: number, max: number, step: number): MetricStats => ({ last, min, max, step });

/** A compared run: the host's params, trimmed tags, last/min/max per metric and the commit tag. */
export function compareRun(run: PanelRun, params: Record<string, string>, metrics: Record<string, MetricStats>): CompareRun {
  return { ...run, params, tags: { 'mlflow.source.git.commit': '111111111111' }, metrics, commit: '111111111111' };
}

export const COMPARED = [
  compareRun(BASELINE, { epochs: '10', lr: '0.01', optimizer: 'sgd', seed: '1' }, { accuracy: stats(0.8, 0.5, 0.8, 9), loss: stats(0.3, 0.3, 1.2, 9) }),
  compareRun(WIDE, { epochs: '10', lr: '0.1', optimizer: 'adam', seed: '1' }, { accuracy: stats(0.85, 0.4, 0.85, 9), loss: stats(0.25, 0.25, 1.4, 9) }),
  compareRun(LIVE, { epochs: '10', lr: '0.05', optimizer: 'adam', seed: '1' }, { loss: stats(0.5, 0.5, 1.1, 4) }),
];

export function compareMessage(runs: CompareRun[], problems: string[] = [], direction?: { lower: string[]; higher: string[] }): Extract<HostToCompare, { type: 'compare' }> {
  const m: HostToCompare = { type: 'compare', runs, problems, direction };
  const parsed = parseHostToCompare(m);
  assert.ok(parsed?.type === 'compare', 'the webview would drop the compare message');
  return parsed;
}
