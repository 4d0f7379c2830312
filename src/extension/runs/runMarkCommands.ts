// Star Run / Unstar Run / Edit Run Note…: where each kind of store keeps them (see
// core/runs/runMarks.ts), and the workspace state for stores that keep nothing.
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showInfo, showWarning } from '../notify';
import { requireCli } from '../pipelines/cliTools';
import type { MlflowRestSource } from '../../core/runs/mlflow/mlflowRestSource';
import { localMarkKey, localTrackingUri, mlflowMark, noteChange, setRunTagsLocal, setRunTagRest, starChange, updateLocalMarks, type LocalMarks, type RunMark, type TagChange } from '../../core/runs/runMarks';
import type { RunSummary } from '../../core/runs/types';
import type { SourceSpec } from './runsModel';
import type { RunNode, RunsNode, RunsTreeProvider } from './runsTree';

const MARKS_KEY = 'mlops.runs.marks';
const MLFLOW_KINDS = new Set<SourceSpec['kind']>(['mlflow-rest', 'mlflow-sqlite', 'mlflow-file']);

/** Stars and notes of runs whose stores keep no tags (DVC experiments, DVCLive, TensorBoard), in workspaceState. */
export class LocalMarkStore {
  constructor(private readonly memento: vscode.Memento) {}

  private get all(): LocalMarks {
    const raw = this.memento.get<unknown>(MARKS_KEY);
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as LocalMarks) : {};
  }

  get(sourceId: string, runId: string): RunMark {
    const m = this.all[localMarkKey(sourceId, runId)];
    return { starred: m?.starred === true, note: typeof m?.note === 'string' ? m.note : undefined };
  }

  set(sourceId: string, runId: string, change: Partial<RunMark>): Thenable<void> {
    return this.memento.update(MARKS_KEY, updateLocalMarks(this.all, localMarkKey(sourceId, runId), change));
  }
}

/** A run's star and note, wherever its store keeps them. */
export function markOf(store: LocalMarkStore, kind: SourceSpec['kind'], sourceId: string, run: RunSummary): RunMark {
  return MLFLOW_KINDS.has(kind) ? mlflowMark(run) : store.get(sourceId, run.id);
}

/** The Python that runs the `mlflow` found for the workspace (mlops.mlflow.path, the selected environment, PATH). */
async function mlflowPython(what: string): Promise<string | undefined> {
  const mlflow = await requireCli('mlflow', what);
  if (!mlflow) return undefined;
  const dir = path.dirname(mlflow);
  const beside = (process.platform === 'win32' ? ['python.exe', path.join('..', 'python.exe')] : ['python', 'python3']).map((p) => path.join(dir, p)).find((p) => existsSync(p));
  if (beside) return beside;
  // A pip-installed `mlflow` script names its interpreter on its first line.
  try {
    const fd = openSync(mlflow, 'r');
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const shebang = /^#!\s*(\S+)/.exec(buf.subarray(0, n).toString('utf8'));
    if (shebang && existsSync(shebang[1])) return shebang[1];
  } catch {
    // not readable: fall through to the message below
  }
  void showWarning(vscode.l10n.t('found {0} but not the Python beside it that runs MLflow; set mlops.mlflow.path to the mlflow of a virtual environment.', mlflow));
  return undefined;
}

/** Writes one tag the way the run's store takes it; false when nothing was written (no Python found). */
async function writeTag(node: RunNode, change: TagChange, what: string): Promise<boolean> {
  const { state, run } = node;
  if (state.spec.kind === 'mlflow-rest') {
    const source = state.source as MlflowRestSource | undefined;
    if (!source) throw new Error(vscode.l10n.t('the tracking server {0} is not read yet; refresh the Runs view and try again.', state.spec.location));
    await setRunTagRest(source.client, run.id, change);
    return true;
  }
  const python = await mlflowPython(what);
  if (!python) return false;
  const kind = state.spec.kind as 'mlflow-sqlite' | 'mlflow-file';
  await setRunTagsLocal(python, localTrackingUri(kind, state.spec.location), run.id, [change]);
  return true;
}

