// What the Runs view's commands do: sort, filter and group runs (chosen in QuickPicks and
// remembered per workspace), the key metric, and the per-run actions (copy the id, open in
// the MLflow UI, artifacts). Nothing is registered here: runsViewFeatures.ts wires each
// command to its function (see registerRuns.ts for the rule of this folder).
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { setting, updateSetting } from '../settings';
import type { MlflowRestSource } from '../../core/runs/mlflow/mlflowRestSource';
import type { RunStatus, RunSummary } from '../../core/runs/types';
import { browseArtifacts } from './runArtifacts';
import { statusText } from './runsModel';
import { describeFilter, keysOf, normalizeViewState, parseCondition, searchInputProblem, type RunFilter, type RunsViewState, type SortBy } from './runsQuery';
import type { RunsNode } from './runsTree';

const STATE_KEY = 'mlops.runs.viewState';
const STATUSES: RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED', 'UNKNOWN'];

export class RunsViewStateStore {
  private state: RunsViewState;
  private readonly emitter = new vscode.EventEmitter<RunsViewState>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly memento: vscode.Memento) {
    this.state = normalizeViewState(memento.get(STATE_KEY));
  }

  get current(): RunsViewState {
    return this.state;
  }

  async update(next: RunsViewState): Promise<void> {
    this.state = next;
    await this.memento.update(STATE_KEY, next);
    this.emitter.fire(next);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

type Item<T> = vscode.QuickPickItem & { value: T };

async function pickKey(runs: RunSummary[], title: string): Promise<{ kind: 'metric' | 'param'; key: string } | undefined> {
  const { metrics, params } = keysOf(runs);
  const items: (Item<{ kind: 'metric' | 'param'; key: string }> | vscode.QuickPickItem)[] = [];
  if (metrics.length) items.push({ label: vscode.l10n.t('metrics'), kind: vscode.QuickPickItemKind.Separator }, ...metrics.map((k) => ({ label: k, description: vscode.l10n.t('metric'), value: { kind: 'metric' as const, key: k } })));
  if (params.length) items.push({ label: vscode.l10n.t('params'), kind: vscode.QuickPickItemKind.Separator }, ...params.map((k) => ({ label: k, description: vscode.l10n.t('param'), value: { kind: 'param' as const, key: k } })));
  if (!items.length) {
    void showInfo(vscode.l10n.t('the listed runs have no metrics or params yet.'));
    return undefined;
  }
  const pick = (await vscode.window.showQuickPick(items, { title, matchOnDescription: true })) as Item<{ kind: 'metric' | 'param'; key: string }> | undefined;
  return pick?.value;
}

/** `MLOps: Sort Runs…`: start time, name, status, duration, or any metric or param; then the direction. */
export async function sortRunsCommand(store: RunsViewStateStore, runs: RunSummary[]): Promise<void> {
  const cur = store.current.sort;
  const fixed: Item<SortBy | 'key'>[] = [
    { label: vscode.l10n.t('Start time'), value: 'start' },
    { label: vscode.l10n.t('Name'), value: 'name' },
    { label: vscode.l10n.t('Status'), value: 'status' },
    { label: vscode.l10n.t('Duration'), value: 'duration' },
    { label: vscode.l10n.t('A metric or param…'), value: 'key' },
  ];
  for (const i of fixed) if (i.value === cur.by) i.description = cur.descending ? vscode.l10n.t('current, descending') : vscode.l10n.t('current, ascending');
  const pick = await vscode.window.showQuickPick(fixed, { title: vscode.l10n.t('Sort runs by') });
  if (!pick) return;
  let by: SortBy;
  if (pick.value === 'key') {
    const key = await pickKey(runs, vscode.l10n.t('Sort runs by the metric or param'));
    if (!key) return;
    by = `${key.kind}:${key.key}`;
  } else by = pick.value;
  const dir = await vscode.window.showQuickPick(
    [
      { label: `$(arrow-down) ${vscode.l10n.t('Descending')}`, description: by === 'start' ? vscode.l10n.t('newest first') : vscode.l10n.t('highest first'), value: true },
      { label: `$(arrow-up) ${vscode.l10n.t('Ascending')}`, description: by === 'start' ? vscode.l10n.t('oldest first') : vscode.l10n.t('lowest first'), value: false },
    ] satisfies Item<boolean>[],
    { title: vscode.l10n.t('Sort by {0}', by.replace(/^(metric|param):/, '')) },
  );
  if (!dir) return;
  await store.update({ ...store.current, sort: { by, descending: dir.value } });
}

/** `MLOps: Filter Runs…`: add a status, metric or param condition, or remove one. */
export async function filterRunsCommand(store: RunsViewStateStore, runs: RunSummary[]): Promise<void> {
  const { filters } = store.current;
  const items: Item<'status' | 'key' | 'clear' | number>[] = [
    { label: `$(filter) ${vscode.l10n.t('By status…')}`, value: 'status' },
    { label: `$(filter) ${vscode.l10n.t('By a metric or param…')}`, description: vscode.l10n.t('e.g. val_loss < 0.3, optimizer = adam'), value: 'key' },
  ];
  if (filters.length) {
    items.push({ label: vscode.l10n.t('active filters'), kind: vscode.QuickPickItemKind.Separator, value: -1 });
    filters.forEach((f, i) => items.push({ label: `$(close) ${vscode.l10n.t('Remove "{0}"', describeFilter(f))}`, value: i }));
    items.push({ label: `$(clear-all) ${vscode.l10n.t('Clear all filters')}`, value: 'clear' });
  }
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Filter runs'), placeHolder: filters.length ? vscode.l10n.t('Now: {0}', filters.map(describeFilter).join(', ')) : vscode.l10n.t('Show only the runs that match') });
  if (!pick) return;
  if (pick.value === 'clear') return store.update({ ...store.current, filters: [] });
  if (typeof pick.value === 'number') return store.update({ ...store.current, filters: filters.filter((_, i) => i !== pick.value) });
  if (pick.value === 'status') {
    const now = filters.find((f) => f.kind === 'status');
    const chosen = await vscode.window.showQuickPick(
      STATUSES.map((s) => ({ label: statusText(s), value: s, picked: now?.kind === 'status' && now.statuses.includes(s) })),
      { title: vscode.l10n.t('Show runs that are'), canPickMany: true },
    );
    if (!chosen) return;
    const rest = filters.filter((f) => f.kind !== 'status');
    return store.update({ ...store.current, filters: chosen.length ? [{ kind: 'status', statuses: chosen.map((c) => c.value) }, ...rest] : rest });
  }
  const key = await pickKey(runs, vscode.l10n.t('Filter by the metric or param'));
  if (!key) return;
  const cond = await vscode.window.showInputBox({
    title: key.kind === 'metric' ? vscode.l10n.t('Runs whose metric {0}…', key.key) : vscode.l10n.t('Runs whose param {0}…', key.key),
    prompt: vscode.l10n.t('A condition: < 0.5, >= 10, = adam, != 3, ~ text (contains), exists'),
    placeHolder: key.kind === 'metric' ? '< 0.5' : '= adam',
    validateInput: (v) => {
      const r = parseCondition(v);
      return 'error' in r ? r.error : undefined;
    },
  });
  if (cond === undefined) return;
  const parsed = parseCondition(cond);
  if ('error' in parsed) return;
  const next: RunFilter = { kind: key.kind, key: key.key, op: parsed.op, value: parsed.value };
  await store.update({ ...store.current, filters: [...filters, next] });
}

/**
 * `MLOps: Filter Runs…`: a filter in MLflow's search syntax, checked as it is typed (the
 * fault and its column in the box). An empty box clears it. Returns the filter now set.
 */
export async function searchFilterCommand(store: RunsViewStateStore): Promise<string | undefined> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Filter runs (MLflow search syntax)'),
    value: store.current.search ?? '',
    prompt: vscode.l10n.t(`Clauses joined by "and", as in mlflow.search_runs: metrics.<key>, params.<key>, tags.<key>, attributes.status / run_name / start_time …; empty clears the filter`),
    placeHolder: `metrics.accuracy > 0.9 and params.optimizer = 'adam' and attributes.status = 'FINISHED'`,
    ignoreFocusOut: true,
    validateInput: (v) => searchInputProblem(v),
  });
  if (text === undefined) return store.current.search;
  if (searchInputProblem(text)) return store.current.search;
  await setSearchFilter(store, text);
  return store.current.search;
}

