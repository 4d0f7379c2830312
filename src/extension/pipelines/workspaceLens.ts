// The "Run in workspace" lens of dvc.yaml shows only while a workspace of ours runs: on
// every stage of every dvc.yaml it would otherwise be noise to the many users who never
// launch one, and a lens that can only answer "there is none" is a dead end. The palette
// and the Pipelines view keep the command (it says how to launch one). The language server
// cannot know about containers, so the client filters its lenses with what is known here.
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { listWorkspaces } from '../../core/hosts/workspaces';
import { pipelineFileKind } from '../../core/pipelines/pipelineFileKind';
import { RUN_ENTRY_POINT_ON_CLUSTER_COMMAND, RUN_IN_WORKSPACE_COMMAND, RUN_STAGE_ON_CLUSTER_COMMAND } from '../../protocol/lensCommands';
import type { WorkspacesTreeProvider } from '../workspaces/workspacesTree';

/** Lens requests never wait on an engine: they get what is known, and a change redraws them. */
const STALE_MS = 20000;

export interface LensFilter {
  keep(lens: vscode.CodeLens): boolean;
  /** The answer changed: the client asks for its lenses again. */
  readonly onDidChange: vscode.Event<void>;
}

/** Keeps a lens only when every filter keeps it; redraws when any changes. */
export function allFilters(...filters: LensFilter[]): LensFilter {
  const changed = new vscode.EventEmitter<void>();
  for (const f of filters) f.onDidChange(() => changed.fire());
  return { keep: (lens) => filters.every((f) => f.keep(lens)), onDidChange: changed.event };
}

/** The "Run on cluster" lenses, only while `mlops.clusters` names a cluster. */
export class ClusterLensFilter implements LensFilter, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly hasClusters: () => boolean) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mlops.clusters') && this.changed.fire());
  }

  keep(lens: vscode.CodeLens): boolean {
    const c = lens.command?.command;
    return (c !== RUN_STAGE_ON_CLUSTER_COMMAND && c !== RUN_ENTRY_POINT_ON_CLUSTER_COMMAND) || this.hasClusters();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * Whether any host has a running workspace of ours. The local engine is asked (a socket
 * call); SSH hosts only when their connection is already open, since a lens must never
 * connect to a server or ask for a passphrase.
 */
export class RunningWorkspaceWatch implements LensFilter, vscode.Disposable {
  private known: boolean | undefined;
  private checkedAt = 0;
  private checking: Promise<void> | undefined;
  private again = false;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly workspaces: WorkspacesTreeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Launch, start, stop, remove and refresh all redraw the Workspaces view.
    this.subscriptions = [workspaces.onDidChangeTreeData(() => this.stale())];
  }

  keep(lens: vscode.CodeLens): boolean {
    if (lens.command?.command !== RUN_IN_WORKSPACE_COMMAND) return true;
    if (Date.now() - this.checkedAt > STALE_MS) void this.check();
    return this.known === true;
  }

  /** Rechecks now if a dvc.yaml is on screen, else at the next lens request. */
  private stale(): void {
    this.checkedAt = 0;
    if (this.checking || vscode.window.visibleTextEditors.some((e) => pipelineFileKind(e.document.uri.fsPath) === 'dvc.yaml')) void this.check(true);
  }

  /**
   * Asks the hosts; one check at a time. `again`: something changed while one runs, whose
   * answer may predate it (a workspace launched mid-listing), so one more follows.
   */
  private check(again = false): Promise<void> {
    if (this.checking) {
      this.again ||= again;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        const now = await this.anyRunning();
        this.checkedAt = Date.now();
        if (now !== this.known) {
          this.known = now;
          this.changed.fire();
        }
      } while (this.again);
    })().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async anyRunning(): Promise<boolean> {
    const registry = this.workspaces.registry;
    let hosts;
    try {
      hosts = await registry.hosts();
    } catch (err) {
      this.log.warn(`Run in workspace lens: cannot list hosts: ${errorMessage(err)}`);
      return false;
    }
    const answers = await Promise.all(
      hosts.map(async (host) => {
        try {
          // An SSH connection that is not open throws here instead of connecting.
          const docker = registry.connection(host).docker();
          return (await listWorkspaces(docker)).some((w) => w.state === 'running');
        } catch (err) {
          if (host.kind === 'local') this.log.debug(`Run in workspace lens: ${host.name}: ${errorMessage(err)}`);
          return false;
        }
      }),
    );
    return answers.some(Boolean);
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
