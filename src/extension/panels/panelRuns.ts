// What both panels need from the Runs view: runs by reference, their sources, their
// colours, and a signal when the stores were read again (a training run logged more).
import * as vscode from 'vscode';
import { showInfo, showWarning } from '../notify';
import { errorMessage } from '../../core/common/errors';
import type { RunSummary } from '../../core/runs/types';
import { toColumns, type PanelRun, type RunRefMsg } from '../../protocol/panels';
import { runKey, type RunColorStore } from '../runs/runColorStore';
import type { RunRef } from '../runs/runsModel';
import type { RunLookup } from '../runs/runsTree';
import { pushAll } from '../../core/common/arrays';

export interface RunCatalog {
  whenLoaded(): Promise<void>;
  lookup(ref: RunRef): RunLookup;
  allRuns(): { ref: RunRef; run: RunSummary; sourceLabel: string }[];
  readonly selection: RunRef[];
  readonly onDidChangeTreeData: vscode.Event<unknown>;
}

export interface PanelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  catalog: RunCatalog;
  colors: RunColorStore;
}

export { runKey };

export function panelRun(ref: RunRef, run: RunSummary, sourceLabel: string, colors: RunColorStore): PanelRun {
  return {
    key: runKey(ref),
    sourceId: ref.sourceId,
    runId: ref.runId,
    name: run.name || run.id,
    color: colors.color(ref),
    source: sourceLabel,
    status: run.status,
    startTime: run.startTime,
    endTime: run.endTime,
  };
}

/** A run's params and its own tags (not MLflow's `mlflow.*` ones), as the metrics panel groups by them. */
export function groupFields(run: RunSummary): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.params)) out[`param:${k}`] = v;
  for (const [k, v] of Object.entries(run.tags)) if (!k.startsWith('mlflow.')) out[`tag:${k}`] = v;
  return out;
}

export const columns = toColumns;

/**
 * The runs a command was asked for: run references or plain run ids (by command), a tree
 * node (context menu: that run with the other checked runs), or else the runs checked
 * in the Runs view; with nothing checked, a multi-pick of every run.
 */
export async function resolveRunArgs(catalog: RunCatalog, arg: unknown, title: string): Promise<RunRef[] | undefined> {
  await catalog.whenLoaded();
  const isRef = (v: unknown): v is RunRefMsg => typeof v === 'object' && v !== null && typeof (v as RunRef).sourceId === 'string' && typeof (v as RunRef).runId === 'string';
  const list = Array.isArray(arg) ? arg : isObject(arg) && Array.isArray(arg.runs) ? arg.runs : undefined;
  if (list?.length) {
    const refs: RunRef[] = [];
    for (const item of list) {
      if (isRef(item)) refs.push({ sourceId: item.sourceId, runId: item.runId });
      else if (typeof item === 'string') {
        const found = catalog.allRuns().filter((r) => r.ref.runId === item);
        if (!found.length) void showWarning(vscode.l10n.t("no run with id {0} in the workspace's stores.", item));
        pushAll(refs, found.map((f) => f.ref));
      }
    }
    return refs;
  }
  if (isObject(arg) && arg.kind === 'run' && isObject(arg.state) && isObject(arg.run)) {
    const ref = { sourceId: String(arg.state.id), runId: String(arg.run.id) };
    const sel = catalog.selection;
    return sel.some((r) => r.sourceId === ref.sourceId && r.runId === ref.runId) ? sel : [...sel, ref];
  }
  if (catalog.selection.length) return catalog.selection;
  const all = catalog.allRuns();
  if (!all.length) {
    void showInfo(vscode.l10n.t('no runs found in the workspace. Train once (MLflow, DVCLive or TensorBoard), then try again.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    all.map((r) => ({ label: r.run.name || r.run.id, description: `${r.sourceLabel} · ${r.run.status.toLowerCase()}`, detail: r.run.id, ref: r.ref })),
    { canPickMany: true, title, placeHolder: vscode.l10n.t('Runs to show (tip: check runs in the Runs view to skip this step)') },
  );
  return picked?.length ? picked.map((p) => p.ref) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Reads histories with a few at a time in flight: a store is one file, and 500 runs would queue anyway. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

export function describeError(err: unknown): string {
  return errorMessage(err);
}

/** Writes an export where the user picks, and offers to open it. */
export async function saveExport(name: string, filterName: string, ext: string, data: Uint8Array): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const safe = name.replace(/[^\w.-]+/g, '_');
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${safe}.${ext}`) : undefined,
    filters: { [filterName]: [ext] },
    title: vscode.l10n.t('Export {0}', name),
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, data);
  const open = vscode.l10n.t('Open');
  void showInfo(vscode.l10n.t('saved {0}', vscode.workspace.asRelativePath(target)), open).then((a) => {
    if (a === open) void vscode.commands.executeCommand('vscode.open', target);
  });
  return target;
}
