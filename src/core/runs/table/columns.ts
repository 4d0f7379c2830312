// The experiments table's columns and the value each holds for a run. Pure: the panel
// (src/extension/experiments) and the exports use the same values, so a sorted column,
// a group's mean and an exported CSV cell can never disagree.
import type { RunSummary } from '../types';

export type ColumnKind = 'attr' | 'param' | 'metric' | 'metricMin' | 'metricMax' | 'tag';

export interface TableColumn {
  /** `attr:status`, `param:lr`, `metric:loss`, `metricMin:loss`, `tag:mlflow.user`: stable across listings. */
  id: string;
  kind: ColumnKind;
  /** The param, metric or tag name; for `attr`, which attribute. */
  key: string;
  /** What the header says. */
  label: string;
}

/** One run as the table sees it: the run and where it came from. */
export interface TableRun {
  /** Opaque and unique across stores (the panels' run key). */
  key: string;
  run: RunSummary;
  /** `MLflow`, `DVC experiments`, ... */
  source: string;
  /** The experiment's name, or its id when the store names none. */
  experiment: string;
  /**
   * The parent run's key (MLflow's `mlflow.parentRunId`), for nesting. The table carries it
   * through to its rows; arranging children under parents is the nesting core's work.
   */
  parentKey?: string;
  /** A metric's lowest and highest logged value, once read (min/max on demand). */
  extremes?: Readonly<Record<string, { min: number; max: number }>>;
}

export type CellValue = string | number | undefined;

export const ATTRIBUTES = ['status', 'name', 'source', 'experiment', 'created', 'duration'] as const;
export type TableAttribute = (typeof ATTRIBUTES)[number];

const ATTR_LABEL: Record<TableAttribute, string> = {
  status: 'Status',
  name: 'Name',
  source: 'Source',
  experiment: 'Experiment',
  created: 'Created',
  duration: 'Duration',
};

const LABEL_PREFIX: Record<Exclude<ColumnKind, 'attr'>, string> = { param: '', metric: '', metricMin: 'min ', metricMax: 'max ', tag: '' };

export function columnId(kind: ColumnKind, key: string): string {
  return `${kind}:${key}`;
}

/** The column behind an id, or undefined for an id of no known kind (a saved state from another build). */
export function columnFromId(id: string): TableColumn | undefined {
  const colon = id.indexOf(':');
  if (colon < 0) return undefined;
  const kind = id.slice(0, colon) as ColumnKind;
  const key = id.slice(colon + 1);
  if (kind === 'attr') return (ATTRIBUTES as readonly string[]).includes(key) ? { id, kind, key, label: ATTR_LABEL[key as TableAttribute] } : undefined;
  if (!(kind in LABEL_PREFIX) || !key) return undefined;
  return { id, kind, key, label: LABEL_PREFIX[kind as Exclude<ColumnKind, 'attr'>] + key };
}

/**
 * Every column the runs have: status, name, experiment, created, duration, then metrics
 * (with their min/max columns where `extremes` were read), params, the source and tags,
 * each kind sorted by name.
 */
export function tableColumns(runs: readonly TableRun[]): TableColumn[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const extremes = new Set<string>();
  const tags = new Set<string>();
  for (const r of runs) {
    for (const k in r.run.params) params.add(k);
    for (const k in r.run.metrics) metrics.add(k);
    for (const k in r.run.tags) tags.add(k);
    if (r.extremes) for (const k in r.extremes) extremes.add(k);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  const of = (kind: ColumnKind, keys: Iterable<string>) => [...keys].map((k) => columnFromId(columnId(kind, k))!);
  const metricCols: TableColumn[] = [];
  for (const m of sorted(metrics)) {
    metricCols.push(columnFromId(columnId('metric', m))!);
    if (extremes.has(m)) metricCols.push(...of('metricMin', [m]), ...of('metricMax', [m]));
  }
  // What a user reads a row for comes first (metrics, then params); where it came from after.
  const lead = of('attr', ['status', 'name', 'experiment', 'created', 'duration']);
  return [...lead, ...metricCols, ...of('param', sorted(params)), ...of('attr', ['source']), ...of('tag', sorted(tags))];
}

/** Whether a column holds numbers (right-aligned, aggregated as mean ± std). Params may, by their values. */
export function isNumericKind(col: TableColumn): boolean {
  return col.kind === 'metric' || col.kind === 'metricMin' || col.kind === 'metricMax' || (col.kind === 'attr' && (col.key === 'created' || col.key === 'duration'));
}

/**
 * The value of `col` for `r`: numbers for metrics, times (ms since the epoch) and durations
 * (ms; a run still going counts up to `now`), strings for the rest; undefined when the run
 * has none.
 */
export function cellValue(r: TableRun, col: TableColumn, now: number): CellValue {
  const run = r.run;
  switch (col.kind) {
    case 'param':
      return Object.hasOwn(run.params, col.key) ? run.params[col.key] : undefined;
    case 'tag':
      return Object.hasOwn(run.tags, col.key) ? run.tags[col.key] : undefined;
    case 'metric':
      return Object.hasOwn(run.metrics, col.key) ? run.metrics[col.key].value : undefined;
    case 'metricMin':
    case 'metricMax': {
      const e = r.extremes && Object.hasOwn(r.extremes, col.key) ? r.extremes[col.key] : undefined;
      return e ? (col.kind === 'metricMin' ? e.min : e.max) : undefined;
    }
    case 'attr':
      return attributeValue(r, col.key as TableAttribute, now);
  }
}

function attributeValue(r: TableRun, key: TableAttribute, now: number): CellValue {
  const run = r.run;
  switch (key) {
    case 'status':
      return run.status;
    case 'name':
      return run.name || run.id;
    case 'source':
      return r.source;
    case 'experiment':
      return r.experiment;
    case 'created':
      return run.startTime;
    case 'duration': {
      if (run.startTime === undefined) return undefined;
      const end = run.endTime ?? (run.status === 'RUNNING' ? now : undefined);
      return end === undefined ? undefined : Math.max(0, end - run.startTime);
    }
  }
}
