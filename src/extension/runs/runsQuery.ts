// How the Runs view sorts, filters and groups runs: pure, so the unit tests run it in
// plain Node, and kept in workspaceState as plain JSON.
import { matchesRun, parseRunFilter, type RunFilter as SearchFilter } from '../../core/runs/search';
import type { Experiment, RunStatus, RunSummary } from '../../core/runs/types';

/** `start` (newest first by default), `name`, `status`, `duration`, `metric:<key>`, `param:<key>`. */
export type SortBy = 'start' | 'name' | 'status' | 'duration' | `metric:${string}` | `param:${string}`;
export type Op = '<' | '<=' | '>' | '>=' | '=' | '!=' | '~' | 'exists';
export type RunFilter = { kind: 'status'; statuses: RunStatus[] } | { kind: 'metric' | 'param'; key: string; op: Op; value: string };
/** `experiment` (the source's own experiments), `none` (one flat list) or `param:<key>`. */
export type GroupBy = 'experiment' | 'none' | `param:${string}`;

export interface RunsViewState {
  sort: { by: SortBy; descending: boolean };
  filters: RunFilter[];
  group: GroupBy;
  /** A filter in MLflow's search syntax (`metrics.acc > 0.9 and params.opt = 'adam'`); empty: none. */
  search?: string;
}

export const DEFAULT_VIEW_STATE: RunsViewState = { sort: { by: 'start', descending: true }, filters: [], group: 'experiment' };

/** A stored state with anything unknown (an older version's) replaced by the default. */
export function normalizeViewState(raw: unknown): RunsViewState {
  const s = (raw ?? {}) as Partial<RunsViewState>;
  const sort = s.sort && typeof s.sort.by === 'string' ? { by: s.sort.by, descending: !!s.sort.descending } : DEFAULT_VIEW_STATE.sort;
  const filters = Array.isArray(s.filters) ? s.filters.filter((f) => f && (f.kind === 'status' ? Array.isArray(f.statuses) : typeof f.key === 'string')) : [];
  const group = typeof s.group === 'string' && (s.group === 'experiment' || s.group === 'none' || s.group.startsWith('param:')) ? s.group : 'experiment';
  const search = typeof s.search === 'string' && s.search.trim() ? s.search.trim() : undefined;
  return search ? { sort, filters, group, search } : { sort, filters, group };
}

/** A filter in MLflow's syntax parsed once per text: every redraw asks again. */
export function searchFilterOf(text: string | undefined): SearchFilter | undefined {
  if (!text) return undefined;
  if (parsedSearch?.text !== text) {
    const r = parseRunFilter(text);
    parsedSearch = { text, filter: r.ok ? r.filter : undefined };
  }
  return parsedSearch.filter;
}
let parsedSearch: { text: string; filter: SearchFilter | undefined } | undefined;

/**
 * The runs a search filter lets through; with none (or one that does not parse) every run.
 * `extraTags` adds tags the store does not hold (a DVC run's star, kept in the workspace),
 * so that `tags.mlops.starred = 'true'` finds starred runs of every store.
 */
export function searchRuns(runs: readonly RunSummary[], text: string | undefined, extraTags?: (run: RunSummary) => Record<string, string> | undefined): RunSummary[] {
  const filter = searchFilterOf(text);
  if (!filter) return [...runs];
  return runs.filter((r) => {
    const extra = extraTags?.(r);
    return matchesRun(filter, extra ? { ...r, tags: { ...r.tags, ...extra } } : r);
  });
}

/** What the filter input box says about a text: undefined when it parses, else the fault and its column. */
export function searchInputProblem(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const r = parseRunFilter(text);
  if (r.ok) return undefined;
  // The parser's messages end with "at column N"; any that does not gets the column added.
  return r.error.message.includes(`column ${r.error.column}`) ? r.error.message : `${r.error.message} (column ${r.error.column})`;
}

const OPS: Op[] = ['<=', '>=', '!=', '<', '>', '=', '~'];

/** `< 0.5`, `>= 10`, `= adam`, `!= 3`, `~ resnet` (contains), `exists`; a bare value means `=`. */
export function parseCondition(input: string): { op: Op; value: string } | { error: string } {
  const text = input.trim();
  if (!text) return { error: 'Type a condition, e.g. < 0.5, >= 10, = adam, ~ resnet or exists' };
  if (text === 'exists') return { op: 'exists', value: '' };
  const op = OPS.find((o) => text.startsWith(o));
  const value = (op ? text.slice(op.length) : text).trim();
  if (!value) return { error: `${op} needs a value, e.g. ${op} 0.5` };
  const chosen = op ?? '=';
  if ((chosen === '<' || chosen === '<=' || chosen === '>' || chosen === '>=') && !isNumeric(value)) return { error: `${chosen} compares numbers: ${value} is not one` };
  return { op: chosen, value };
}

const isNumeric = (v: string) => v.trim() !== '' && !Number.isNaN(Number(v));

function compareValues(a: string | number, b: string): number {
  const x = typeof a === 'number' ? a : isNumeric(a) ? Number(a) : NaN;
  if (!Number.isNaN(x) && isNumeric(b)) return x - Number(b);
  return String(a).localeCompare(b);
}

