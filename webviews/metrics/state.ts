// The metrics panel's state as pure functions, with no DOM: what the host's messages and
// the user's settings make of it, and the saved state a reload brings back. The view
// (view.ts) draws it and main.ts wires the two; this part is unit-tested in Node.
import { parseMetricsViewState, type HostToMetrics, type MetricsViewState, type PanelRun, type XAxis } from '../../src/protocol/panels';
import { NO_NOTICE, runsNotice, toggleKey, type Notice } from '../shared/viewState';
import { groupRuns, type RunGroup } from '../shared/groupAverage';

export interface MetricsState {
  /** What the webview saves (vscode setState) and the panel serializer restores from. */
  saved: MetricsViewState;
  /** The runs shown, in the host's order. */
  runs: PanelRun[];
  /** One chart each. */
  metrics: string[];
  notice: Notice;
}

export const NO_RUNS = 'No runs to chart. Check runs in the MLOps Runs view, then run "MLOps: Open Metric Charts".';
export const NO_METRICS = 'The selected runs have no metrics logged yet. Charts appear here when they log one.';

const MAX_SMOOTHING = 0.99;

/** The state before the host's first message: the saved settings, or the defaults for a new (or older build's) panel. */
export function restoreMetricsState(saved: unknown): MetricsState {
  return {
    saved: parseMetricsViewState(saved) ?? { runs: [], xAxis: 'step', smoothing: 0.6, logScale: false, hidden: [], groupBy: null, showRuns: true },
    runs: [],
    metrics: [],
    notice: NO_NOTICE,
  };
}

/** What a host message changes. Series and appended points go to the charts as they come: they are not state. */
export function onHostMessage(state: MetricsState, msg: HostToMetrics): MetricsState {
  switch (msg.type) {
    case 'init': {
      // Every run asked for, also those whose store was not read this time: a reload asks for them again.
      const refs = msg.refs ?? msg.runs.map((r) => ({ sourceId: r.sourceId, runId: r.runId }));
      // Opened from a grouped table: group the same way (a field the runs do not have means no groups).
      const groupBy = msg.groupBy !== undefined ? (msg.groupBy && groupOptions(msg.runs).some((o) => o.value === msg.groupBy) ? msg.groupBy : null) : state.saved.groupBy;
      return { ...state, saved: { ...state.saved, runs: refs, groupBy }, runs: msg.runs, metrics: msg.metrics, notice: runsNotice(msg.runs.length, msg.problems, NO_RUNS, msg.metrics.length ? undefined : NO_METRICS) };
    }
    case 'status':
      return {
        ...state,
        runs: state.runs.map((r) => (r.key === msg.run ? { ...r, status: msg.status, endTime: msg.endTime ?? r.endTime } : r)),
      };
    default:
      return state;
  }
}

/** Shows a hidden run again, or hides a shown one, in every chart. */
export function toggleRun(state: MetricsState, key: string): MetricsState {
  return { ...state, saved: { ...state.saved, hidden: toggleKey(state.saved.hidden, key) } };
}

export function setXAxis(state: MetricsState, xAxis: XAxis): MetricsState {
  return { ...state, saved: { ...state.saved, xAxis } };
}

/** The slider's value, kept in [0, 0.99] (1 would flatten every line); not a number keeps the current one. */
export function setSmoothing(state: MetricsState, smoothing: number): MetricsState {
  if (!Number.isFinite(smoothing)) return state;
  return { ...state, saved: { ...state.saved, smoothing: Math.min(Math.max(smoothing, 0), MAX_SMOOTHING) } };
}

export function setLogScale(state: MetricsState, logScale: boolean): MetricsState {
  return { ...state, saved: { ...state.saved, logScale } };
}

/** The charts whose metric name holds every word of the filter (any order, any case). */
export function matchesFilter(metric: string, filter: string): boolean {
  const name = metric.toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => name.includes(w));
}

/** The fields the runs can be grouped by (params, then tags), each with how it reads in the select. */
export function groupOptions(runs: readonly PanelRun[]): { value: string; label: string }[] {
  const fields = new Set<string>();
  for (const r of runs) for (const f in r.fields ?? {}) fields.add(f);
  const rank = (f: string) => (f.startsWith('param:') ? 0 : 1);
  return [...fields]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((f) => ({ value: f, label: `${f.startsWith('param:') ? 'params' : 'tags'}.${f.slice(f.indexOf(':') + 1)}` }));
}

/** "Average the group" by a field (null: every run on its own). */
export function setGroupBy(state: MetricsState, groupBy: string | null): MetricsState {
  return { ...state, saved: { ...state.saved, groupBy } };
}

/** With groups: show or hide the runs' own lines behind the means. */
export function setShowRuns(state: MetricsState, showRuns: boolean): MetricsState {
  return { ...state, saved: { ...state.saved, showRuns } };
}

/** The groups the charts draw a mean and band for: none without a group-by field, and none from a field no run has. */
export function chartGroups(state: MetricsState): RunGroup[] {
  const field = state.saved.groupBy;
  if (!field || !state.runs.some((r) => r.fields && Object.hasOwn(r.fields, field))) return [];
  return groupRuns(state.runs, field);
}
