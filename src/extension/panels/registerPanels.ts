import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { parseMetricsViewState, parseRunRefs } from '../../protocol/panels';
import { ComparePanel } from './comparePanel';
import { MetricsPanel } from './metricsPanel';
import { COMPARE_VIEW_TYPE, EXPERIMENTS_VIEW_TYPE, METRICS_VIEW_TYPE, type RevivedViewType } from './panelViewTypes';
import { resolveRunArgs } from './panelRuns';
import { registerExperiments } from '../experiments/registerExperiments';
import { ExperimentsPanel, type ExperimentsDeps } from '../experiments/experimentsPanel';
import { registerDagPanel } from '../pipelines/dagPanel';
import type { PipelinesTreeProvider } from '../views/pipelinesTree';

/** Brings back a panel after a window reload from the state its webview saved (checked by the protocol's parse). */
export type PanelReviver = (viewType: RevivedViewType, panel: vscode.WebviewPanel, state: unknown) => void;

/**
 * The editor panels of the Runs and Pipelines views (bundled apart, dist/lazy/panelsFeature.js,
 * and loaded by the first command or the first panel to come back after a reload): the
 * metric charts and the comparison (from the Runs view's checked runs, a run's context
 * menu, or by command with run ids), the experiments table and the pipeline DAG.
 * Returns what the serializers that activation registered (webviews/panelSerializers.ts) call.
 */
export function registerPanels(context: vscode.ExtensionContext, deps: ExperimentsDeps, pipelines: PipelinesTreeProvider): PanelReviver {
  context.subscriptions.push(
    registerCommand('mlops.openMetrics', async (arg?: unknown) => {
      const refs = await resolveRunArgs(deps.catalog, arg, vscode.l10n.t('MLOps: Open Metric Charts'));
      if (!refs) return undefined;
      // The panel itself: for a caller in this extension host (the E2E suite), not serialisable.
      return MetricsPanel.show(deps, refs);
    }),
    registerCommand('mlops.compareRuns', async (arg?: unknown) => {
      const refs = await resolveRunArgs(deps.catalog, arg, vscode.l10n.t('MLOps: Compare Runs'));
      if (!refs) return undefined;
      return ComparePanel.show(deps, refs);
    }),
  );
  registerExperiments(context, deps);
  registerDagPanel(context, pipelines, deps.log);
  return (viewType, panel, state) => {
    if (viewType === METRICS_VIEW_TYPE) MetricsPanel.revive(panel, deps, parseMetricsViewState(state));
    else if (viewType === COMPARE_VIEW_TYPE) ComparePanel.revive(panel, deps, parseRunRefs(state));
    // The table keeps its state in workspaceState, not in the webview: nothing to read back here.
    else if (viewType === EXPERIMENTS_VIEW_TYPE) ExperimentsPanel.revive(panel, deps);
  };
}