function runNodeOf(target: RunsNode | undefined, action: string): RunNode | undefined {
  if (target?.kind === 'run') return target;
  void showInfo(vscode.l10n.t('select a run in the Runs view to {0}.', action));
  return undefined;
}

async function mark(runs: RunsTreeProvider, store: LocalMarkStore, node: RunNode, change: Partial<RunMark>, tag: TagChange, what: string): Promise<void> {
  if (!MLFLOW_KINDS.has(node.state.spec.kind)) {
    await store.set(node.state.id, node.run.id, change);
    runs.redraw();
    return;
  }
  const written = await vscode.window.withProgress({ location: { viewId: 'mlops.runs' } }, () => writeTag(node, tag, what));
  // Read back from the store: the view shows what MLflow holds now, not what we meant.
  if (written) await runs.refresh({ cause: 'command' });
}

/** `MLOps: Star Run` / `Unstar Run`. Returns whether the run is starred now. */
export async function starRunCommand(runs: RunsTreeProvider, store: LocalMarkStore, target: RunsNode | undefined, starred: boolean): Promise<boolean | undefined> {
  const node = runNodeOf(target, starred ? vscode.l10n.t('star it') : vscode.l10n.t('unstar it'));
  if (!node) return undefined;
  await mark(runs, store, node, { starred }, starChange(starred), starred ? vscode.l10n.t('star a run') : vscode.l10n.t('unstar a run'));
  return starred;
}

/** `MLOps: Edit Run Note…`: MLflow's run note (the MLflow UI shows the same text); empty removes it. With `text`, no box. */
export async function editNoteCommand(runs: RunsTreeProvider, store: LocalMarkStore, target: RunsNode | undefined, text?: string): Promise<string | undefined> {
  const node = runNodeOf(target, vscode.l10n.t('edit its note'));
  if (!node) return undefined;
  const current = markOf(store, node.state.spec.kind, node.state.id, node.run).note ?? '';
  let note = text;
  if (note === undefined) {
    // The box has one line: a note written in the MLflow UI may have several.
    if (current.includes('\n')) {
      const edit = vscode.l10n.t('Edit as One Line');
      const pick = await showWarning(vscode.l10n.t('the note of {0} has several lines; this box edits it as one line (the MLflow UI keeps the lines).', node.run.name), edit);
      if (pick !== edit) return undefined;
    }
    note = await vscode.window.showInputBox({
      title: vscode.l10n.t('Note on run {0}', node.run.name || node.run.id),
      value: current.replace(/\s*\n\s*/g, ' '),
      prompt: MLFLOW_KINDS.has(node.state.spec.kind) ? vscode.l10n.t('Kept in the run as MLflow\'s note (tag mlflow.note.content); empty removes it') : vscode.l10n.t('Kept in this workspace (this store has no place for notes); empty removes it'),
      ignoreFocusOut: true,
    });
    if (note === undefined) return undefined;
  }
  await mark(runs, store, node, { note }, noteChange(note), vscode.l10n.t('write a run note'));
  return note;
}

/**
 * Tags MLflow runs the Runs view lists (read again first), each in the store that holds it,
 * the way Star Run writes (a tracking server's REST API, MLflow's client for local stores).
 * `notListed`: runs no store of the view holds (they are in a store it does not read).
 */
export async function tagListedRuns(runs: RunsTreeProvider, runIds: readonly string[], changes: readonly TagChange[], what: string): Promise<{ tagged: string[]; notListed: string[] }> {
  await runs.refresh({ cause: 'command' });
  const tagged: string[] = [];
  const notListed: string[] = [];
  for (const id of runIds) {
    const state = runs.sources().find((s) => MLFLOW_KINDS.has(s.spec.kind) && s.listing?.runs.some((r) => r.id === id));
    const run = state?.listing?.runs.find((r) => r.id === id);
    if (!state || !run) {
      notListed.push(id);
      continue;
    }
    let written = true;
    for (const change of changes) written = written && (await writeTag({ kind: 'run', state, run }, change, what));
    if (written) tagged.push(id);
  }
  // Read back: the view shows the tags MLflow holds now.
  if (tagged.length) await runs.refresh({ cause: 'command' });
  return { tagged, notListed };
}
