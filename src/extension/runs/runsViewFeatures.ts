// What the Runs view offers beyond its listing, wired: the tracking server's credentials
// and polling, opening runs in the MLflow UI, artifacts, copying ids, sort / filter /
// group, and the view's description that says which are active. Each command is one short
// entry that hands over to its body in runsViewCommands.ts (see registerRuns.ts for the
// rule of this folder).
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showError } from '../notify';
import { setting, settingChanged } from '../settings';
import { clearCredentialsCommand, connectCommand, setCredentialsCommand, type MlflowCredentials } from './mlflowServerAccess';
import { describeViewState, normalizeViewState, type GroupBy, type RunFilter, type RunsViewState } from './runsQuery';
import type { RunsNode, RunsTreeProvider } from './runsTree';
import { editNoteCommand, starRunCommand, type LocalMarkStore } from './runMarkCommands';
import {
  clearAllFiltersCommand,
  searchFilterCommand,
  setSearchFilter,
  chooseKeyMetricCommand,
  copyRunIdCommand,
  filterRunsCommand,
  groupRunsCommand,
  openInMlflowUiCommand,
  showRunArtifactsCommand,
  sortRunsCommand,
  type RunsViewStateStore,
} from './runsViewCommands';

/** `mlops.mlflow.pollIntervalSeconds`: 0 turns the polling of tracking servers off. */
export const serverPollSeconds = (): number => setting('mlflow.pollIntervalSeconds');

export interface RunsViewFeatureDeps {
  runs: RunsTreeProvider;
  view: vscode.TreeView<RunsNode>;
  log: vscode.LogOutputChannel;
  viewState: RunsViewStateStore;
  credentials: MlflowCredentials;
  marks: LocalMarkStore;
}

