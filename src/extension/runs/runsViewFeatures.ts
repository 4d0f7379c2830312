// What the Runs view offers beyond its listing, wired: the tracking server's credentials
// and polling, opening runs in the MLflow UI, artifacts, copying ids, sort / filter /
// group, and the view's description that says which are active. Each command is one short
// entry that hands over to its body in runsViewCommands.ts (see registerRuns.ts for the
// rule of this folder).
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { setting, settingChanged } from '../settings';
import { clearCredentialsCommand, connectCommand, setCredentialsCommand, type MlflowCredentials } from './mlflowServerAccess';
import { describeViewState, normalizeViewState, type GroupBy, type RunFilter, type RunsViewState } from './runsQuery';
import type { RunsNode, RunsTreeProvider } from './runsTree';
import {
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
}

export function registerRunsViewFeatures(context: vscode.ExtensionContext, deps: RunsViewFeatureDeps): void {
  const { runs, view, log, viewState, credentials } = deps;
  const allRuns = () => runs.sources().flatMap((s) => s.listing?.runs ?? []);

  // The active sort / filter / grouping, always in sight; a filter that hides every run says so.
  const showState = () => {
    const text = describeViewState(viewState.current);
    view.description = text || undefined;
    const { shown, total } = runs.counts();
    view.message = total && !shown ? vscode.l10n.t(`No run matches the filter ({0}). Change it with "Filter Runs…" in the view's title.`, text) : undefined;
    void vscode.commands.executeCommand('setContext', 'mlops.runs.filtered', viewState.current.filters.length > 0);
    // The walkthrough's "Open an ML project" step completes on this.
    void vscode.commands.executeCommand('setContext', 'mlops.runs.hasRuns', total > 0);
  };
  showState();

  const hasServer = () => runs.sources().some((s) => s.spec.kind === 'mlflow-rest');
  // Polling (with backoff, see RefreshScheduler) only while someone looks at the view, a
  // server is configured and polling is on.
  const updatePolling = () => runs.scheduler.setServerPolling(view.visible && hasServer() && serverPollSeconds() > 0);

  context.subscriptions.push(
    viewState,
    viewState.onDidChange(() => {
      runs.redraw();
      showState();
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
    registerCommand('mlops.groupRuns', (group?: GroupBy) =>
      typeof group === 'string' ? viewState.update(normalizeViewState({ ...viewState.current, group })) : groupRunsCommand(viewState, allRuns()),
    ),
    registerCommand('mlops.chooseKeyMetric', () => chooseKeyMetricCommand(allRuns())),
    registerCommand('mlops.openInMlflowUi', (node?: RunsNode) => openInMlflowUiCommand(node ?? view.selection[0])),
    registerCommand('mlops.showRunArtifacts', (node?: RunsNode) => showRunArtifactsCommand(node ?? view.selection[0], log)),
    registerCommand('mlops.copyRunId', (node?: RunsNode) => copyRunIdCommand(node ?? view.selection[0])),
  );
}
