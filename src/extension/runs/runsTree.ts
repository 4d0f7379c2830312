import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import type { Experiment, RunListing, RunSource, RunStatus, RunSummary } from '../../core/runs/types';
import { formatWarning } from '../../core/runs/types';
import { KIND_LABEL, pruneSelection, runDescription, runTooltipMarkdown, sourceId, updateSelection, type RunRef, type StoreSpec } from './runsModel';

/** One store found in the workspace and what its last listing gave. */
export interface SourceState {
  id: string;
  spec: StoreSpec;
  source?: RunSource & { dispose?(): void };
  listing?: RunListing;
  /** Set when the store could not be read at all; the view shows it instead of runs. */
  error?: string;
  /** Warnings already written to the log, so a refresh does not repeat them. */
  logged: Set<string>;
}

export type SourceNode = { kind: 'source'; state: SourceState };
export type ExperimentNode = { kind: 'experiment'; state: SourceState; experiment: Experiment; runs: RunSummary[] };
export type RunNode = { kind: 'run'; state: SourceState; run: RunSummary };
export type RunsNode = SourceNode | ExperimentNode | RunNode;

export interface RunsTreeDeps {
  log: vscode.LogOutputChannel;
  /** The stores in the workspace folders, with the kinds turned off left out. */
  discover(): Promise<StoreSpec[]>;
  createSource(spec: StoreSpec): RunSource & { dispose?(): void };
  /** `mlops.runs.keyMetric`. */
  keyMetric(): string;
  /** Where the selection outlives a window reload (workspaceState). */
  selectionStore: { get(): RunRef[]; set(refs: RunRef[]): Thenable<void> | void };
}

// DVCLive and TensorBoard have one made-up experiment per store: their runs sit right under it.
const FLAT_KINDS = new Set(['dvclive', 'tensorboard']);
const KIND_ICON: Record<StoreSpec['kind'], string> = { 'mlflow-sqlite': 'database', 'mlflow-file': 'folder-library', dvclive: 'graph-line', tensorboard: 'graph' };

