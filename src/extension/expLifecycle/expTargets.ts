// What a lifecycle command acts on: the DVC project (a "DVC experiments" store of the Runs
// view) and its experiment rows. From a context menu that is the clicked row (or the rows
// selected with it); from the palette the user picks among the rows in the state the
// command applies to, so every command also works without the view.
import * as vscode from 'vscode';
import { findDvcRoot } from '../../core/pipelines/status/stageStatus';
import { experimentTarget, expRowState, type ExpRowState } from '../../core/runs/dvc/expLifecycle';
import type { RunSummary } from '../../core/runs/types';
import { showInfo } from '../notify';
import type { RunsNode, RunsTreeProvider, SourceState } from '../runs/runsTree';

export interface ExpProject {
  /** The DVC root: where dvc runs. */
  root: string;
  state: SourceState;
}

export interface ExpRow {
  project: ExpProject;
  run: RunSummary;
  state: ExpRowState;
  /** What DVC calls it (its name, or its commit). */
  target: string;
}

/** How a row's state reads in messages and pickers. */
export function stateText(state: ExpRowState): string {
  switch (state) {
    case 'workspace':
      return vscode.l10n.t('workspace');
    case 'baseline':
      return vscode.l10n.t('commit');
    case 'queued':
      return vscode.l10n.t('queued');
    case 'running':
      return vscode.l10n.t('running');
    case 'failed':
      return vscode.l10n.t('failed');
    default:
      return vscode.l10n.t('done');
  }
}

export function dvcProjects(runs: RunsTreeProvider): ExpProject[] {
  return runs
    .sources()
    .filter((s) => s.spec.kind === 'dvc-experiments')
    .map((state) => ({ root: findDvcRoot(state.spec.location) ?? state.spec.location, state }));
}

const projectOf = (runs: RunsTreeProvider, state: SourceState): ExpProject | undefined => dvcProjects(runs).find((p) => p.state.id === state.id);

function rowOf(project: ExpProject, run: RunSummary): ExpRow {
  return { project, run, state: expRowState(run), target: experimentTarget(run) };
}

/** The project of a clicked node, the only one, or the one the user picks. */
export async function pickProject(runs: RunsTreeProvider, node?: RunsNode): Promise<ExpProject | undefined> {
  if (node && typeof node === 'object' && 'state' in node) {
    const p = projectOf(runs, node.state);
    if (p) return p;
  }
  await runs.whenLoaded();
  const all = dvcProjects(runs);
  if (!all.length) {
    void showInfo(vscode.l10n.t('no DVC project in this workspace (a folder with dvc.yaml and .dvc). "dvc init" makes one; the Runs view lists it under DVC experiments.'));
    return undefined;
  }
  if (all.length === 1) return all[0];
  const pick = await vscode.window.showQuickPick(
    all.map((p) => ({ label: vscode.workspace.asRelativePath(p.root), description: p.root, p })),
    { title: vscode.l10n.t('Which DVC project?') },
  );
  return pick?.p;
}

export interface RowQuery {
  /** The rows a command applies to. */
  states: readonly ExpRowState[];
  title: string;
  many?: boolean;
}

/**
 * The rows to act on: the clicked row and those selected with it (in the states the
 * command applies to), else a pick among the project's rows in those states.
 */
export async function pickRows(runs: RunsTreeProvider, query: RowQuery, node?: RunsNode, nodes?: readonly RunsNode[]): Promise<ExpRow[]> {
  const clicked = (nodes?.length ? nodes : node ? [node] : []).filter((n): n is Extract<RunsNode, { kind: 'run' }> => !!n && typeof n === 'object' && n.kind === 'run');
  const fromView = clicked.flatMap((n) => {
    const p = projectOf(runs, n.state);
    return p ? [rowOf(p, n.run)] : [];
  });
  const fit = fromView.filter((r) => query.states.includes(r.state));
  if (fit.length) return query.many ? fit : fit.slice(0, 1);
  if (fromView.length) {
    void showInfo(vscode.l10n.t('{0}: applies to {1} experiments; "{2}" is {3}.', query.title, query.states.map((s) => stateText(s)).join(' / '), fromView[0].run.name, stateText(fromView[0].state)));
    return [];
  }
  const project = await pickProject(runs, node);
  if (!project) return [];
  const rows = (project.state.listing?.runs ?? []).map((r) => rowOf(project, r)).filter((r) => query.states.includes(r.state));
  if (!rows.length) {
    void showInfo(vscode.l10n.t('{0}: no {1} experiment in {2}.', query.title, query.states.map((s) => stateText(s)).join(' / '), vscode.workspace.asRelativePath(project.root)));
    return [];
  }
  const items = rows.map((r) => ({ label: r.run.name, description: `${stateText(r.state)} · ${r.run.id.slice(0, 7)}`, detail: paramLine(r.run), r }));
  if (query.many) {
    const picked = await vscode.window.showQuickPick(items, { title: query.title, canPickMany: true, matchOnDetail: true });
    return picked?.map((p) => p.r) ?? [];
  }
  const picked = await vscode.window.showQuickPick(items, { title: query.title, matchOnDetail: true });
  return picked ? [picked.r] : [];
}

function paramLine(run: RunSummary): string {
  const line = Object.entries(run.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
