import { redactTrackingUri } from '../../core/runs/mlflow/trackingUri';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import type { Experiment, RunListing, RunSource, RunStatus, RunSummary } from '../../core/runs/types';
import { formatWarning } from '../../core/runs/types';
import { expRowState } from '../../core/runs/dvc/expLifecycle';
import { nestRuns, type RunNesting } from '../../core/runs/nesting';
import { markTags, type RunMark } from '../../core/runs/runMarks';
import { readNote } from '../../core/provenance/gitNote';
import { nodeRunner } from '../../core/provenance/runner';
import type { Provenance } from '../../core/provenance/types';
import { experimentNoteLines } from '../../core/provenance/view';
import { escapeMarkdown, KIND_LABEL, pruneSelection, runDescription, runTooltipMarkdown, sourceId, updateSelection, type RunRef, type SourceSpec } from './runsModel';
import { DEFAULT_VIEW_STATE, filterRuns, groupRuns, searchRuns, sortRuns, type RunsViewState } from './runsQuery';
import { describeRefresh, hasRunningLocalRun, RefreshScheduler, type RefreshBatch, type RefreshRequest } from './refreshScheduler';
import type { Timers } from './timers';

/** One store found in the workspace and what its last listing gave. */
export interface SourceState {
  id: string;
  spec: SourceSpec;
  source?: ManagedSource;
  listing?: RunListing;
  /** Set when the store could not be read at all; the view shows it instead of runs. */
  error?: string;
  /** Warnings already written to the log, so a refresh does not repeat them. */
  logged: Set<string>;
  /** A tracking server refused the search filter: MLflow's message, word for word. */
  filterRejected?: string;
  /** A search's first pages are `listing`; the next ones are being read. */
  loadingMore?: boolean;
}

/** A source as the view holds it: `retry` forgets a failure the source would otherwise keep answering for a while. */
export type ManagedSource = RunSource & { dispose?(): void; retry?(): void };

export type SourceNode = { kind: 'source'; state: SourceState };
/** An experiment of the source, or (grouped by a param) the runs with one value of it: `groupedBy` names the param. */
export type ExperimentNode = { kind: 'experiment'; state: SourceState; experiment: Experiment; runs: RunSummary[]; groupedBy?: string };
/** `nesting`: the parent → children of the runs listed beside this one (MLflow's nested runs). */
export type RunNode = { kind: 'run'; state: SourceState; run: RunSummary; nesting?: RunNesting<RunSummary> };
export type RunsNode = SourceNode | ExperimentNode | RunNode;

export interface RunsTreeDeps {
  log: vscode.LogOutputChannel;
  /** The stores in the workspace folders, with the kinds turned off left out. */
  discover(): Promise<SourceSpec[]>;
  /**
   * Called as a search for stores starts, and with what it found: the run-store worker can
   * start while the folders are searched, when the last search found stores in files.
   */
  discovering?(): void;
  discovered?(specs: SourceSpec[]): void;
  createSource(spec: SourceSpec): ManagedSource;
  /** Sort, filter and grouping chosen in the view (workspaceState); the default without it. */
  viewState?(): RunsViewState;
  /** `mlops.runs.keyMetric`. */
  keyMetric(): string;
  /** Where the selection outlives a window reload (workspaceState). */
  selectionStore: { get(): RunRef[]; set(refs: RunRef[]): Thenable<void> | void };
  /** A checked run's icon: a dot in its colour in the charts (see RunColorStore). */
  colors?: { ensure(refs: readonly RunRef[]): void; icon(ref: RunRef): vscode.Uri | undefined; onDidChange?: vscode.Event<void> };
  /** The tracking servers' polling interval (`mlops.mlflow.pollIntervalSeconds`); polling starts with `scheduler.setServerPolling`. */
  serverPollMs?(): number;
  timers?: Timers;
  /** A run's star and note (MLflow tags, or the workspace state for stores without tags). */
  mark?(state: SourceState, run: RunSummary): RunMark;
}

/** A run found by its reference, with the source that reads its histories. */
export type RunLookup = { run: RunSummary; source: RunSource; sourceLabel: string } | { error: string };

