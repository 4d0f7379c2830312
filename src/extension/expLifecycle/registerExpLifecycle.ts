// DVC's experiment lifecycle on the Runs view's DVC rows and in the palette: queue (one
// experiment or a grid), run now, start / stop queue workers, kill, logs, apply, branch,
// rename, remove, push and pull. Each command is one entry here; expCommands.ts holds
// what it does. The rows' context menus follow their state through the row's
// contextValue (`mlopsRun.dvc.<queued|running|failed|done|baseline|workspace>`, runsTree.ts).
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import type { RunsNode, RunsTreeProvider } from '../runs/runsTree';
import { ExpCommands } from './expCommands';
import type { ExpForm } from './expQueueForm';

type Node = RunsNode | undefined;
type Nodes = RunsNode[] | undefined;

/** From a context menu VS Code passes the clicked node and the selection; a script may pass a form or a count instead. */
const asNode = (v: unknown): Node => (v && typeof v === 'object' && 'kind' in v ? (v as RunsNode) : undefined);
const asNodes = (v: unknown): Nodes => (Array.isArray(v) ? v.filter((n) => asNode(n)) : undefined);
const asForm = (v: unknown): ExpForm | undefined => (v && typeof v === 'object' && Array.isArray((v as ExpForm).overrides) ? (v as ExpForm) : undefined);

export function registerExpLifecycle(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, runs: RunsTreeProvider): void {
  const c = new ExpCommands({ runs, log });
  context.subscriptions.push(
    c,
    registerCommand('mlops.dvcExp.queue', (a?: unknown, b?: unknown) => c.queue(asNode(a), asForm(a) ?? asForm(b))),
    registerCommand('mlops.dvcExp.runNow', (a?: unknown, b?: unknown) => c.runNow(asNode(a), asForm(a) ?? asForm(b))),
    registerCommand('mlops.dvcExp.startQueue', (a?: unknown, b?: unknown) => c.startWorkers(asNode(a), typeof a === 'number' ? a : typeof b === 'number' ? b : undefined)),
    registerCommand('mlops.dvcExp.stopQueue', (a?: unknown, b?: unknown) => c.stopWorkers(asNode(a), typeof a === 'boolean' ? a : typeof b === 'boolean' ? b : undefined)),
    registerCommand('mlops.dvcExp.kill', (a?: unknown, b?: unknown) => c.kill(asNode(a), asNodes(b))),
    registerCommand('mlops.dvcExp.showLog', (a?: unknown) => c.showLog(asNode(a))),
    registerCommand('mlops.dvcExp.apply', (a?: unknown) => c.apply(asNode(a))),
    registerCommand('mlops.dvcExp.branch', (a?: unknown, b?: unknown) => c.branch(asNode(a), typeof b === 'string' ? b : undefined)),
    registerCommand('mlops.dvcExp.rename', (a?: unknown, b?: unknown) => c.rename(asNode(a), typeof b === 'string' ? b : undefined)),
    registerCommand('mlops.dvcExp.remove', (a?: unknown, b?: unknown) => c.remove(asNode(a), asNodes(b))),
    registerCommand('mlops.dvcExp.push', (a?: unknown, b?: unknown) => c.push(asNode(a), asNodes(b))),
    registerCommand('mlops.dvcExp.pull', (a?: unknown) => c.pull(asNode(a))),
  );
}
