// A feature registered at activation by stand-ins only: its commands and tree views exist
// (same ids, same menus), and the first command run or the first time a view asks for its
// items requires the feature's own bundle from dist/lazy/ and registers it for real, so that
// activation does not parse it. The stand-ins step aside first: the real registration
// creates the views and commands under the same ids, and a command run before it is handed
// to the real one with the same arguments.
import * as vscode from 'vscode';
import { registerStandIn } from '../commandWrapper';

export interface LazyFeature {
  /** For the log. */
  name: string;
  /** Every command the feature registers (test/unit/lazyFeatures.test.ts holds the list to its sources). */
  commands: readonly string[];
  /** Every tree view the feature creates. */
  views: readonly string[];
  /** Requires the feature's bundle (loadLazy) and calls its register function. */
  register: () => void;
}

/** Registers the stand-ins; the returned function loads the feature now (idempotent). */
export function registerLazyFeature(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, feature: LazyFeature): () => void {
  let standIns: vscode.Disposable[] = [];
  let loaded = false;
  const load = () => {
    if (loaded) return;
    loaded = true;
    for (const d of standIns) d.dispose();
    standIns = [];
    const started = performance.now();
    try {
      feature.register();
    } catch (err) {
      // A bundle missing from the install or failing to load: said once in the log; the command that asked fails with it.
      log.error(`${feature.name}: could not load (${err instanceof Error ? err.message : String(err)})`);
      throw err;
    }
    log.debug(`${feature.name}: loaded on first use in ${(performance.now() - started).toFixed(1)} ms`);
  };
  for (const id of feature.commands) {
    standIns.push(
      registerStandIn(id, (...args: unknown[]) => {
        load();
        return vscode.commands.executeCommand(id, ...args);
      }),
    );
  }
  for (const id of feature.views) {
    // A view shown at startup asks for its items: the feature loads on the next turn (not
    // inside the call of the view it replaces) and its own view answers; this answer is dropped.
    const standIn: vscode.TreeDataProvider<never> = {
      getTreeItem: (n) => n,
      getChildren: () => new Promise<never[]>((resolve) => setImmediate(() => {
        try {
          load();
        } finally {
          resolve([]);
        }
      })),
    };
    standIns.push(vscode.window.createTreeView(id, { treeDataProvider: standIn }));
  }
  context.subscriptions.push({ dispose: () => standIns.forEach((d) => d.dispose()) });
  return load;
}