/** Sets (or with an empty text, clears) the search filter. A text that does not parse is refused with its fault. */
export async function setSearchFilter(store: RunsViewStateStore, text: string): Promise<void> {
  const problem = searchInputProblem(text);
  if (problem) throw new Error(vscode.l10n.t('the filter {0} is not MLflow search syntax: {1}', JSON.stringify(text), problem));
  await store.update(normalizeViewState({ ...store.current, search: text }));
}

/** `MLOps: Clear Run Filter`: the search filter and any picked conditions. */
export async function clearAllFiltersCommand(store: RunsViewStateStore): Promise<void> {
  await store.update({ ...normalizeViewState({ ...store.current, search: undefined }), filters: [] });
}

/** `MLOps: Group Runs…`: by experiment, by the values of a param, or not at all. */
export async function groupRunsCommand(store: RunsViewStateStore, runs: RunSummary[]): Promise<void> {
  const { params } = keysOf(runs);
  const cur = store.current.group;
  const items: Item<RunsViewState['group']>[] = [
    { label: `$(beaker) ${vscode.l10n.t('By experiment')}`, value: 'experiment' },
    { label: `$(list-flat) ${vscode.l10n.t('No grouping')}`, value: 'none' },
    ...params.map((p) => ({ label: `$(symbol-constant) ${vscode.l10n.t('By param {0}', p)}`, value: `param:${p}` as const })),
  ];
  for (const i of items) if (i.value === cur) i.description = vscode.l10n.t('current');
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Group runs') });
  if (pick) await store.update({ ...store.current, group: pick.value });
}

