// Messages between the extension host and the metric-chart and comparison webviews.
// Both ends check every message on arrival (`parse*`): a webview is another process, and
// a stale webview restored after an update may speak an older shape.
import type { MetricDirectionPrefs } from './metricDirection';

/** A run the way panels know it: `key` is opaque and stable across reloads. */
export interface PanelRun {
  key: string;
  sourceId: string;
  runId: string;
  name: string;
  /** CSS colour, the same as the run's icon in the Runs view. */
  color: string;
  /** `MLflow`, `DVCLive`, ... and where: for the comparison table and tooltips. */
  source: string;
  status: string;
  startTime?: number;
  endTime?: number;
  /**
   * The values a chart can group runs by ("average the group"): `param:<name>` and
   * `tag:<name>` (tags MLflow writes itself, `mlflow.*`, left out). Metrics panel only.
   */
  fields?: Record<string, string>;
}

export type XAxis = 'step' | 'wall' | 'relative';

/**
 * A column of numbers. The host posts Float64Arrays: VS Code carries typed arrays to the
 * webview as binary buffers, where plain arrays go through JSON (and, at 20 runs, the
 * copy and the boxed numbers were a good part of a first render). Plain arrays are
 * accepted too (tests, older hosts).
 */
export type NumberColumn = Float64Array | number[];

/** Columns of one run's series of one metric; timestamps in ms since the epoch. */
export interface SeriesColumns {
  step: NumberColumn;
  time: NumberColumn;
  value: NumberColumn;
}

/** A run's points (the host's MetricPoint[]) as the columns a series message carries. */
export function toColumns(points: readonly { step: number; timestamp: number; value: number }[]): SeriesColumns {
  const n = points.length;
  const step = new Float64Array(n);
  const time = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    step[i] = points[i].step;
    time[i] = points[i].timestamp;
    value[i] = points[i].value;
  }
  return { step, time, value };
}

/** `a` then `b` in one column (points appended while a run trains). */
export function concatColumn(a: NumberColumn, b: NumberColumn): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export interface RunRefMsg {
  sourceId: string;
  runId: string;
}

/** What a metrics panel keeps in its webview state (and the serializer restores from). */
export interface MetricsViewState {
  runs: RunRefMsg[];
  xAxis: XAxis;
  smoothing: number;
  logScale: boolean;
  hidden: string[];
  /** "Average the group": the field (`param:lr`, `tag:seed`) whose values make the groups; null: no groups. */
  groupBy: string | null;
  /** With groups: whether the runs' own lines show beside their groups' means. */
  showRuns: boolean;
}

export type HostToMetrics =
  /**
   * `refs`: every run the panel was opened on, shown or not (a store not read yet): the webview keeps them across reloads.
   * `groupBy`: set when the panel was opened from a grouped table: the charts group the same way.
   */
  | { type: 'init'; runs: PanelRun[]; metrics: string[]; problems: string[]; refs?: RunRefMsg[]; groupBy?: string | null }
  /** A run's series of one metric, downsampled; `range` set when it answers a zoom. */
  | { type: 'series'; metric: string; run: string; data: SeriesColumns; total: number; range?: [number, number] }
  /** Points logged since the last message for that run and metric. */
  | { type: 'append'; metric: string; run: string; data: SeriesColumns }
  | { type: 'status'; run: string; status: string; endTime?: number }
  | ProbeRequest;

export type MetricsToHost =
  | { type: 'ready'; width: number }
  /** The chart of `metric` shows `[lo, hi]` on `axis` (null: zoomed out): send its detail. */
  | { type: 'range'; metric: string; axis: XAxis; lo: number | null; hi: number | null; width: number }
  | { type: 'exportCsv'; metric: string }
  | { type: 'exportPng'; metric: string; dataUrl: string }
  | ProbeReply<MetricsProbe>;

// ---- test-only probes ---------------------------------------------------------------
// The E2E suites ask a panel what its webview shows (what a chart holds, which rows a
// virtualised table has) instead of reading globals the webview would otherwise have to
// expose. The host sends a probe only when the extension runs under the E2E runner
// (MLOPS_E2E=1), and ignores replies otherwise; the webview answers whatever asks.

export interface ProbeRequest {
  type: 'probe';
  id: number;
}

export interface ProbeReply<T> {
  type: 'probeReply';
  id: number;
  data: T;
}

/** What the metrics webview shows: per chart, each run's points held and its last step. */
export interface MetricsProbe {
  charts: { metric: string; series: { run: string; name: string; points: number; lastStep: number | null }[] }[];
}

/** What the comparison webview's table holds (all rows, drawn or not) and which runs are brushed. */
export interface CompareProbe {
  rows: string[];
  params: string[];
  highlighted: string[];
}

export interface MetricStats {
  last: number;
  min: number;
  max: number;
  step: number;
}

