// The comparison panel's state as pure functions, with no DOM: what the host's messages,
// the user's choices and the charts' brushes make of it, and the saved state a reload
// brings back. The view (view.ts) draws it and main.ts wires the two; unit-tested in Node.
import { parseRunRefs, type CompareRun, type HostToCompare, type MetricDirectionPrefs, type ProvenanceRow, type RunRefMsg } from '../../src/protocol/panels';
import { NO_NOTICE, pickOption, runsNotice, toggleKey, type Notice, type Option } from '../shared/viewState';
import { dimensions, type Dimension } from './rows';

/** What the webview saves (vscode setState); the panel serializer reads `runs` from it. */
export interface CompareViewState {
  runs: RunRefMsg[];
  diffOnly: boolean;
  /** The run key the table's deltas are against. */
  baseline?: string;
  /** The metric of the overlaid chart and the parallel coordinates' last axis. */
  metric?: string;
  /** Dimension ids (`param:lr`, `metric:loss`) of the scatter's axes. */
  scatterX?: string;
  scatterY?: string;
  /** Run keys hidden in the overlaid chart. */
  hidden: string[];
}

export interface CompareState {
  saved: CompareViewState;
  runs: CompareRun[];
  /** The user's patterns for which way metrics improve (the best-value marks). */
  direction?: MetricDirectionPrefs;
  /** What the charts can put on an axis: params that differ, then metrics' last values. */
  dims: Dimension[];
  /** Every metric of any run, sorted. */
  metrics: string[];
  notice: Notice;
  /** Each run's provenance against the first run's (the host diffs them). */
  provenance: ProvenanceRow[];
  /** Runs brushed in the parallel coordinates and in the scatter; undefined: no brush there. Not saved. */
  brush: { parallel?: ReadonlySet<string>; scatter?: ReadonlySet<string> };
}

export const NO_RUNS = 'No runs to compare. Check runs in the MLOps Runs view, then run "MLOps: Compare Runs".';
export const ONE_RUN = 'Only one run: check more runs in the Runs view to compare them.';
// The parallel coordinates stay readable up to about this many axes.
const MAX_PARAM_AXES = 12;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A saved state, field by field: what an older build (or none) left out gets its default. */
export function parseCompareViewState(raw: unknown): CompareViewState {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    runs: parseRunRefs(raw),
    diffOnly: o.diffOnly === true,
    baseline: str(o.baseline),
    metric: str(o.metric),
    scatterX: str(o.scatterX),
    scatterY: str(o.scatterY),
    hidden: Array.isArray(o.hidden) ? o.hidden.filter((h): h is string => typeof h === 'string') : [],
  };
}

export function restoreCompareState(raw: unknown): CompareState {
  return { saved: parseCompareViewState(raw), runs: [], dims: [], metrics: [], notice: NO_NOTICE, brush: {}, provenance: [] };
}

/**
 * The host's runs (the first time, or re-read while one trains): the table follows; the
 * metric stays the chosen one while the runs still have it, else the first there is.
 */
export function onCompareMessage(state: CompareState, msg: Extract<HostToCompare, { type: 'compare' }>): CompareState {
  const runs = msg.runs;
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const metric = pickOption(metricOptions(metrics), state.saved.metric) || undefined;
  return {
    ...state,
    saved: { ...state.saved, runs: runs.map((r) => ({ sourceId: r.sourceId, runId: r.runId })), metric },
    runs,
    direction: msg.direction,
    dims: dimensions(runs),
    metrics,
    provenance: msg.provenance ?? [],
    notice: runsNotice(runs.length, msg.problems, NO_RUNS, runs.length === 1 ? ONE_RUN : undefined),
  };
}

/** The charts (and the overlaid chart's series) must be drawn anew: the first runs came, or the metric changed. */
export function chartsChanged(before: CompareState, after: CompareState): boolean {
  return !before.runs.length || before.saved.metric !== after.saved.metric;
}

export const metricOptions = (metrics: readonly string[]): Option[] => metrics.map((m) => ({ value: m, label: m }));

export function baselineOptions(state: CompareState): Option[] {
  return [{ value: '', label: 'None' }, ...state.runs.map((r) => ({ value: r.key, label: r.name }))];
}

export function scatterOptions(state: CompareState): Option[] {
  return state.dims.map((d) => ({ value: d.id, label: d.id.startsWith('metric:') ? `${d.label} (last)` : d.label }));
}

