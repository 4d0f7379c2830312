import * as vscode from 'vscode';
import { assignColors, colorOf } from '../../core/runs/runColors';
import type { RunRef } from './runsModel';

const KEY = 'mlops.runs.colors';
// Colours of runs long gone need not be kept forever.
const MAX_KEPT = 2000;

export const runKey = (r: RunRef): string => `${r.sourceId}\n${r.runId}`;

/** A run's colour, the same in the Runs view and every panel, kept across reloads (workspaceState). */
export class RunColorStore {
  private assigned: Record<string, number>;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.assigned = memento.get<Record<string, number>>(KEY, {});
  }

  /** Gives the runs that have none a colour that differs from the others' in `refs`. */
  ensure(refs: readonly RunRef[]): void {
    const keys = refs.map(runKey);
    if (keys.every((k) => k in this.assigned)) return;
    let next = assignColors(keys, this.assigned);
    const all = Object.keys(next);
    if (all.length > MAX_KEPT) next = Object.fromEntries(all.slice(all.length - MAX_KEPT).map((k) => [k, next[k]]));
    this.assigned = next;
    void this.memento.update(KEY, next);
  }

  color(ref: RunRef): string {
    this.ensure([ref]);
    return colorOf(this.assigned[runKey(ref)]);
  }

  /** media/run-colors/<i>.svg: a dot in the run's colour for its tree item. */
  icon(ref: RunRef): vscode.Uri | undefined {
    const i = this.assigned[runKey(ref)];
    return i === undefined ? undefined : vscode.Uri.joinPath(this.extensionUri, 'media', 'run-colors', `${i % 10}.svg`);
  }
}