export interface CompareRun extends PanelRun {
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, MetricStats>;
  commit?: string;
}

/** One aspect of two runs' provenance (code, data, params, image, GPU, Python, host). */
export interface ProvenanceAspect {
  aspect: string;
  /** null: one side does not say. */
  same: boolean | null;
  text: string;
  /** The host's localized cell: "code: 2 files differ". */
  label: string;
  items: string[];
}

/** A run's provenance against the first compared run: "code: 2 files differ · data: same · …". */
export interface ProvenanceRow {
  run: string;
  against: string;
  /** The host's localized row heading: "second vs first". */
  heading: string;
  summary: string;
  aspects: ProvenanceAspect[];
  /** What the run's store does not record (runs made outside the workbench). */
  unknown: string[];
  /** The host's localized line for `unknown` ("not recorded: commit, data"); empty when nothing is unknown. */
  notRecorded: string;
  /** Localized lines for a cluster job the engine ended early (this run's, then the first run's): "train ended early: killed by Slurm: TIMEOUT". */
  ended?: string[];
}

export type HostToCompare =
  /** `direction`: the user's patterns for which way metrics improve (settings), for the best-value marks. */
  | { type: 'compare'; runs: CompareRun[]; problems: string[]; direction?: MetricDirectionPrefs; provenance?: ProvenanceRow[] }
  | { type: 'series'; metric: string; run: string; data: SeriesColumns; total: number; range?: [number, number] }
  | ProbeRequest;

export type CompareToHost =
  | { type: 'ready'; width: number }
  | { type: 'chart'; metric: string; width: number }
  | ProbeReply<CompareProbe>;

// ---- validation -------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number';
const isFiniteNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown) => v === null || isFiniteNum(v);
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isAxis = (v: unknown): v is XAxis => v === 'step' || v === 'wall' || v === 'relative';
// By tag, not instanceof: a typed array posted into the webview may come from another realm.
const isColumn = (v: unknown): v is NumberColumn => Array.isArray(v) || Object.prototype.toString.call(v) === '[object Float64Array]';

/** Columns of equal length; spot-checks element types (series can hold 10^6 numbers). */
function isColumns(v: unknown): v is SeriesColumns {
  if (!isObj(v)) return false;
  const { step, time, value } = v;
  if (!isColumn(step) || !isColumn(time) || !isColumn(value)) return false;
  if (step.length !== time.length || step.length !== value.length) return false;
  const n = step.length;
  return n === 0 || [0, n >> 1, n - 1].every((i) => isNum(step[i]) && isNum(time[i]) && isNum(value[i]));
}

function isRun(v: unknown): v is PanelRun {
  return isObj(v) && isStr(v.key) && isStr(v.sourceId) && isStr(v.runId) && isStr(v.name) && isStr(v.color) && isStr(v.source) && isStr(v.status) && (v.fields === undefined || (isObj(v.fields) && Object.values(v.fields).every(isStr)));
}

function isStats(v: unknown): v is MetricStats {
  return isObj(v) && isNum(v.last) && isNum(v.min) && isNum(v.max) && isNum(v.step);
}

function isCompareRun(v: unknown): v is CompareRun {
  if (!isRun(v)) return false;
  const o = v as unknown as Obj;
  const strMap = (m: unknown) => isObj(m) && Object.values(m).every(isStr);
  return strMap(o.params) && strMap(o.tags) && isObj(o.metrics) && Object.values(o.metrics).every(isStats);
}

function isProvenanceRow(v: unknown): v is ProvenanceRow {
  const isAspect = (a: unknown) => isObj(a) && isStr(a.aspect) && (a.same === null || typeof a.same === 'boolean') && isStr(a.text) && isStr(a.label) && isStrArray(a.items);
  return isObj(v) && isStr(v.run) && isStr(v.against) && isStr(v.heading) && isStr(v.summary) && Array.isArray(v.aspects) && v.aspects.every(isAspect) && isStrArray(v.unknown) && isStr(v.notRecorded) && (v.ended === undefined || isStrArray(v.ended));
}

const isProvenance = (v: unknown) => v === undefined || (Array.isArray(v) && v.every(isProvenanceRow));

const isDirection = (v: unknown) => v === undefined || (isObj(v) && isStrArray(v.lower) && isStrArray(v.higher));

const isRange = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 2 && v.every(isNum));

const hasProbeId = (m: Obj) => Number.isSafeInteger(m.id);

function isMetricsProbe(v: unknown): v is MetricsProbe {
  const isSeries = (x: unknown) => isObj(x) && isStr(x.run) && isStr(x.name) && isFiniteNum(x.points) && (x.lastStep === null || isNum(x.lastStep));
  return isObj(v) && Array.isArray(v.charts) && v.charts.every((c) => isObj(c) && isStr(c.metric) && Array.isArray(c.series) && c.series.every(isSeries));
}