export function registerRunsViewFeatures(context: vscode.ExtensionContext, deps: RunsViewFeatureDeps): void {
  const { runs, view, log, viewState, credentials, marks } = deps;
  const allRuns = () => runs.sources().flatMap((s) => s.listing?.runs ?? []);

  // The active sort / filter / grouping, always in sight; a filter that hides every run says so.
  const showState = () => {
    const text = describeViewState(viewState.current);
    view.description = text || undefined;
    const { shown, total } = runs.counts();
    view.message = total && !shown ? vscode.l10n.t(`No run matches the filter ({0}). Change it with "Filter Runs…" in the view's title.`, text) : undefined;
    void vscode.commands.executeCommand('setContext', 'mlops.runs.filtered', viewState.current.filters.length > 0 || !!viewState.current.search);
    // The walkthrough's "Open an ML project" step completes on this.
    void vscode.commands.executeCommand('setContext', 'mlops.runs.hasRuns', total > 0);
  };
  showState();

  const hasServer = () => runs.sources().some((s) => s.spec.kind === 'mlflow-rest');
  // Polling (with backoff, see RefreshScheduler) only while someone looks at the view, a
  // server is configured and polling is on.
  const updatePolling = () => runs.scheduler.setServerPolling(view.visible && hasServer() && serverPollSeconds() > 0);

  // A tracking server filters for itself: a new search filter means listing it again.
  let listedSearch = viewState.current.search;
  let searchListing: Promise<void> = Promise.resolve();
  const searchChanged = async () => {
    if (viewState.current.search === listedSearch) return;
    listedSearch = viewState.current.search;
    await runs.relistServers();
    const refused = runs.sources().find((s) => s.filterRejected !== undefined);
    if (!refused || viewState.current.search !== listedSearch) return;
    const [edit, clear] = [vscode.l10n.t('Edit Filter'), vscode.l10n.t('Clear Filter')];
    // MLflow's own words: they name the part of the filter it could not take.
    const pick = await showError(vscode.l10n.t('the tracking server {0} refused the filter: {1}', refused.spec.location, refused.filterRejected ?? ''), edit, clear);
    if (pick === edit) await vscode.commands.executeCommand('mlops.runs.filter');
    if (pick === clear) await clearAllFiltersCommand(viewState);
  };

  context.subscriptions.push(
    viewState,
    viewState.onDidChange(() => {
      runs.redraw();
      showState();
      searchListing = searchChanged().catch((err: unknown) => log.error(`Runs: listing with the new filter failed: ${err instanceof Error ? err.message : String(err)}`));
    }),
    runs.onDidChangeTreeData(() => {
      showState();
      updatePolling();
    }),
    view.onDidChangeVisibility(updatePolling),
    credentials.onDidChange(() => void runs.refresh({ cause: 'credentials' })),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'mlflow.trackingUri')) void runs.refresh({ rediscover: true, cause: 'setting' });
      if (settingChanged(e, 'mlflow.maxRuns')) void runs.refresh({ cause: 'setting' });
      if (settingChanged(e, 'mlflow.pollIntervalSeconds')) updatePolling();
    }),
    registerCommand('mlops.mlflow.setCredentials', async () => {
      if (await setCredentialsCommand(credentials)) await runs.refresh({ rediscover: true, cause: 'command' });
    }),
    registerCommand('mlops.mlflow.connect', async () => {
      // The setting's change lists the server; new credentials alone need a refresh.
      if (await connectCommand(credentials)) await runs.refresh({ rediscover: true, cause: 'command' });
    }),
    registerCommand('mlops.mlflow.clearCredentials', () => clearCredentialsCommand(credentials)),
    // With an argument (a keybinding, a script, the tests) they set it without asking.
    registerCommand('mlops.sortRuns', (sort?: RunsViewState['sort']) =>
      sort && typeof sort.by === 'string' ? viewState.update({ ...viewState.current, sort: { by: sort.by, descending: !!sort.descending } }) : sortRunsCommand(viewState, allRuns()),
    ),
    registerCommand('mlops.filterRuns', (filters?: RunFilter[]) =>
      Array.isArray(filters) ? viewState.update(normalizeViewState({ ...viewState.current, filters })) : filterRunsCommand(viewState, allRuns()),
    ),
    registerCommand('mlops.clearRunFilter', () => viewState.update({ ...viewState.current, filters: [] })),
    // With a string argument (a keybinding, a script, the tests) it is set without asking.
    registerCommand('mlops.runs.filter', async (text?: string) => {
      if (typeof text !== 'string') return searchFilterCommand(viewState);
      await setSearchFilter(viewState, text);
      // Resolves once a tracking server has listed the new filter's matches.
      await searchListing;
      return viewState.current.search;
    }),
    registerCommand('mlops.runs.clearFilter', async () => {
      await clearAllFiltersCommand(viewState);
      await searchListing;
    }),
    registerCommand('mlops.groupRuns', (group?: GroupBy) =>
      typeof group === 'string' ? viewState.update(normalizeViewState({ ...viewState.current, group })) : groupRunsCommand(viewState, allRuns()),
    ),
    registerCommand('mlops.chooseKeyMetric', () => chooseKeyMetricCommand(allRuns())),
    registerCommand('mlops.openInMlflowUi', (node?: RunsNode) => openInMlflowUiCommand(node ?? view.selection[0])),
    registerCommand('mlops.showRunArtifacts', (node?: RunsNode) => showRunArtifactsCommand(node ?? view.selection[0], log)),
    registerCommand('mlops.copyRunId', (node?: RunsNode) => copyRunIdCommand(node ?? view.selection[0])),
    registerCommand('mlops.runs.star', (node?: RunsNode) => starRunCommand(runs, marks, node ?? view.selection[0], true)),
    registerCommand('mlops.runs.unstar', (node?: RunsNode) => starRunCommand(runs, marks, node ?? view.selection[0], false)),
    // With a text (scripts, the tests) the note is set without the box.
    registerCommand('mlops.runs.editNote', (node?: RunsNode, text?: string) => editNoteCommand(runs, marks, node ?? view.selection[0], typeof text === 'string' ? text : undefined)),
  );
}