/** The parallel coordinates' axes: the first params that differ, then the chosen metric. */
export function parallelAxes(state: CompareState): Dimension[] {
  const params = state.dims.filter((d) => d.id.startsWith('param:')).slice(0, MAX_PARAM_AXES);
  const chosen = metricDim(state);
  return chosen ? [...params, chosen] : params;
}

const metricDim = (state: CompareState) => state.dims.find((d) => d.id.startsWith('metric:') && d.label === state.saved.metric);

/**
 * The charts drawn anew: the scatter's axes are the saved ones where they still exist
 * (else the first param against the chosen metric), and the brushes are let go.
 */
export function resetCharts(state: CompareState): CompareState {
  const options = scatterOptions(state);
  const firstParam = state.dims.find((d) => d.id.startsWith('param:'))?.id;
  const scatterX = pickOption(options, state.saved.scatterX ?? firstParam);
  const scatterY = pickOption(options, state.saved.scatterY ?? metricDim(state)?.id ?? options[1]?.value);
  return { ...state, saved: { ...state.saved, scatterX, scatterY }, brush: {} };
}

export function scatterAxes(state: CompareState): { x?: Dimension; y?: Dimension } {
  return { x: state.dims.find((d) => d.id === state.saved.scatterX), y: state.dims.find((d) => d.id === state.saved.scatterY) };
}

export function setDiffOnly(state: CompareState, diffOnly: boolean): CompareState {
  return { ...state, saved: { ...state.saved, diffOnly } };
}

export function setBaseline(state: CompareState, key: string): CompareState {
  return { ...state, saved: { ...state.saved, baseline: key || undefined } };
}

/** Another metric for the charts: they are drawn anew with it. */
export function setMetric(state: CompareState, metric: string): CompareState {
  return resetCharts({ ...state, saved: { ...state.saved, metric } });
}

/** Other scatter axes: the scatter's brush no longer means anything. */
export function setScatter(state: CompareState, scatterX: string, scatterY: string): CompareState {
  return { ...state, saved: { ...state.saved, scatterX, scatterY }, brush: { ...state.brush, scatter: undefined } };
}

export function toggleRun(state: CompareState, key: string): CompareState {
  return { ...state, saved: { ...state.saved, hidden: toggleKey(state.saved.hidden, key) } };
}

export function setBrush(state: CompareState, chart: 'parallel' | 'scatter', keys: ReadonlySet<string> | undefined): CompareState {
  return { ...state, brush: { ...state.brush, [chart]: keys } };
}

/** The runs both brushes hold (or the one brush's); undefined when nothing is brushed. */
export function highlighted(state: CompareState): ReadonlySet<string> | undefined {
  const { parallel, scatter } = state.brush;
  if (parallel && scatter) return new Set([...parallel].filter((k) => scatter.has(k)));
  return parallel ?? scatter;
}

export function brushStatus(state: CompareState): string {
  const keys = highlighted(state);
  return keys ? `${keys.size} of ${state.runs.length} runs selected` : '';
}

/** Index of the baseline run in the table, or -1. */
export function baselineIndex(state: CompareState): number {
  return state.runs.findIndex((r) => r.key === state.saved.baseline);
}

/** The runs that logged the chosen metric, for the overlaid chart. */
export function overlayRuns(state: CompareState): CompareRun[] {
  const metric = state.saved.metric;
  return metric === undefined ? [] : state.runs.filter((r) => metric in r.metrics);
}

export interface ProvenanceLine {
  name: string;
  against: string;
  /** The host's localized heading: "second vs first". */
  heading: string;
  color: string;
  cells: { aspect: string; text: string; detail: string; kind: 'same' | 'differs' | 'unknown' }[];
  unknown: string;
  /** The host's localized lines for runs a cluster engine ended early. */
  ended: string[];
}

/** The Provenance section's lines: one per run after the first, with the runs' names. */
export function provenanceLines(state: CompareState): ProvenanceLine[] {
  const byKey = new Map(state.runs.map((r) => [r.key, r]));
  return state.provenance.flatMap((p) => {
    const run = byKey.get(p.run);
    const against = byKey.get(p.against);
    if (!run || !against) return [];
    return [
      {
        name: run.name,
        against: against.name,
        heading: p.heading,
        color: run.color,
        cells: p.aspects.map((a) => ({ aspect: a.aspect, text: a.label, detail: a.items.join(', '), kind: a.same === null ? 'unknown' : a.same ? 'same' : 'differs' })),
        unknown: p.notRecorded,
        ended: p.ended ?? [],
      },
    ];
  });
}