// Above this many runs in a store, run tooltips are built on hover (resolveTreeItem).
const EAGER_TOOLTIP_RUNS = 300;
// DVCLive and TensorBoard have one made-up experiment per store: their runs sit right under it.
const FLAT_KINDS = new Set(['dvclive', 'tensorboard']);
const MLFLOW_STORE_KINDS = new Set(['mlflow-sqlite', 'mlflow-file']);
const KIND_ICON: Record<SourceSpec['kind'], string> = { 'mlflow-rest': 'server', 'mlflow-sqlite': 'database', 'mlflow-file': 'folder-library', 'dvc-experiments': 'beaker', dvclive: 'graph-line', tensorboard: 'graph' };

/** A finished DVC experiment: its commit may carry our git note. */
const isNotedKind = (node: RunNode) => node.state.spec.kind === 'dvc-experiments' && /^[0-9a-f]{40}$/.test(node.run.id) && expRowState(node.run) === 'done';

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

/** "1 run" / "12 runs": one message per form, so a translation can decline its noun. */
const runCount = (n: number): string => (n === 1 ? vscode.l10n.t('1 run') : vscode.l10n.t('{0} runs', n));

/** Runs of every store in the workspace: source → experiment → run, with checkboxes for comparison. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly storesChanged = new vscode.EventEmitter<SourceSpec[]>();
  /** Fires after a discovery with the stores found, so their watchers follow. */
  readonly onDidChangeStores = this.storesChanged.event;
  private states = new Map<string, SourceState>();
  private loading: Promise<void> | undefined;
  private selected: RunRef[];
  /** When the stores are read again: debounce, live re-reads, server polling. */
  readonly scheduler: RefreshScheduler;

  private readonly colorsChanged: vscode.Disposable | undefined;

  constructor(private readonly deps: RunsTreeDeps) {
    this.selected = deps.selectionStore.get();
    // A panel gave a checked run another colour (it was charted with one of its colour): the dots follow.
    this.colorsChanged = deps.colors?.onDidChange?.(() => this.changed.fire(undefined));
    this.scheduler = new RefreshScheduler({
      refresh: (batch) => this.refreshNow(batch),
      pollServers: () => this.pollServers(),
      serverPollMs: () => deps.serverPollMs?.() ?? 15_000,
      log: (line) => deps.log.debug(line),
      timers: deps.timers,
    });
  }

  /**
   * Re-reads the stores (and with `rediscover`, searches for them again); bursts coalesce.
   * `servers: false` (a local file changed) leaves tracking servers to their polling pace.
   */
  /** The Refresh command: stores that failed are read again now, not after their backoff. */
  retryFailed(): void {
    for (const s of this.states.values()) s.source?.retry?.();
  }

  refresh(options: RefreshRequest = {}): Promise<void> {
    return this.scheduler.request(options);
  }

  private async refreshNow(batch: RefreshBatch): Promise<void> {
    await this.reload(batch.rediscover, batch.servers);
    this.changed.fire(undefined);
  }

  /** Resolves once the listing that is under way (or the first one) is done. */
  async whenLoaded(): Promise<void> {
    if (this.loading) return this.loading;
    this.deps.log.debug(describeRefresh({ rediscover: true, servers: true, causes: new Map([['first listing', 1]]) }));
    await this.reload(true);
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
    this.deps.colors?.ensure(this.selected);
    await this.deps.selectionStore.set(this.selection);
    // The checked runs' icons turn into their chart colours.
    this.changed.fire(undefined);
  }

  /** The run behind a reference, or why it cannot be read (for the chart and comparison panels). */
  lookup(ref: RunRef): RunLookup {
    const state = this.states.get(ref.sourceId);
    if (!state) return { error: vscode.l10n.t('its store {0} is no longer found in the workspace', ref.sourceId.replace(/^[^:]*:/, '')) };
    if (state.error || !state.listing || !state.source) return { error: vscode.l10n.t('its store {0} could not be read: {1}', state.spec.location, state.error ?? vscode.l10n.t('not read yet')) };
    const run = state.listing.runs.find((r) => r.id === ref.runId);
    if (!run) return { error: vscode.l10n.t('{0} no longer lists run {1}', KIND_LABEL[state.spec.kind], ref.runId) };
    return { run, source: state.source, sourceLabel: `${KIND_LABEL[state.spec.kind]} · ${vscode.workspace.asRelativePath(state.spec.location)}` };
  }

  /** Every listed run, for pickers. */
  allRuns(): { ref: RunRef; run: RunSummary; sourceLabel: string }[] {
    return [...this.states.values()].flatMap((s) =>
      (s.listing?.runs ?? []).map((run) => ({ ref: { sourceId: s.id, runId: run.id }, run, sourceLabel: KIND_LABEL[s.spec.kind] })),
    );
  }

  /** The name a store gives an experiment (the experiments table's column); undefined when it lists none by that id. */
  experimentName(sourceId: string, experimentId: string): string | undefined {
    return this.states.get(sourceId)?.listing?.experiments.find((e) => e.id === experimentId)?.name;
  }

  private reload(rediscover: boolean, servers = true): Promise<void> {
    // One listing at a time: a refresh during a listing runs after it.
    const next = (this.loading ?? Promise.resolve()).then(() =>
      vscode.window.withProgress({ location: { viewId: 'mlops.runs' } }, () => this.load(rediscover || !this.discovered, servers)),
    );
    this.loading = next.catch((err) => this.deps.log.error(`Runs: listing failed: ${errorMessage(err)}`));
    return this.loading;
  }

  private discovered = false;

  private async load(rediscover: boolean, servers = true): Promise<void> {
    if (rediscover) {
      this.deps.discovering?.();
      const specs = await this.deps.discover();
      this.deps.discovered?.(specs);
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
    const due = [...this.states.values()].filter((s) => servers || s.spec.kind !== 'mlflow-rest' || (!s.listing && !s.error));
    await Promise.all(due.map((s) => this.list(s)));
    this.scheduler.setLocalRunning(hasRunningLocalRun(this.states.values()));
    const listed = new Map<string, Set<string>>();
    for (const s of this.states.values()) if (s.listing) listed.set(s.id, new Set(s.listing.runs.map((r) => r.id)));
    const pruned = pruneSelection(this.selected, listed);
    if (pruned.length !== this.selected.length) {
      this.selected = pruned;
      await this.deps.selectionStore.set(this.selection);
    }
  }

  /**
   * `partial`: a tracking server's search shows each page as it comes (the first one in
   * the time the MLflow UI shows its first page), not once every match is read.
   */
  private async list(state: SourceState, partial = false): Promise<void> {
    const onPartial = partial
      ? (soFar: RunListing) => {
          state.listing = soFar;
          state.loadingMore = true;
          state.error = state.filterRejected = undefined;
          this.changed.fire(undefined);
        }
      : undefined;
    try {
      state.source ??= this.deps.createSource(state.spec);
      state.listing = await state.source.list(undefined, onPartial);
      state.loadingMore = false;
      state.error = undefined;
      state.filterRejected = undefined;
      const now = new Set<string>();
      for (const w of state.listing.warnings) {
        const line = formatWarning(w);
        now.add(line);
        if (!state.logged.has(line)) this.deps.log.warn(`Runs: ${KIND_LABEL[state.spec.kind]}: ${line}`);
      }
      state.logged = now;
    } catch (err) {
      state.loadingMore = false;
      const message = errorMessage(err);
      if (state.error !== message) this.deps.log.error(`Runs: cannot read ${KIND_LABEL[state.spec.kind]} store ${state.spec.location}: ${message}`);
      state.error = message;
      state.listing = undefined;
      // Duck-typed: the source comes from the lazily loaded bundle, with its own copy of the class.
      const rejected = (err as { filterRejected?: unknown } | undefined)?.filterRejected;
      state.filterRejected = typeof rejected === 'string' ? rejected : undefined;
    }
  }

  async getChildren(element?: RunsNode): Promise<RunsNode[]> {
    if (!element) {
      await this.whenLoaded();
      return [...this.states.values()].map((state) => ({ kind: 'source', state }));
    }
    const { state } = element;
    const view = this.viewState;
    const sorted = (runs: readonly RunSummary[], nesting: RunNesting<RunSummary>) => sortRuns(runs, view.sort).map((run): RunNode => ({ kind: 'run', state, run, nesting }));
    // Nested runs under their parent: only the roots at this level, children when a run is expanded.
    const runNodes = (runs: readonly RunSummary[]) => {
      const nesting = nestRuns(runs);
      return sorted(nesting.roots, nesting);
    };
    if (element.kind === 'experiment') return runNodes(element.runs);
    if (element.kind === 'run') return element.nesting ? sorted(element.nesting.children.get(element.run.id) ?? [], element.nesting) : [];
    if (!state.listing) return [];
    const { experiments } = state.listing;
    const runs = this.visibleRuns(state);
    if (view.group === 'none' || (view.group === 'experiment' && FLAT_KINDS.has(state.spec.kind))) return runNodes(runs);
    // Experiments without (matching) runs, like MLflow's automatic "Default", would only add noise.
    const groupedBy = view.group === 'experiment' ? undefined : view.group.slice(6);
    return groupRuns(runs, experiments, view.group).map((g) => ({
      kind: 'experiment' as const,
      state,
      experiment: g.experiment ?? { id: g.id, name: g.label },
      runs: g.runs,
      groupedBy,
    }));
  }

  /**
   * A run's node and, through getParent, its path in the tree as it is drawn now, for
   * TreeView.reveal (the Models view's "source run"). Undefined when the run is not listed
   * or today's filters hide it.
   */
  runNode(ref: RunRef): RunNode | undefined {
    const state = this.states.get(ref.sourceId);
    const run = state?.listing?.runs.find((r) => r.id === ref.runId);
    if (!state || !run || !filterRuns([run], this.viewState.filters).length) return undefined;
    return { kind: 'run', state, run };
  }

  getParent(node: RunsNode): RunsNode | undefined {
    if (node.kind === 'source') return undefined;
    const source: SourceNode = { kind: 'source', state: node.state };
    if (node.kind === 'experiment') return source;
    const view = this.viewState;
    const listing = node.state.listing;
    if (!listing || view.group === 'none' || (view.group === 'experiment' && FLAT_KINDS.has(node.state.spec.kind))) return source;
    const runs = filterRuns(listing.runs, view.filters);
    const g = groupRuns(runs, listing.experiments, view.group).find((x) => x.runs.some((r) => r.id === node.run.id));
    if (!g) return source;
    return { kind: 'experiment', state: node.state, experiment: g.experiment ?? { id: g.id, name: g.label }, runs: g.runs, groupedBy: view.group === 'experiment' ? undefined : view.group.slice(6) };
  }

  get viewState(): RunsViewState {
    return this.deps.viewState?.() ?? DEFAULT_VIEW_STATE;
  }

  /**
   * The runs of a source the view's filters let through. The search filter is evaluated
   * here for stores in files; a tracking server was sent it and listed only its matches.
   */
  private visibleRuns(state: SourceState): RunSummary[] {
    const { filters, search } = this.viewState;
    const runs = state.listing?.runs ?? [];
    const picked = filters.length ? filterRuns(runs, filters) : runs;
    if (!search || state.spec.kind === 'mlflow-rest') return [...picked];
    // MLflow stores hold the star and note as tags already; the others' live in the workspace.
    const mark = this.deps.mark;
    const extraTags = mark && !MLFLOW_STORE_KINDS.has(state.spec.kind) ? (run: RunSummary) => markTags(mark(state, run)) : undefined;
    return searchRuns(picked, search, extraTags);
  }

  /** Runs the filter lets through, and all runs, over every source (for the view's message). */
  counts(): { shown: number; total: number } {
    let shown = 0;
    let total = 0;
    for (const s of this.states.values()) {
      total += s.listing?.runs.length ?? 0;
      shown += s.listing ? this.visibleRuns(s).length : 0;
    }
    return { shown, total };
  }

  /** Whether a tracking server's search is still reading pages beyond those shown. */
  loadingMore(): boolean {
    return [...this.states.values()].some((s) => s.loadingMore);
  }

  /** Lists the tracking servers again now (the search filter changed: they filter it themselves). */
  async relistServers(): Promise<void> {
    const servers = [...this.states.values()].filter((s) => s.spec.kind === 'mlflow-rest');
    if (!servers.length) return;
    await this.loading;
    await vscode.window.withProgress({ location: { viewId: 'mlops.runs' } }, () => Promise.all(servers.map((s) => this.list(s, true))));
    this.changed.fire(undefined);
  }

  /** Redraws after the sort, filter or grouping changed; nothing is read again. */
  redraw(): void {
    this.changed.fire(undefined);
  }

  /**
   * Lists the tracking servers again (the polling): local stores follow their files.
   * Resolves false when a server failed or warned, so the poller backs off; the tree
   * redraws only when a listing changed.
   */
  async pollServers(): Promise<boolean> {
    const servers = [...this.states.values()].filter((s) => s.spec.kind === 'mlflow-rest');
    if (!servers.length) return true;
    await this.loading;
    const before = servers.map((s) => JSON.stringify(s.listing ?? s.error ?? null));
    await Promise.all(servers.map((s) => this.list(s)));
    if (servers.some((s, i) => JSON.stringify(s.listing ?? s.error ?? null) !== before[i])) this.changed.fire(undefined);
    return servers.every((s) => !s.error && !s.listing?.warnings.length);
  }

  /** The sources listed now (for the run pickers and the artifact and UI commands). */
  sources(): SourceState[] {
    return [...this.states.values()];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'source') return this.sourceItem(node.state);
    if (node.kind === 'experiment') {
      const item = new vscode.TreeItem(node.experiment.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.state.id}#exp:${node.experiment.id}`;
      item.description = runCount(node.runs.length);
      if (node.groupedBy !== undefined) {
        item.iconPath = new vscode.ThemeIcon('symbol-constant');
        item.tooltip = vscode.l10n.t('Runs with {0}', node.experiment.name);
        item.contextValue = 'mlopsRunGroup';
        return item;
      }
      item.iconPath = new vscode.ThemeIcon('beaker');
      item.tooltip = vscode.l10n.t('Experiment {0} (id {1})', node.experiment.name, node.experiment.id);
      item.contextValue = node.state.spec.kind === 'mlflow-rest' ? 'mlopsExperiment.server' : 'mlopsExperiment';
      return item;
    }
    const { run, state } = node;
    const children = node.nesting?.children.get(run.id)?.length ?? 0;
    const item = new vscode.TreeItem(run.name || run.id, children ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `${state.id}#run:${run.experimentId}/${run.id}`;
    const mark = this.deps.mark?.(state, run);
    item.description = `${mark?.starred ? '★ ' : ''}${runDescription(run, this.deps.keyMetric())}`;
    // Tooltips of a big store are built on hover: every redraw would build thousands.
    // A finished DVC experiment's tooltip reads its git note (a git process): on hover too.
    if ((state.listing?.runs.length ?? 0) <= EAGER_TOOLTIP_RUNS && !isNotedKind(node)) item.tooltip = this.runTooltip(node);
    item.iconPath = statusIcon(run.status);
    // `.server`: a run the MLflow UI can open; `.dvc.<state>`: the DVC lifecycle commands that
    // fit (expLifecycle/); `.starred`: offers Unstar instead of Star.
    const base = state.spec.kind === 'mlflow-rest' ? 'mlopsRun.server' : state.spec.kind === 'dvc-experiments' ? `mlopsRun.dvc.${expRowState(run)}` : 'mlopsRun';
    item.contextValue = `${base}${mark?.starred ? '.starred' : ''}`;
    const checked = this.selected.some((r) => r.sourceId === state.id && r.runId === run.id);
    const colorIcon = checked ? this.deps.colors?.icon({ sourceId: state.id, runId: run.id }) : undefined;
    if (colorIcon) item.iconPath = colorIcon;
    item.checkboxState = { state: checked ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked, tooltip: vscode.l10n.t('Select for comparison') };
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, node: RunsNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'run' || item.tooltip) return item;
    item.tooltip = this.runTooltip(node, isNotedKind(node) ? await this.noteLines(node) : undefined);
    return item;
  }

  /** Notes found, by commit: a note is written once, when its experiment ends. */
  private readonly notes = new Map<string, Provenance>();

  private async noteLines(node: RunNode): Promise<string[] | undefined> {
    const commit = node.run.id;
    let note = this.notes.get(commit);
    if (!note) {
      note = await readNote(nodeRunner, node.state.spec.location, commit).catch(() => undefined);
      if (note) this.notes.set(commit, note);
    }
    return note ? experimentNoteLines(vscode.l10n, commit, note) : undefined;
  }

  /** The run's hover, with its star and note first when it has them. */
  private runTooltip(node: RunNode, provenance?: string[]): vscode.MarkdownString {
    const mark = this.deps.mark?.(node.state, node.run);
    const head = [mark?.starred ? `★ ${vscode.l10n.t('starred')}` : '', mark?.note ? `${vscode.l10n.t('Note:')} ${escapeMarkdown(mark.note)}` : ''].filter(Boolean);
    return new vscode.MarkdownString([...head, ...(head.length ? ['', '---', ''] : []), runTooltipMarkdown(vscode.l10n, node.run, Date.now(), provenance)].join('\n'));
  }

  private sourceItem(state: SourceState): vscode.TreeItem {
    const server = state.spec.kind === 'mlflow-rest';
    // A password written into the tracking URI is never shown (the location is redacted already; this keeps it so).
    const full = server ? redactTrackingUri(state.spec.location) : state.spec.location;
    // A store at a workspace folder's root (a DVC project) is named by the folder, not its absolute path.
    const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === state.spec.location);
    const where = server ? full : root ? root.name : vscode.workspace.asRelativePath(state.spec.location);
    const item = new vscode.TreeItem(KIND_LABEL[state.spec.kind], vscode.TreeItemCollapsibleState.Expanded);
    item.id = state.id;
    if (!server) item.resourceUri = vscode.Uri.file(state.spec.location);
    item.contextValue = state.spec.kind === 'dvc-experiments' ? 'mlopsRunSource.dvc' : 'mlopsRunSource';
    if (state.error || !state.listing) {
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      const error = state.error ?? vscode.l10n.t('not read yet');
      item.description = `${where} — ${error}`;
      item.tooltip = vscode.l10n.t('{0} could not be read: {1}\nDetails are in the MLOps Workbench log (MLOps: Show Log).', full, error);
      return item;
    }
    const { runs, warnings } = state.listing;
    item.iconPath = new vscode.ThemeIcon(KIND_ICON[state.spec.kind]);
    const shown = this.visibleRuns(state).length;
    let count = shown === runs.length ? runCount(runs.length) : runs.length === 1 ? vscode.l10n.t('{0} of 1 run', shown) : vscode.l10n.t('{0} of {1} runs', shown, runs.length);
    // A server listed only the runs matching the search: its total is not known here.
    if (server && this.viewState.search) count = vscode.l10n.t('{0} matching the filter', count);
    // A server that did not answer lists nothing: its first warning says why, right there.
    const why = warnings.length && !runs.length ? ` — ${warnings[0].message}` : '';
    const warned = warnings.length === 1 ? vscode.l10n.t('1 warning') : vscode.l10n.t('{0} warnings', warnings.length);
    item.description = `${where} · ${count}${warnings.length ? ` · ${warned}` : ''}${why}`;
    item.tooltip = `${full}${warnings.length ? `\n${vscode.l10n.t('{0}: see the MLOps Workbench log (MLOps: Show Log).', warned)}` : ''}`;
    if (!shown) item.collapsibleState = vscode.TreeItemCollapsibleState.None;
    return item;
  }

  dispose(): void {
    this.colorsChanged?.dispose();
    this.scheduler.dispose();
    for (const s of this.states.values()) s.source?.dispose?.();
    this.changed.dispose();
    this.storesChanged.dispose();
  }
}
