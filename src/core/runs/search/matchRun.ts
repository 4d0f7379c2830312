// Evaluates a parsed filter over a listed run with the semantics of MLflow's stores
// (SearchUtils._does_run_match_clause for files, the SQL store's clauses for mlflow.db).
import type { RunSummary } from '../types';
import type { FilterClause, RunFilter } from './filterTypes';
import { likeMatch } from './likePattern';

function compare(lhs: number | string, op: string, rhs: number | string): boolean {
  switch (op) {
    case '=': return lhs === rhs;
    case '!=': return lhs !== rhs;
    case '>': return lhs > rhs;
    case '>=': return lhs >= rhs;
    case '<': return lhs < rhs;
    case '<=': return lhs <= rhs;
    case 'LIKE': return likeMatch(String(lhs), String(rhs));
    case 'ILIKE': return likeMatch(String(lhs), String(rhs), true);
    default: return false;
  }
}

function attribute(run: RunSummary, key: string): string | number | undefined {
  switch (key) {
    case 'run_id': return run.id;
    // The SQL store compares the `mlflow.runName` tag; the file store the run's name. A reader
    // that found no name gives '' or the id, which MLflow would not match, so the tag decides.
    case 'run_name': return run.tags['mlflow.runName'] ?? (run.name || undefined);
    case 'user_id': return run.userId;
    case 'status': return run.status;
    case 'artifact_uri': return run.artifactUri;
    case 'start_time': return run.startTime;
    case 'end_time': return run.endTime;
    default: return undefined;
  }
}

function matchClause(c: FilterClause, run: RunSummary): boolean {
  if (c.kind === 'param' || c.kind === 'tag') {
    const map = c.kind === 'param' ? run.params : run.tags;
    const lhs = Object.hasOwn(map, c.key) ? map[c.key] : undefined;
    if (!('value' in c)) return c.op === 'IS NULL' ? lhs === undefined : lhs !== undefined;
    // A run without the key matches no comparison, not even `!=` (as in MLflow).
    return lhs !== undefined && compare(lhs, c.op, c.value);
  }
  if (c.kind === 'metric') {
    const point = Object.hasOwn(run.metrics, c.key) ? run.metrics[c.key] : undefined;
    // NaN compares unequal to everything, as in Python and in the SQL store's is_nan rule.
    return point !== undefined && compare(point.value, c.op, c.value);
  }
  // TypeScript does not narrow `c` through the param/tag branch's two shapes; it is an attribute here.
  const a = c as Extract<FilterClause, { kind: 'attribute' }>;
  const lhs = attribute(run, a.key);
  if (lhs === undefined) return false;
  if (Array.isArray(a.value)) return a.value.includes(String(lhs)) === (a.op === 'IN');
  return compare(lhs, a.op, a.value);
}

/** Whether the run satisfies every clause of the filter. */
export function matchesRun(filter: RunFilter, run: RunSummary): boolean {
  return filter.clauses.every((c) => matchClause(c, run));
}