export function matchesFilter(run: RunSummary, f: RunFilter): boolean {
  if (f.kind === 'status') return f.statuses.includes(run.status);
  const actual: string | number | undefined = f.kind === 'metric' ? run.metrics[f.key]?.value : run.params[f.key];
  if (actual === undefined) return f.op === '!=';
  switch (f.op) {
    case 'exists':
      return true;
    case '~':
      return String(actual).toLowerCase().includes(f.value.toLowerCase());
    case '=':
      return compareValues(actual, f.value) === 0;
    case '!=':
      return compareValues(actual, f.value) !== 0;
    default: {
      const n = typeof actual === 'number' ? actual : Number(actual);
      if (Number.isNaN(n)) return false;
      const v = Number(f.value);
      return f.op === '<' ? n < v : f.op === '<=' ? n <= v : f.op === '>' ? n > v : n >= v;
    }
  }
}

export function filterRuns(runs: readonly RunSummary[], filters: readonly RunFilter[]): RunSummary[] {
  return filters.length ? runs.filter((r) => filters.every((f) => matchesFilter(r, f))) : [...runs];
}

const STATUS_ORDER: RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED', 'UNKNOWN'];

function sortValue(run: RunSummary, by: SortBy): number | string | undefined {
  if (by === 'start') return run.startTime;
  if (by === 'name') return run.name;
  if (by === 'status') return STATUS_ORDER.indexOf(run.status);
  if (by === 'duration') return run.startTime !== undefined && run.endTime !== undefined ? run.endTime - run.startTime : undefined;
  if (by.startsWith('metric:')) {
    const v = run.metrics[by.slice(7)]?.value;
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }
  const p = run.params[by.slice(6)];
  return p === undefined ? undefined : isNumeric(p) ? Number(p) : p;
}

/** Sorted by one key; runs without it (or with NaN) last either way; ties by name. */
export function sortRuns(runs: readonly RunSummary[], sort: RunsViewState['sort']): RunSummary[] {
  // Keys computed once: a comparator that looked them up would do it n log n times.
  const keyed = runs.map((run) => ({ run, key: sortValue(run, sort.by) }));
  const dir = sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) return a.key === b.key ? a.run.name.localeCompare(b.run.name) : a.key === undefined ? 1 : -1;
    let c: number;
    if (typeof a.key === 'number' && typeof b.key === 'number') c = a.key - b.key;
    else if (typeof a.key === 'number') c = -1; // numbers before text in a param of mixed values
    else if (typeof b.key === 'number') c = 1;
    else c = a.key.localeCompare(b.key);
    return c * dir || a.run.name.localeCompare(b.run.name);
  });
  return keyed.map((k) => k.run);
}

export interface RunGroup {
  id: string;
  label: string;
  experiment?: Experiment;
  runs: RunSummary[];
}

/**
 * The groups under a source: its experiments (in their order, empty ones left out), the
 * values of a param (numerically when they are numbers; runs without it last), or one
 * group of everything (`none`).
 */
export function groupRuns(runs: readonly RunSummary[], experiments: readonly Experiment[], group: GroupBy): RunGroup[] {
  if (group === 'none') return [{ id: 'all', label: 'all runs', runs: [...runs] }];
  const buckets = new Map<string, RunSummary[]>();
  const keyOf = group === 'experiment' ? (r: RunSummary) => r.experimentId : (r: RunSummary) => r.params[group.slice(6)];
  for (const r of runs) {
    const k = keyOf(r) ?? '\u0000';
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = []));
    b.push(r);
  }
  if (group === 'experiment') {
    return experiments.filter((e) => buckets.has(e.id)).map((e) => ({ id: `exp:${e.id}`, label: e.name, experiment: e, runs: buckets.get(e.id)! }));
  }
  const key = group.slice(6);
  const values = [...buckets.keys()].filter((k) => k !== '\u0000');
  const allNumeric = values.every(isNumeric);
  values.sort((a, b) => (allNumeric ? Number(a) - Number(b) : a.localeCompare(b)));
  const out = values.map((v) => ({ id: `param:${key}=${v}`, label: `${key} = ${v}`, runs: buckets.get(v)! }));
  if (buckets.has('\u0000')) out.push({ id: `param:${key}-`, label: `no ${key}`, runs: buckets.get('\u0000')! });
  return out;
}

export function describeFilter(f: RunFilter): string {
  if (f.kind === 'status') return `status ${f.statuses.map((s) => s.toLowerCase()).join('|')}`;
  return f.op === 'exists' ? `has ${f.key}` : `${f.key} ${f.op} ${f.value}`;
}

export function describeSort(s: RunsViewState['sort']): string {
  const name = s.by.includes(':') ? s.by.slice(s.by.indexOf(':') + 1) : s.by === 'start' ? 'start time' : s.by;
  return `${name} ${s.descending ? '↓' : '↑'}`;
}

/** The view's description: only what differs from the default, so a plain view says nothing. */
export function describeViewState(state: RunsViewState): string {
  const parts: string[] = [];
  if (state.search) parts.push(`filter: ${state.search}`);
  if (state.filters.length) parts.push(`${state.search ? 'and ' : 'filter: '}${state.filters.map(describeFilter).join(', ')}`);
  if (state.sort.by !== DEFAULT_VIEW_STATE.sort.by || state.sort.descending !== DEFAULT_VIEW_STATE.sort.descending) parts.push(`sort: ${describeSort(state.sort)}`);
  if (state.group !== 'experiment') parts.push(state.group === 'none' ? 'ungrouped' : `by ${state.group.slice(6)}`);
  return parts.join(' · ');
}

/** Every metric and param name among `runs`, sorted, for the pickers. */
export function keysOf(runs: Iterable<RunSummary>): { metrics: string[]; params: string[] } {
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const r of runs) {
    for (const k in r.metrics) metrics.add(k);
    for (const k in r.params) params.add(k);
  }
  return { metrics: [...metrics].sort(), params: [...params].sort() };
}