function statusIcon(status: RunStatus): vscode.ThemeIcon {
  switch (status) {
    case 'RUNNING':
      return new vscode.ThemeIcon('sync~spin');
    case 'SCHEDULED':
      return new vscode.ThemeIcon('clock');
    case 'FINISHED':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'FAILED':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'KILLED':
      return new vscode.ThemeIcon('circle-slash');
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const byStartDesc = (a: RunSummary, b: RunSummary) => (b.startTime ?? 0) - (a.startTime ?? 0) || a.name.localeCompare(b.name);

/** Runs of every store in the workspace: source → experiment → run, with checkboxes for comparison. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly storesChanged = new vscode.EventEmitter<StoreSpec[]>();
  /** Fires after a discovery with the stores found, so their watchers follow. */
  readonly onDidChangeStores = this.storesChanged.event;
  private states = new Map<string, SourceState>();
  private loading: Promise<void> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private pendingRediscover = false;
  private readonly waiters: (() => void)[] = [];
  private selected: RunRef[];

  constructor(private readonly deps: RunsTreeDeps) {
    this.selected = deps.selectionStore.get();
  }

  /** Re-reads the stores (and with `rediscover`, searches for them again); bursts coalesce. */
  refresh(options: { rediscover?: boolean; delayMs?: number } = {}): Promise<void> {
    this.pendingRediscover ||= !!options.rediscover;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      const rediscover = this.pendingRediscover;
      const waiters = this.waiters.splice(0);
      this.pendingRediscover = false;
      void this.reload(rediscover).then(() => {
        this.changed.fire(undefined);
        for (const w of waiters) w();
      });
    }, options.delayMs ?? 0);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves once the listing that is under way (or the first one) is done. */
  async whenLoaded(): Promise<void> {
    if (!this.loading) await this.reload(true);
    else await this.loading;
  }

  get selection(): RunRef[] {
    return this.selected.map((r) => ({ ...r }));
  }

  /** From TreeView.onDidChangeCheckboxState. */
  async applyCheckboxes(items: readonly (readonly [RunsNode, vscode.TreeItemCheckboxState])[]): Promise<void> {
    const changes = items
      .filter(([n]) => n.kind === 'run')
      .map(([n, state]) => ({ ref: { sourceId: n.state.id, runId: (n as RunNode).run.id }, checked: state === vscode.TreeItemCheckboxState.Checked }));
    if (!changes.length) return;
    this.selected = updateSelection(this.selected, changes);
    await this.deps.selectionStore.set(this.selection);
  }

  private reload(rediscover: boolean): Promise<void> {
    // One listing at a time: a refresh during a listing runs after it.
    const next = (this.loading ?? Promise.resolve()).then(() =>
      vscode.window.withProgress({ location: { viewId: 'mlops.runs' } }, () => this.load(rediscover || !this.discovered)),
    );
    this.loading = next.catch((err) => this.deps.log.error(`Runs: listing failed: ${errorMessage(err)}`));
    return this.loading;
  }

  private discovered = false;

  private async load(rediscover: boolean): Promise<void> {
    if (rediscover) {
      const specs = await this.deps.discover();
      this.discovered = true;
      const next = new Map<string, SourceState>();
      for (const spec of specs) {
        const id = sourceId(spec);
        next.set(id, this.states.get(id) ?? { id, spec, logged: new Set() });
      }
      for (const [id, old] of this.states) if (!next.has(id)) old.source?.dispose?.();
      this.states = next;
      this.storesChanged.fire(specs);
    }
    await Promise.all([...this.states.values()].map((s) => this.list(s)));
    const listed = new Map<string, Set<string>>();
    for (const s of this.states.values()) if (s.listing) listed.set(s.id, new Set(s.listing.runs.map((r) => r.id)));
    const pruned = pruneSelection(this.selected, listed);
    if (pruned.length !== this.selected.length) {
      this.selected = pruned;
      await this.deps.selectionStore.set(this.selection);
    }
  }

  private async list(state: SourceState): Promise<void> {
    try {
      state.source ??= this.deps.createSource(state.spec);
      state.listing = await state.source.list();
      state.error = undefined;
      const now = new Set<string>();
      for (const w of state.listing.warnings) {
        const line = formatWarning(w);
        now.add(line);
        if (!state.logged.has(line)) this.deps.log.warn(`Runs: ${KIND_LABEL[state.spec.kind]}: ${line}`);
      }
      state.logged = now;
    } catch (err) {
      const message = errorMessage(err);
      if (state.error !== message) this.deps.log.error(`Runs: cannot read ${KIND_LABEL[state.spec.kind]} store ${state.spec.location}: ${message}`);
      state.error = message;
      state.listing = undefined;
    }
  }

  async getChildren(element?: RunsNode): Promise<RunsNode[]> {
    if (!element) {
      await this.whenLoaded();
      return [...this.states.values()].map((state) => ({ kind: 'source', state }));
    }
    const { state } = element;
    if (element.kind === 'experiment') return [...element.runs].sort(byStartDesc).map((run) => ({ kind: 'run', state, run }));
    if (element.kind === 'run' || !state.listing) return [];
    const { experiments, runs } = state.listing;
    if (FLAT_KINDS.has(state.spec.kind)) return [...runs].sort(byStartDesc).map((run) => ({ kind: 'run', state, run }));
    // Experiments without runs (MLflow's automatic "Default") would only add noise.
    return experiments
      .map((experiment) => ({ kind: 'experiment' as const, state, experiment, runs: runs.filter((r) => r.experimentId === experiment.id) }))
      .filter((e) => e.runs.length > 0);
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'source') return this.sourceItem(node.state);
    if (node.kind === 'experiment') {
      const item = new vscode.TreeItem(node.experiment.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.state.id}#exp:${node.experiment.id}`;
      item.description = plural(node.runs.length, 'run');
      item.iconPath = new vscode.ThemeIcon('beaker');
      item.tooltip = `Experiment ${node.experiment.name} (id ${node.experiment.id})`;
      item.contextValue = 'mlopsExperiment';
      return item;
    }
    const { run, state } = node;
    const item = new vscode.TreeItem(run.name || run.id, vscode.TreeItemCollapsibleState.None);
    item.id = `${state.id}#run:${run.experimentId}/${run.id}`;
    item.description = runDescription(run, this.deps.keyMetric());
    item.tooltip = new vscode.MarkdownString(runTooltipMarkdown(run));
    item.iconPath = statusIcon(run.status);
    item.contextValue = 'mlopsRun';
    const checked = this.selected.some((r) => r.sourceId === state.id && r.runId === run.id);
    item.checkboxState = { state: checked ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked, tooltip: 'Select for comparison' };
    return item;
  }

  private sourceItem(state: SourceState): vscode.TreeItem {
    const where = vscode.workspace.asRelativePath(state.spec.location);
    const item = new vscode.TreeItem(KIND_LABEL[state.spec.kind], vscode.TreeItemCollapsibleState.Expanded);
    item.id = state.id;
    item.resourceUri = vscode.Uri.file(state.spec.location);
    item.contextValue = 'mlopsRunSource';
    if (state.error || !state.listing) {
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      item.description = `${where} — ${state.error ?? 'not read yet'}`;
      item.tooltip = `${state.spec.location} could not be read: ${state.error ?? 'not read yet'}\nDetails are in the MLOps Workbench log (MLOps: Show Log).`;
      return item;
    }
    const { runs, warnings } = state.listing;
    item.iconPath = new vscode.ThemeIcon(KIND_ICON[state.spec.kind]);
    item.description = `${where} · ${plural(runs.length, 'run')}${warnings.length ? ` · ${plural(warnings.length, 'warning')}` : ''}`;
    item.tooltip = `${state.spec.location}${warnings.length ? `\n${plural(warnings.length, 'warning')}: see the MLOps Workbench log (MLOps: Show Log).` : ''}`;
    if (!runs.length) item.collapsibleState = vscode.TreeItemCollapsibleState.None;
    return item;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const s of this.states.values()) s.source?.dispose?.();
    this.changed.dispose();
    this.storesChanged.dispose();
  }
}