function isCompareProbe(v: unknown): v is CompareProbe {
  return isObj(v) && isStrArray(v.rows) && isStrArray(v.params) && isStrArray(v.highlighted);
}

function isSeriesMsg(m: Obj): boolean {
  return isStr(m.metric) && isStr(m.run) && isColumns(m.data) && isNum(m.total) && isRange(m.range);
}

export function parseHostToMetrics(m: unknown): HostToMetrics | undefined {
  if (!isObj(m)) return undefined;
  switch (m.type) {
    case 'init':
      return Array.isArray(m.runs) &&
        m.runs.every(isRun) &&
        isStrArray(m.metrics) &&
        isStrArray(m.problems) &&
        (m.refs === undefined || (Array.isArray(m.refs) && m.refs.every((r) => isObj(r) && isStr(r.sourceId) && isStr(r.runId)))) &&
        (m.groupBy === undefined || m.groupBy === null || isStr(m.groupBy))
        ? (m as HostToMetrics)
        : undefined;
    case 'series':
      return isSeriesMsg(m) ? (m as HostToMetrics) : undefined;
    case 'append':
      return isStr(m.metric) && isStr(m.run) && isColumns(m.data) ? (m as HostToMetrics) : undefined;
    case 'status':
      return isStr(m.run) && isStr(m.status) && (m.endTime === undefined || isNum(m.endTime)) ? (m as HostToMetrics) : undefined;
    case 'probe':
      return hasProbeId(m) ? (m as HostToMetrics) : undefined;
    default:
      return undefined;
  }
}

export function parseMetricsToHost(m: unknown): MetricsToHost | undefined {
  if (!isObj(m)) return undefined;
  switch (m.type) {
    case 'ready':
      return isFiniteNum(m.width) ? (m as MetricsToHost) : undefined;
    case 'range':
      return isStr(m.metric) && isAxis(m.axis) && isNumOrNull(m.lo) && isNumOrNull(m.hi) && isFiniteNum(m.width) ? (m as MetricsToHost) : undefined;
    case 'exportCsv':
      return isStr(m.metric) ? (m as MetricsToHost) : undefined;
    case 'exportPng':
      return isStr(m.metric) && isStr(m.dataUrl) && m.dataUrl.startsWith('data:image/png;base64,') ? (m as MetricsToHost) : undefined;
    case 'probeReply':
      return hasProbeId(m) && isMetricsProbe(m.data) ? (m as MetricsToHost) : undefined;
    default:
      return undefined;
  }
}

export function parseHostToCompare(m: unknown): HostToCompare | undefined {
  if (!isObj(m)) return undefined;
  if (m.type === 'compare') return Array.isArray(m.runs) && m.runs.every(isCompareRun) && isStrArray(m.problems) && isDirection(m.direction) && isProvenance(m.provenance) ? (m as HostToCompare) : undefined;
  if (m.type === 'series') return isSeriesMsg(m) ? (m as HostToCompare) : undefined;
  if (m.type === 'probe') return hasProbeId(m) ? (m as HostToCompare) : undefined;
  return undefined;
}

export function parseCompareToHost(m: unknown): CompareToHost | undefined {
  if (!isObj(m)) return undefined;
  if (m.type === 'ready') return isFiniteNum(m.width) ? (m as CompareToHost) : undefined;
  if (m.type === 'chart') return isStr(m.metric) && isFiniteNum(m.width) ? (m as CompareToHost) : undefined;
  if (m.type === 'probeReply') return hasProbeId(m) && isCompareProbe(m.data) ? (m as CompareToHost) : undefined;
  return undefined;
}

/** A saved metrics state, or undefined when it is not one (an older build's, or none). */
export function parseMetricsViewState(v: unknown): MetricsViewState | undefined {
  if (!isObj(v) || !Array.isArray(v.runs)) return undefined;
  const runs = v.runs.filter((r): r is RunRefMsg => isObj(r) && isStr(r.sourceId) && isStr(r.runId));
  return {
    runs,
    xAxis: isAxis(v.xAxis) ? v.xAxis : 'step',
    smoothing: isFiniteNum(v.smoothing) ? Math.min(Math.max(v.smoothing, 0), 0.99) : 0.6,
    logScale: v.logScale === true,
    hidden: isStrArray(v.hidden) ? v.hidden : [],
    groupBy: isStr(v.groupBy) ? v.groupBy : null,
    showRuns: v.showRuns !== false,
  };
}

/** Saved comparison state: which runs. */
export function parseRunRefs(v: unknown): RunRefMsg[] {
  if (!isObj(v) || !Array.isArray(v.runs)) return [];
  return v.runs.filter((r): r is RunRefMsg => isObj(r) && isStr(r.sourceId) && isStr(r.runId));
}

export type { MetricDirectionPrefs } from './metricDirection';