/** `MLOps: Choose Key Metric…`: the metric each run's line shows (mlops.runs.keyMetric). */
export async function chooseKeyMetricCommand(runs: RunSummary[]): Promise<void> {
  const { metrics } = keysOf(runs);
  const cur = setting('runs.keyMetric');
  const current = vscode.l10n.t('current');
  const items: Item<string>[] = [
    { label: `$(symbol-numeric) ${vscode.l10n.t('First metric by name')}`, description: cur ? '' : current, value: '' },
    ...metrics.map((m) => ({ label: m, description: m === cur ? current : '', value: m })),
  ];
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Metric shown beside each run') });
  if (!pick) return;
  await updateSetting('runs.keyMetric', pick.value, vscode.workspace.workspaceFolders?.length ? 'workspace' : 'user');
}


/** `MLOps: Copy Run ID` (a run's context menu): the id goes to the clipboard, and is returned for scripts and tests. */
export async function copyRunIdCommand(target: RunsNode | undefined): Promise<string | undefined> {
  if (target?.kind !== 'run') {
    void showInfo(vscode.l10n.t('select a run in the Runs view to copy its id.'));
    return undefined;
  }
  await vscode.env.clipboard.writeText(target.run.id);
  vscode.window.setStatusBarMessage(vscode.l10n.t('MLOps: copied run id {0}', target.run.id), 3000);
  return target.run.id;
}

/** `MLOps: Open in MLflow UI`: a run or experiment of a tracking server, in the browser; returns the URL. */
export async function openInMlflowUiCommand(target: RunsNode | undefined): Promise<string | undefined> {
  if (!target || target.kind === 'source' || target.state.spec.kind !== 'mlflow-rest' || !target.state.source) {
    void showInfo(vscode.l10n.t('select a run or experiment of an MLflow tracking server (mlops.mlflow.trackingUri) in the Runs view.'));
    return undefined;
  }
  const source = target.state.source as MlflowRestSource;
  const url = target.kind === 'run' ? source.runUrl(target.run.experimentId, target.run.id) : source.runUrl(target.experiment.id);
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
  return url;
}

/** `MLOps: Show Run Artifacts…`: browse an MLflow run's artifacts and open one. */
export async function showRunArtifactsCommand(target: RunsNode | undefined, log: vscode.LogOutputChannel): Promise<vscode.Uri | undefined> {
  if (target?.kind !== 'run') {
    void showInfo(vscode.l10n.t('select an MLflow run in the Runs view to see its artifacts.'));
    return undefined;
  }
  return browseArtifacts(target.state, target.run, log);
}
