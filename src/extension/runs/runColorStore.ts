import * as vscode from 'vscode';
import { assignColors, colorOf, needsColors } from '../../core/runs/runColors';
import type { RunRef } from './runsModel';

const KEY = 'mlops.runs.colors';
// Colours of runs long gone need not be kept forever.
const MAX_KEPT = 2000;

export const runKey = (r: RunRef): string => `${r.sourceId}\n${r.runId}`;

/** A run's colour, the same in the Runs view and every panel, kept across reloads (workspaceState). */
export class RunColorStore implements vscode.Disposable {
  private assigned: Record<string, number>;
  private readonly changed = new vscode.EventEmitter<void>();
  /** A run's colour changed (one shown with another of its colour): the Runs view redraws its dots. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.assigned = memento.get<Record<string, number>>(KEY, {});
  }

  /** Colours for the runs shown together in `refs`, told apart while the palette lasts (assignColors). */
  ensure(refs: readonly RunRef[]): void {
    const keys = refs.map(runKey);
    const before = this.assigned;
    if (!needsColors(keys, before)) return;
    let next = assignColors(keys, before);
    const all = Object.keys(next);
    if (all.length > MAX_KEPT) next = Object.fromEntries(all.slice(all.length - MAX_KEPT).map((k) => [k, next[k]]));
    this.assigned = next;
    void this.memento.update(KEY, next);
    if (keys.some((k) => k in before && before[k] !== next[k])) this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
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
