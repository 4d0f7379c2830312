// The runs of the Runs view's stores as the experiments table's rows: where each came
// from (kind and store path), its experiment's name, and its parent for nested runs.
import * as vscode from 'vscode';
import type { TableRun } from '../../core/runs/table';
import { runKey, type RunCatalog } from '../panels/panelRuns';
import { KIND_LABEL, type ServerKind, type StoreKind } from '../runs/runsModel';

/** The Runs view's catalog, with the experiment names the table shows. */
export interface TableCatalog extends RunCatalog {
  experimentName?(sourceId: string, experimentId: string): string | undefined;
  /** A tracking server's search has shown its first pages and reads the next ones. */
  loadingMore?(): boolean;
}

// MLflow's tag naming a nested run's parent (mlflow.start_run(nested=True)).
const PARENT_TAG = 'mlflow.parentRunId';

/** `MLflow · mlflow.db`: the kind, and the store relative to the workspace. */
function sourceLabel(sourceId: string): string {
  const colon = sourceId.indexOf(':');
  const kind = sourceId.slice(0, colon) as StoreKind | ServerKind;
  const location = sourceId.slice(colon + 1);
  const label = KIND_LABEL[kind] ?? kind;
  if (kind === 'mlflow-rest') return `${label} · ${location}`;
  // A store at a workspace folder's root (a DVC project) has no relative path: the folder's name says where.
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === location);
  return `${label} · ${folder ? folder.name : vscode.workspace.asRelativePath(location)}`;
}

export type Extremes = { min: number; max: number };

/**
 * Every listed run as a table row. `extremes`: per metric whose min/max columns are on, the
 * values read from each run's history; a run still logging widens them with its latest value.
 */
export function tableRuns(catalog: TableCatalog, extremes: ReadonlyMap<string, ReadonlyMap<string, Extremes>>): TableRun[] {
  const sources = new Map<string, string>();
  const experiments = new Map<string, string>();
  return catalog.allRuns().map(({ ref, run }) => {
    let source = sources.get(ref.sourceId);
    if (source === undefined) sources.set(ref.sourceId, (source = sourceLabel(ref.sourceId)));
    const expKey = `${ref.sourceId}\n${run.experimentId}`;
    let experiment = experiments.get(expKey);
    if (experiment === undefined) experiments.set(expKey, (experiment = catalog.experimentName?.(ref.sourceId, run.experimentId) ?? run.experimentId));
    const key = runKey(ref);
    const parent = run.tags[PARENT_TAG];
    return {
      key,
      run,
      source,
      experiment,
      parentKey: parent ? runKey({ sourceId: ref.sourceId, runId: parent }) : undefined,
      extremes: extremesOf(key, run.metrics, extremes),
    };
  });
}

function extremesOf(key: string, metrics: Record<string, { value: number }>, all: ReadonlyMap<string, ReadonlyMap<string, Extremes>>): Record<string, Extremes> | undefined {
  let out: Record<string, Extremes> | undefined;
  for (const [metric, byRun] of all) {
    const e = byRun.get(key);
    if (!e) continue;
    const latest = Object.hasOwn(metrics, metric) ? metrics[metric].value : NaN;
    out ??= {};
    out[metric] = Number.isNaN(latest) ? e : { min: Math.min(e.min, latest), max: Math.max(e.max, latest) };
  }
  return out;
}
